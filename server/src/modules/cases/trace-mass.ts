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
 * The people at each of a case's mass exposures (venue, window: check-ins by check-out, else the venue's default
 * stay; venue declarations) who are not listed (the case's person and contacts, `listed`): one statement, counting
 * in the index, nothing read back but the numbers.
 */
export async function countPeople(db: DbOrTx, mass: MassExposure[], listed: string[]): Promise<MassExposure[]> {
  if (!mass.length) return mass;
  const r = await sql<{ i: number; n: number }>`
    select w.i::int as i, (
      select count(distinct x.p)::int from (
        select c.person_id as p from checkins c
        where c.venue_id = w.v and c.checkin_at >= w.a - interval '12 hours' and c.checkin_at < w.b
          and coalesce(c.checkout_at, c.auto_checkout_at) > w.a
        union all
        select d.subject_person_id from declarations d join venues v on v.id = d.venue_id
        where d.venue_id = w.v and d.submitted_at >= w.a - interval '12 hours' and d.submitted_at < w.b
          and d.submitted_at + make_interval(mins => v.default_stay_minutes) > w.a
      ) x where x.p not in (select unnest(${listed}::uuid[]))) as n
    from unnest(${mass.map((_, i) => i)}::int[], ${mass.map((m) => m.venueId)}::uuid[], ${mass.map((m) => m.from.toISOString())}::timestamptz[], ${mass.map((m) => m.to.toISOString())}::timestamptz[]) as w(i, v, a, b)`.execute(db);
  for (const x of r.rows) mass[x.i]!.peopleCount = x.n;
  return mass;
}
