// Home page tiles of health declarations: declared and flagged today (and per day), open work items now.
import { sql } from 'kysely';
import type { DbOrTx } from '../../platform/db/types';
import { perDay, type SummaryQuery, type SummaryTile } from '../../platform/home';
import { ACTIVE_STATUSES } from './workflow';

export async function declarationTiles(db: DbOrTx, q: SummaryQuery): Promise<SummaryTile[]> {
  if (!q.user.permissions.has('declarations.read')) return [];
  const scopeSql = q.scope ? sql`and responsible_unit_code = any(${q.scope}::text[])` : sql``;
  const [daily, open] = await Promise.all([
    sql<{ day: string; n: number; flagged: number }>`
      select to_char((submitted_at at time zone ${q.timeZone})::date, 'YYYY-MM-DD') as day,
             count(*)::int as n, count(*) filter (where flagged)::int as flagged
      from declarations
      where submitted_at >= ${q.from} and submitted_at < ${q.to} ${scopeSql}
      group by 1`.execute(db),
    sql<{ n: number }>`
      select count(*)::int as n from declarations
      where flagged and status = any(${[...ACTIVE_STATUSES]}::text[]) ${scopeSql}`.execute(db),
  ]);
  const declared = perDay(q.days, daily.rows);
  const flagged = perDay(q.days, daily.rows.map((r) => ({ day: r.day, n: r.flagged })));
  const openNow = open.rows[0]?.n ?? 0;
  return [
    {
      key: 'declarations',
      order: 20,
      label: { vi: 'Tờ khai y tế', en: 'Health declarations' },
      hint: { vi: 'Khai báo hôm nay, do đơn vị trong địa bàn theo dõi', en: 'Declared today, followed up in this area' },
      today: declared[declared.length - 1] ?? 0,
      byDay: declared,
      link: '/declarations',
      tone: 'normal',
    },
    {
      key: 'declarations.flagged',
      order: 30,
      label: { vi: 'Tờ khai có nguy cơ', en: 'Flagged declarations' },
      hint: { vi: 'Bị quy tắc nguy cơ gắn cờ hôm nay', en: 'Flagged by a risk rule today' },
      today: flagged[flagged.length - 1] ?? 0,
      byDay: flagged,
      link: '/declarations',
      tone: (flagged[flagged.length - 1] ?? 0) > 0 ? 'attention' : 'normal',
    },
    {
      key: 'declarations.open',
      order: 40,
      label: { vi: 'Việc cần xử lý', en: 'Open work items' },
      hint: { vi: 'Tờ khai có nguy cơ chưa kết thúc theo dõi (mọi ngày)', en: 'Flagged declarations not yet cleared (any day)' },
      today: openNow,
      byDay: null,
      link: '/declarations',
      tone: openNow > 0 ? 'attention' : 'normal',
    },
  ];
}
