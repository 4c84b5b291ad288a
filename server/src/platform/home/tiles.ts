// Building blocks of home tiles, shared by every module's `summary`: rows counted per local day of the query's
// window, and the two tile shapes (a daily count with its chart; a state such as "open now").
import { sql, type RawBuilder } from 'kysely';
import type { DbOrTx } from '../db/types';
import type { SummaryTile } from './schema';
import type { SummaryQuery } from './index';

/** Counts per local day (rows of { day, n }) spread over `days` (missing days are 0). */
export function perDay(days: readonly string[], rows: readonly { day: string; n: number | string }[]): number[] {
  const by = new Map(rows.map((r) => [r.day, Number(r.n)]));
  return days.map((d) => by.get(d) ?? 0);
}

/**
 * Rows of `from` whose instant `at` falls in the query's days, counted per local day: `counts` names each figure
 * (default one: n = count(*)); `where` narrows (the caller's scope). One statement, one array per figure.
 */
export async function dailyCounts<K extends string = 'n'>(
  db: DbOrTx,
  q: Pick<SummaryQuery, 'days' | 'from' | 'to' | 'timeZone'>,
  o: { from: RawBuilder<unknown>; at: string; where?: RawBuilder<unknown>; counts?: Record<K, RawBuilder<unknown>> },
): Promise<Record<K, number[]>> {
  const at = sql.ref(o.at);
  const counts = (o.counts ?? { n: sql`count(*)` }) as Record<K, RawBuilder<unknown>>;
  const names = Object.keys(counts) as K[];
  const cols = sql.join(names.map((k) => sql`${counts[k]}::int as ${sql.ref(k)}`));
  const r = await sql<Record<string, string | number>>`
    select to_char((${at} at time zone ${q.timeZone})::date, 'YYYY-MM-DD') as day, ${cols}
    from ${o.from}
    where ${at} >= ${q.from} and ${at} < ${q.to} ${o.where ?? sql``}
    group by 1`.execute(db);
  return Object.fromEntries(names.map((k) => [k, perDay(q.days, r.rows.map((x) => ({ day: String(x.day), n: x[k]! })))])) as Record<K, number[]>;
}

type TileHead = Pick<SummaryTile, 'key' | 'order' | 'label' | 'hint' | 'link'>;

/** A daily figure: today's number and the chart of the window; 'attention' when `attention` says so for today. */
export function dailyTile(t: TileHead & { byDay: number[]; attention?: (today: number) => boolean }): SummaryTile {
  const today = t.byDay[t.byDay.length - 1] ?? 0;
  return { key: t.key, order: t.order, label: t.label, hint: t.hint, today, byDay: t.byDay, link: t.link, tone: t.attention?.(today) ? 'attention' : 'normal' };
}

/** A state (open work items, people under monitoring now): one number, no chart. */
export function stateTile(t: TileHead & { value: number; attention?: (value: number) => boolean }): SummaryTile {
  return { key: t.key, order: t.order, label: t.label, hint: t.hint, today: t.value, byDay: null, link: t.link, tone: t.attention?.(t.value) ? 'attention' : 'normal' };
}

export const whenAny = (n: number) => n > 0;
