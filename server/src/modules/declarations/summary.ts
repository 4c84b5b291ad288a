// Home page tiles of health declarations: declared and flagged today (and per day), open work items now.
import { sql } from 'kysely';
import type { DbOrTx } from '../../platform/db/types';
import { dailyCounts, dailyTile, stateTile, whenAny, type SummaryQuery, type SummaryTile } from '../../platform/home';
import { ACTIVE_STATUSES } from './workflow';

export async function declarationTiles(db: DbOrTx, q: SummaryQuery): Promise<SummaryTile[]> {
  if (!q.user.permissions.has('declarations.read')) return [];
  const scopeSql = q.scope ? sql`and responsible_unit_code = any(${q.scope}::text[])` : sql``;
  const [daily, open] = await Promise.all([
    dailyCounts(db, q, { from: sql`declarations`, at: 'submitted_at', where: scopeSql, counts: { n: sql`count(*)`, flagged: sql`count(*) filter (where flagged)` } }),
    sql<{ n: number }>`
      select count(*)::int as n from declarations
      where flagged and status = any(${[...ACTIVE_STATUSES]}::text[]) ${scopeSql}`.execute(db),
  ]);
  return [
    dailyTile({
      key: 'declarations',
      order: 20,
      label: { vi: 'Tờ khai y tế', en: 'Health declarations' },
      hint: { vi: 'Khai báo hôm nay, do đơn vị trong địa bàn theo dõi', en: 'Declared today, followed up in this area' },
      byDay: daily.n,
      link: '/declarations',
    }),
    dailyTile({
      key: 'declarations.flagged',
      order: 30,
      label: { vi: 'Tờ khai có nguy cơ', en: 'Flagged declarations' },
      hint: { vi: 'Bị quy tắc nguy cơ gắn cờ hôm nay', en: 'Flagged by a risk rule today' },
      byDay: daily.flagged,
      link: '/declarations',
      attention: whenAny,
    }),
    stateTile({
      key: 'declarations.open',
      order: 40,
      label: { vi: 'Việc cần xử lý', en: 'Open work items' },
      hint: { vi: 'Tờ khai có nguy cơ chưa kết thúc theo dõi (mọi ngày)', en: 'Flagged declarations not yet cleared (any day)' },
      value: open.rows[0]?.n ?? 0,
      link: '/declarations',
      attention: whenAny,
    }),
  ];
}
