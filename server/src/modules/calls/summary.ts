// Home page tiles of the calls module: people reached by robot calls per day in the area, and symptomatic answers
// per day (attention when there are any today).
import { sql } from 'kysely';
import type { DbOrTx } from '../../platform/db/types';
import { dailyTile, perDay, whenAny, type SummaryQuery, type SummaryTile } from '../../platform/home';

export async function callTiles(db: DbOrTx, q: SummaryQuery): Promise<SummaryTile[]> {
  if (!q.user.permissions.has('calls.read')) return [];
  const first = q.days[0]!;
  const last = q.days[q.days.length - 1]!;
  const [reached, sick] = await Promise.all([
    sql<{ day: string; n: number }>`
      select to_char(day, 'YYYY-MM-DD') as day, count(*)::int as n from call_daily
      where day >= ${first}::date and day <= ${last}::date and status = 'completed'
        and (${q.scope}::text[] is null or unit_code = any(${q.scope}::text[])) group by 1`.execute(db),
    sql<{ day: string; n: number }>`
      select to_char(day, 'YYYY-MM-DD') as day, count(*)::int as n from call_flags
      where day >= ${first}::date and day <= ${last}::date and kind = 'symptomatic'
        and (${q.scope}::text[] is null or unit_code = any(${q.scope}::text[])) group by 1`.execute(db),
  ]);
  const r = perDay(q.days, reached.rows);
  const s = perDay(q.days, sick.rows);
  return [
    dailyTile({
      key: 'calls.reached',
      order: 60,
      label: { vi: 'Liên lạc được qua gọi tự động', en: 'Reached by robot calls' },
      hint: { vi: 'Người trả lời khảo sát sức khỏe hôm nay (gọi đi, đường dây nóng, SMS)', en: 'People who answered the health survey today (calls, hotline, SMS)' },
      byDay: r,
      link: '/calls',
    }),
    dailyTile({
      key: 'calls.symptomatic',
      order: 61,
      label: { vi: 'Báo triệu chứng qua gọi tự động', en: 'Symptoms reported on robot calls' },
      hint: { vi: 'Người báo có triệu chứng hôm nay: xem danh sách', en: 'People reporting symptoms today: see the list' },
      byDay: s,
      link: '/calls/lists?kind=symptomatic',
      attention: whenAny,
    }),
  ];
}
