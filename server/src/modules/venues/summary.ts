// Home page tile of check-ins: check-ins at venues in the area today and per day.
import { sql } from 'kysely';
import type { DbOrTx } from '../../platform/db/types';
import { perDay, type SummaryQuery, type SummaryTile } from '../../platform/home';

export async function checkinTiles(db: DbOrTx, q: SummaryQuery): Promise<SummaryTile[]> {
  if (!q.user.permissions.has('checkins.read')) return [];
  const scopeSql = q.scope ? sql`and v.commune_code = any(${q.scope}::text[])` : sql``;
  const r = await sql<{ day: string; n: number }>`
    select to_char((c.checkin_at at time zone ${q.timeZone})::date, 'YYYY-MM-DD') as day, count(*)::int as n
    from checkins c join venues v on v.id = c.venue_id
    where c.checkin_at >= ${q.from} and c.checkin_at < ${q.to} ${scopeSql}
    group by 1`.execute(db);
  const byDay = perDay(q.days, r.rows);
  return [
    {
      key: 'checkins',
      order: 10,
      label: { vi: 'Lượt quét QR', en: 'Check-ins' },
      hint: { vi: 'Lượt vào các địa điểm trong địa bàn hôm nay', en: 'Check-ins at venues in this area today' },
      today: byDay[byDay.length - 1] ?? 0,
      byDay,
      link: '/checkins',
      tone: 'normal',
    },
  ];
}
