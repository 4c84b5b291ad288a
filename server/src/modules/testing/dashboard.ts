// Testing figures for an area and a range of collection days: tubes and people per day and commune, 7-day
// positivity (positive tubes among tubes with a result, collected in the 7 days ending that day), turnaround from
// collection to the first result (p50/p90 hours), open retest/resample tasks now, pool sizes; and the same as Excel.
import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import type { JurisdictionResolver } from '../../platform/auth/jurisdiction';
import type { DbOrTx } from '../../platform/db/types';
import { invalidField } from '../../platform/http/errors';
import { addDays, localDay } from '../../platform/time';
import type { Dashboard, DashboardQuery } from './schema';

const MAX_DAYS = 366;

export async function dashboard(db: DbOrTx, resolver: JurisdictionResolver, scope: string[] | null, q: DashboardQuery, o: { now: Date; timeZone: string }): Promise<Dashboard> {
  const to = q.to ?? localDay(o.now, o.timeZone);
  const from = q.from ?? addDays(to, -13);
  if (from > to) throw invalidField('querystring.from', 'is after querystring.to');
  if (addDays(from, MAX_DAYS) < to) throw invalidField('querystring.from', `the range is longer than ${MAX_DAYS} days`);
  const inScope = scope ? sql`and s.commune_code = any(${scope.length ? scope : ['-']}::text[])` : sql``;
  const inTaskScope = scope ? sql`and t.commune_code = any(${scope.length ? scope : ['-']}::text[])` : sql``;
  const [perDay, daily, turnaround, tasks, pools] = await Promise.all([
    sql<{ day: string; unit_code: string; tubes: number; people: number; positive: number; negative: number; invalid: number; waiting: number }>`
      select s.collected_on::text as day, s.commune_code as unit_code, count(*)::int as tubes, sum(s.pool_size)::int as people,
        count(*) filter (where s.result = 'positive')::int as positive, count(*) filter (where s.result = 'negative')::int as negative,
        count(*) filter (where s.result = 'invalid')::int as invalid, count(*) filter (where s.result is null)::int as waiting
      from samples s where s.collected_on between ${from}::date and ${to}::date ${inScope}
      group by 1, 2 order by 1, 2`.execute(db),
    sql<{ day: string; resulted: number; positive: number }>`
      select s.collected_on::text as day, count(*) filter (where s.result in ('positive', 'negative'))::int as resulted,
        count(*) filter (where s.result = 'positive')::int as positive
      from samples s where s.collected_on between ${addDays(from, -6)}::date and ${to}::date ${inScope} group by 1`.execute(db),
    sql<{ n: number; p50: number | null; p90: number | null }>`
      select count(*)::int as n,
        percentile_cont(0.5) within group (order by h) as p50, percentile_cont(0.9) within group (order by h) as p90
      from (select extract(epoch from (r.resulted_at - s.collected_at)) / 3600.0 as h
            from samples s join test_results r on r.sample_id = s.id and r.replaces_id is null
            where s.collected_on between ${from}::date and ${to}::date ${inScope}) x`.execute(db),
    sql<{ kind: string; n: number }>`select t.kind, count(*)::int as n from testing_tasks t where t.status = 'open' ${inTaskScope} group by 1`.execute(db),
    sql<{ size: number; tubes: number }>`
      select s.pool_size as size, count(*)::int as tubes from samples s where s.collected_on between ${from}::date and ${to}::date ${inScope} group by 1 order by 1`.execute(db),
  ]);
  const names = new Map<string, string>();
  for (const c of new Set(perDay.rows.map((r) => r.unit_code))) names.set(c, (await resolver.unit(c))?.name ?? c);
  const byDay = new Map(daily.rows.map((r) => [r.day, r]));
  const positivity: Dashboard['positivity'] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) {
    let resulted = 0;
    let positive = 0;
    for (let k = 0; k < 7; k++) {
      const r = byDay.get(addDays(d, -k));
      resulted += r?.resulted ?? 0;
      positive += r?.positive ?? 0;
    }
    positivity.push({ day: d, resulted, positive, rate: resulted ? positive / resulted : null });
  }
  const t = turnaround.rows[0];
  const round = (x: number | null | undefined) => (x === null || x === undefined ? null : Math.round(Number(x) * 10) / 10);
  return {
    from,
    to,
    perDay: perDay.rows.map((r) => ({ day: r.day, unitCode: r.unit_code, unitName: names.get(r.unit_code) ?? r.unit_code, tubes: r.tubes, people: r.people, positive: r.positive, negative: r.negative, invalid: r.invalid, waiting: r.waiting })),
    positivity,
    turnaround: { n: t?.n ?? 0, p50Hours: round(t?.p50), p90Hours: round(t?.p90) },
    openRetests: tasks.rows.find((r) => r.kind === 'retest')?.n ?? 0,
    openResamples: tasks.rows.find((r) => r.kind === 'resample')?.n ?? 0,
    poolSizes: pools.rows.map((r) => ({ size: r.size, tubes: r.tubes })),
  };
}

export async function dashboardXlsx(d: Dashboard): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Vigil';
  const days = wb.addWorksheet('Theo ngày');
  days.columns = [
    { header: 'Ngày lấy mẫu', key: 'day', width: 14 },
    { header: 'Mã đơn vị', key: 'unitCode', width: 12 },
    { header: 'Đơn vị', key: 'unitName', width: 28 },
    { header: 'Số ống', key: 'tubes', width: 10 },
    { header: 'Số người', key: 'people', width: 10 },
    { header: 'Dương tính', key: 'positive', width: 12 },
    { header: 'Âm tính', key: 'negative', width: 10 },
    { header: 'Không đạt', key: 'invalid', width: 10 },
    { header: 'Chờ kết quả', key: 'waiting', width: 12 },
  ];
  d.perDay.forEach((r) => days.addRow(r));
  const pos = wb.addWorksheet('Tỷ lệ dương tính 7 ngày');
  pos.columns = [
    { header: 'Ngày', key: 'day', width: 14 },
    { header: 'Ống có kết quả (7 ngày)', key: 'resulted', width: 22 },
    { header: 'Ống dương tính (7 ngày)', key: 'positive', width: 22 },
    { header: 'Tỷ lệ', key: 'rate', width: 10, style: { numFmt: '0.00%' } },
  ];
  d.positivity.forEach((r) => pos.addRow(r));
  const sum = wb.addWorksheet('Tóm tắt');
  sum.columns = [{ header: 'Chỉ số', key: 'k', width: 40 }, { header: 'Giá trị', key: 'v', width: 16 }];
  sum.addRows([
    { k: 'Từ ngày', v: d.from },
    { k: 'Đến ngày', v: d.to },
    { k: 'Thời gian trả kết quả p50 (giờ)', v: d.turnaround.p50Hours },
    { k: 'Thời gian trả kết quả p90 (giờ)', v: d.turnaround.p90Hours },
    { k: 'Số ống có kết quả (tính thời gian)', v: d.turnaround.n },
    { k: 'Yêu cầu xét nghiệm lại đang mở', v: d.openRetests },
    { k: 'Yêu cầu lấy mẫu lại đang mở', v: d.openResamples },
    ...d.poolSizes.map((p) => ({ k: `Ống gộp ${p.size} người`, v: p.tubes })),
  ]);
  for (const ws of [days, pos, sum]) ws.getRow(1).font = { bold: true };
  return Buffer.from(await wb.xlsx.writeBuffer());
}
