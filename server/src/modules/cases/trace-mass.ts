// The mass-exposure rule's output: a case's crowded stays merged into venue windows, and the people there not listed.
import { sql } from 'kysely';
import type { DbOrTx } from '../../platform/db/types';
import { byCode, type CrowdedStay, type MassExposure } from './trace-types';

/** One case's crowded stays as mass exposures: per level and venue, merged where they overlap or touch. */
export function massWindows(stays: (CrowdedStay & { level: number; personId: string })[]): MassExposure[] {
  const out: (MassExposure & { who: Set<string> })[] = [];
  const sorted = [...stays].sort((a, b) => a.level - b.level || byCode(a.venueId, b.venueId) || a.from.getTime() - b.from.getTime());
  let cur: (MassExposure & { who: Set<string> }) | null = null;
  for (const s of sorted) {
    if (cur && cur.level === s.level && cur.venueId === s.venueId && s.from <= cur.to) {
      if (s.to > cur.to) cur.to = s.to;
      cur.who.add(s.personId);
      continue;
    }
    if (cur) out.push(cur);
    cur = { level: s.level, venueId: s.venueId, venueCode: s.venueCode, venueName: s.venueName, from: s.from, to: s.to, sourcesCount: 0, peopleCount: 0, who: new Set([s.personId]) };
  }
  if (cur) out.push(cur);
  return out.map(({ who, ...m }) => ({ ...m, sourcesCount: who.size }));
}

/**
 * The people at each mass exposure of each case (venue, window: check-ins by check-out, else the venue's default stay;
 * venue declarations) who are not listed for that case (its person and contacts, `listed`): one statement for all the
 * cases traced together (a bulk chunk: one plan, not one per case), counting in the index, nothing read back but the
 * numbers. Sets each window's peopleCount.
 */
export async function countPeople(db: DbOrTx, cases: { mass: MassExposure[]; listed: string[] }[]): Promise<void> {
  const q = countPeopleQuery(cases);
  if (!q) return;
  const all = cases.flatMap((c) => c.mass);
  for (const x of (await q.execute(db)).rows) all[x.i]!.peopleCount = x.n;
}

/** The statement behind countPeople (null: no window), exported for bench/_trace-profile.ts. */
export function countPeopleQuery(cases: { mass: MassExposure[]; listed: string[] }[]) {
  const w = cases.flatMap((c, g) => c.mass.map((m) => ({ g, m })));
  if (!w.length) return null;
  const lg = cases.flatMap((c, g) => c.listed.map(() => g));
  const lp = cases.flatMap((c) => c.listed);
  return sql<{ i: number; n: number }>`
    select w.i::int as i, (
      select count(distinct x.p)::int from (
        select c.person_id as p from checkins c
        where c.venue_id = w.v and c.checkin_at >= w.a - interval '12 hours' and c.checkin_at < w.b
          and coalesce(c.checkout_at, c.auto_checkout_at) > w.a
        union all
        select d.subject_person_id from declarations d join venues v on v.id = d.venue_id
        where d.venue_id = w.v and d.submitted_at >= w.a - interval '12 hours' and d.submitted_at < w.b
          and d.submitted_at + make_interval(mins => v.default_stay_minutes) > w.a
      ) x where (w.g, x.p) not in (select * from unnest(${lg}::int[], ${lp}::uuid[]))) as n
    from unnest(${w.map((_, i) => i)}::int[], ${w.map((x) => x.g)}::int[], ${w.map((x) => x.m.venueId)}::uuid[], ${w.map((x) => x.m.from.toISOString())}::timestamptz[], ${w.map((x) => x.m.to.toISOString())}::timestamptz[]) as w(i, g, v, a, b)`;
}
