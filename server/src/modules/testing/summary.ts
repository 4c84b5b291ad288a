// Home page tiles: tubes collected per day in the caller's area, and open retest tasks now.
import { sql } from 'kysely';
import type { DbOrTx } from '../../platform/db/types';
import { dailyCounts, dailyTile, stateTile, whenAny, type SummaryQuery, type SummaryTile } from '../../platform/home';

export async function testingTiles(db: DbOrTx, q: SummaryQuery): Promise<SummaryTile[]> {
  if (!q.user.permissions.has('testing.read')) return [];
  const inScope = q.scope ? sql`and s.commune_code = any(${q.scope}::text[])` : sql``;
  const inTasks = q.scope ? sql`and t.commune_code = any(${q.scope}::text[])` : sql``;
  const [tubes, retests] = await Promise.all([
    dailyCounts(db, q, { from: sql`samples s`, at: 's.collected_at', where: inScope }),
    sql<{ n: number }>`select count(*)::int as n from testing_tasks t where t.status = 'open' and t.kind = 'retest' ${inTasks}`.execute(db),
  ]);
  return [
    dailyTile({
      key: 'testing.tubes',
      order: 60,
      label: { vi: 'Ống mẫu xét nghiệm', en: 'Test tubes collected' },
      hint: { vi: 'Ống mẫu lấy trong địa bàn hôm nay (mẫu gộp tính một ống)', en: 'Tubes collected in this area today (a pool counts once)' },
      byDay: tubes.n,
      link: '/testing',
    }),
    stateTile({
      key: 'testing.retests',
      order: 61,
      label: { vi: 'Cần xét nghiệm lại', en: 'Retests to do' },
      hint: { vi: 'Người trong mẫu gộp dương tính chưa được lấy mẫu đơn', en: 'People of positive pools not yet retested individually' },
      value: retests.rows[0]?.n ?? 0,
      link: '/testing/tasks',
      attention: whenAny,
    }),
  ];
}
