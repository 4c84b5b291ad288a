// Dashboard figures for an area and a period: doses per day / site / product, coverage (≥1 dose and full) by
// commune and age group against the population in the registry, dropout (dose 1 → dose 2), the overdue list, stock
// and wastage per lot. Reads `persons` (people module) in SQL for the denominators and names (read-only; a grouped
// count no function-call API can make set-based); the caller audits the overdue list's names.
import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import type { DbOrTx } from '../../platform/db/types';
import type { Dashboard } from './schema';

export type { Dashboard };

export const AGE_GROUPS = ['0-17', '18-49', '50-64', '65+'] as const;
const ageGroupSql = (yearExpr: ReturnType<typeof sql>, year: number) =>
  sql<string>`case when ${yearExpr} is null then 'unknown' when ${year} - ${yearExpr} < 18 then '0-17' when ${year} - ${yearExpr} < 50 then '18-49'
    when ${year} - ${yearExpr} < 65 then '50-64' else '65+' end`;


export async function dashboard(db: DbOrTx, scope: string[] | null, from: string, to: string, today: string): Promise<Dashboard> {
  const inScope = (col: string) => (scope ? sql`and ${sql.ref(col)} = any(${scope}::text[])` : sql``);
  const year = Number(today.slice(0, 4));
  const [perDay, bySite, byProduct, coverage, dropout, overdue, stock] = await Promise.all([
    sql<{ day: string; n: number }>`select to_char(given_on, 'YYYY-MM-DD') as day, count(*)::int as n from vaccination_doses d
      where status = 'valid' and given_on between ${from} and ${to} ${inScope('d.commune_code')} group by 1 order by 1`.execute(db),
    sql<{ siteId: string; siteName: string; n: number }>`select s.id as "siteId", s.name as "siteName", count(*)::int as n from vaccination_doses d join vaccination_sites s on s.id = d.site_id
      where d.status = 'valid' and d.given_on between ${from} and ${to} ${inScope('d.commune_code')} group by 1, 2 order by 3 desc`.execute(db),
    sql<{ productCode: string; productName: string; n: number }>`select p.code as "productCode", p.name as "productName", count(*)::int as n from vaccination_doses d join vaccine_products p on p.code = d.product_code
      where d.status = 'valid' and d.given_on between ${from} and ${to} ${inScope('d.commune_code')} group by 1, 2 order by 3 desc`.execute(db),
    sql<{ communeCode: string; communeName: string; ageGroup: string; population: number; atLeastOne: number; full: number }>`
      with v as (select person_id, max(dose_number) as doses, bool_or(dose_number >= series_doses) as full from vaccination_doses where status = 'valid' group by person_id)
      select p.commune_code as "communeCode", u.name as "communeName", ${ageGroupSql(sql.ref('p.birth_year'), year)} as "ageGroup",
             count(*)::int as population, count(v.person_id)::int as "atLeastOne", count(*) filter (where v.full)::int as full
      from persons p join admin_units u on u.code = p.commune_code left join v on v.person_id = p.id
      where p.merged_into is null ${inScope('p.commune_code')}
      group by 1, 2, 3 having count(v.person_id) > 0 order by 2, 3 limit 5000`.execute(db),
    sql<{ dose1: number; dose2: number }>`
      select count(*)::int as dose1, count(*) filter (where exists (select 1 from vaccination_doses n where n.person_id = d.person_id and n.status = 'valid' and n.dose_number = 2))::int as dose2
      from vaccination_doses d where d.status = 'valid' and d.dose_number = 1 and d.series_doses >= 2 and d.given_on between ${from} and ${to} ${inScope('d.commune_code')}`.execute(db),
    sql<{ personId: string; fullName: string; doseNumber: number; dueOn: string; communeCode: string | null }>`
      select d.person_id as "personId", p.full_name as "fullName", d.dose_number + 1 as "doseNumber", to_char(d.given_on + pr.interval_days, 'YYYY-MM-DD') as "dueOn", p.commune_code as "communeCode"
      from vaccination_doses d join vaccine_products pr on pr.code = d.product_code join persons p on p.id = d.person_id
      where d.status = 'valid' and d.dose_number < d.series_doses and d.given_on + pr.interval_days < ${today}::date ${inScope('d.commune_code')}
        and not exists (select 1 from vaccination_doses n where n.person_id = d.person_id and n.status = 'valid' and n.dose_number > d.dose_number)
      order by 4 limit 500`.execute(db),
    sql<Dashboard['stock'][number]>`
      select s.name as "siteName", l.product_code as "productCode", l.lot_number as "lotNumber", to_char(l.expires_on, 'YYYY-MM-DD') as "expiresOn", l.quantity, l.used, l.wasted, l.quantity - l.used - l.wasted as left
      from vaccine_lots l join vaccination_sites s on s.id = l.site_id where true ${inScope('s.commune_code')} order by s.name, l.expires_on limit 2000`.execute(db),
  ]);
  const d = dropout.rows[0] ?? { dose1: 0, dose2: 0 };
  return {
    from,
    to,
    dosesPerDay: perDay.rows,
    bySite: bySite.rows,
    byProduct: byProduct.rows,
    coverage: coverage.rows,
    dropout: { ...d, rate: d.dose1 ? Math.round(((d.dose1 - d.dose2) / d.dose1) * 1000) / 1000 : null },
    overdue: overdue.rows,
    stock: stock.rows,
  };
}

/** The dashboard as a workbook: one sheet per table. */
export async function dashboardXlsx(d: Dashboard): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const sheet = (name: string, header: string[], rows: (string | number | null)[][]) => {
    const ws = wb.addWorksheet(name);
    ws.addRow(header).font = { bold: true };
    rows.forEach((r) => ws.addRow(r));
    ws.columns.forEach((c) => (c.width = 20));
  };
  sheet('doses-per-day', ['day', 'doses'], d.dosesPerDay.map((r) => [r.day, r.n]));
  sheet('by-site', ['site', 'doses'], d.bySite.map((r) => [r.siteName, r.n]));
  sheet('by-product', ['product', 'name', 'doses'], d.byProduct.map((r) => [r.productCode, r.productName, r.n]));
  sheet('coverage', ['commune_code', 'commune', 'age_group', 'population', 'at_least_one', 'full'], d.coverage.map((r) => [r.communeCode, r.communeName, r.ageGroup, r.population, r.atLeastOne, r.full]));
  sheet('dropout', ['dose1', 'dose2', 'rate'], [[d.dropout.dose1, d.dropout.dose2, d.dropout.rate]]);
  sheet('overdue', ['full_name', 'dose', 'due_on', 'commune_code'], d.overdue.map((r) => [r.fullName, r.doseNumber, r.dueOn, r.communeCode]));
  sheet('stock', ['site', 'product', 'lot', 'expires_on', 'quantity', 'used', 'wasted', 'left'], d.stock.map((r) => [r.siteName, r.productCode, r.lotNumber, r.expiresOn, r.quantity, r.used, r.wasted, r.left]));
  return Buffer.from(await wb.xlsx.writeBuffer());
}
