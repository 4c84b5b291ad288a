// Home page tile of vaccination: doses given today (and per day) in the caller's area.
import { sql } from 'kysely';
import type { DbOrTx } from '../../platform/db/types';
import { dailyTile, perDay, type SummaryQuery, type SummaryTile } from '../../platform/home';

export async function vaccinationTiles(db: DbOrTx, q: SummaryQuery): Promise<SummaryTile[]> {
  if (!q.user.permissions.has('vaccination.read')) return [];
  const scopeSql = q.scope ? sql`and commune_code = any(${q.scope}::text[])` : sql``;
  const r = await sql<{ day: string; n: number }>`
    select to_char(given_on, 'YYYY-MM-DD') as day, count(*)::int as n from vaccination_doses
    where status = 'valid' and given_on between ${q.days[0]!}::date and ${q.days[q.days.length - 1]!}::date ${scopeSql} group by 1`.execute(db);
  const doses = perDay(q.days, r.rows);
  return [
    dailyTile({
      key: 'vaccination.doses',
      order: 70,
      label: { vi: 'Mũi tiêm', en: 'Vaccine doses' },
      hint: { vi: 'Số mũi vắc xin đã tiêm hôm nay trong địa bàn', en: 'Doses given today in this area' },
      byDay: doses,
      link: '/vaccination',
    }),
  ];
}
