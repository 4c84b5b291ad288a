// Home page tile of check-ins: check-ins at venues in the area today and per day.
import { sql } from 'kysely';
import type { DbOrTx } from '../../platform/db/types';
import { dailyCounts, dailyTile, type SummaryQuery, type SummaryTile } from '../../platform/home';

export async function checkinTiles(db: DbOrTx, q: SummaryQuery): Promise<SummaryTile[]> {
  if (!q.user.permissions.has('checkins.read')) return [];
  const scopeSql = q.scope ? sql`and v.commune_code = any(${q.scope}::text[])` : sql``;
  const counts = await dailyCounts(db, q, { from: sql`checkins c join venues v on v.id = c.venue_id`, at: 'c.checkin_at', where: scopeSql });
  return [
    dailyTile({
      key: 'checkins',
      order: 10,
      label: { vi: 'Lượt quét QR', en: 'Check-ins' },
      hint: { vi: 'Lượt vào các địa điểm trong địa bàn hôm nay', en: 'Check-ins at venues in this area today' },
      byDay: counts.n,
      link: '/checkins',
    }),
  ];
}
