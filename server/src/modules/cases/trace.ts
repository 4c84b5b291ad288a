// The tracing engine: who overlapped a case's stays (F1), who overlapped the F1s' stays from their exposure on (F2),
// and deeper on request; household members count at each level. The same engine serves the background job
// (case.confirmed), `vigil trace` and the benchmark.
//
// Reads check-ins (venues module), venue declarations (declarations module), venues and household links (people
// module) through SQL only, never writes them. Every scan of `checkins` is a bounded range on (venue_id,
// checkin_at) or (person_id, checkin_at): a stay is capped at 12 h (auto_checkout_at ≤ checkin_at + 12 h), so every
// stay overlapping [a, b) starts in [a − 12 h, b). The sources' own stays also carry constant bounds on checkin_at
// (plan-time pruning of a checkins table partitioned by day); the venue scans are parameterized per stay (run-time
// pruning per loop): constant bounds there made the planner read a venue's whole window instead of the stay's
// 12 h (4× slower in the bench), so they are left out on purpose. One statement per level for all the sources of that
// level (set-based): F2 of fifty F1s is one join, not fifty.
import { sql } from 'kysely';
import type { DbOrTx } from '../../platform/db/types';

/** Maximum length of one stay (the venues module caps stays at 12 h). */
export const STAY_CAP_MS = 12 * 3600_000;

export type ExposureVia = 'checkin' | 'declaration' | 'household';

export interface TraceSource {
  personId: string;
  /** the source's infectious window [from, to) */
  from: Date;
  to: Date;
}

export interface VenueHit {
  /** the source (F0, or the contact of the level above) this exposure was to */
  sourcePersonId: string;
  personId: string;
  venueId: string;
  venueCode: string;
  venueName: string;
  via: 'checkin' | 'declaration';
  from: Date;
  to: Date;
  overlapMinutes: number;
}

/**
 * Every stay of another person that overlapped a source's presence at a venue (its stays inside its window, merged
 * where they overlap or touch): one hit per stay of the contact and visit of each source, so a person who met two
 * F1s at a venue has two exposures, each with its own overlap. The scan reads each island of presence of all the
 * sources at a venue once; the split per source is a second, set-based step (migration 0002).
 * Open stays end at the venue's default stay (fixed at check-in as auto_checkout_at); a stay also ends at the
 * person's next check-in elsewhere (as in the checkin_stays view). Venue declarations are stays of the venue's
 * default length from the moment of declaring. Touching stays (one ends when the other begins) do not overlap.
 */
export async function venueContacts(db: DbOrTx, sources: TraceSource[], minOverlapMinutes = 0): Promise<VenueHit[]> {
  if (!sources.length) return [];
  const r = await venueContactsQuery(sources, minOverlapMinutes).execute(db);
  return r.rows.map((x) => ({
    sourcePersonId: x.src,
    personId: x.person_id,
    venueId: x.venue_id,
    venueCode: x.venue_code,
    venueName: x.venue_name,
    via: x.via,
    from: x.f,
    to: x.t,
    overlapMinutes: overlapMinutes(x.f, x.t),
  }));
}

/**
 * The statement behind venueContacts: the PL/pgSQL function cases_venue_contacts (migration 0001), so its plan is
 * prepared once per connection (planning it cost more than running it for a typical F1).
 */
export function venueContactsQuery(sources: TraceSource[], minOverlapMinutes = 0) {
  const ids = sources.map((s) => s.personId);
  const froms = sources.map((s) => s.from.toISOString());
  const tos = sources.map((s) => s.to.toISOString());
  const minOverlap = Math.max(0, Math.floor(minOverlapMinutes));
  return sql<{
    src: string;
    person_id: string;
    venue_id: string;
    venue_code: string;
    venue_name: string;
    via: 'checkin' | 'declaration';
    f: Date;
    t: Date;
  }>`select * from cases_venue_contacts(${ids}::uuid[], ${froms}::timestamptz[], ${tos}::timestamptz[], ${minOverlap}::int)`;
}

/** Minutes between two instants, at least 1 for any real overlap (30 s of overlap is not "0 minutes"). */
export const overlapMinutes = (f: Date, t: Date) => Math.max(1, Math.round((t.getTime() - f.getTime()) / 60_000));

/**
 * Household members of each person: the people they manage (dependants), their managers, and the other
 * dependants of their managers (a family registered under one parent's phone).
 */
export async function householdPairs(db: DbOrTx, personIds: string[]): Promise<{ sourcePersonId: string; personId: string }[]> {
  if (!personIds.length) return [];
  const r = await sql<{ src: string; member: string }>`
    with src as (select unnest(${personIds}::uuid[]) as id)
    select distinct src, member from (
      select s.id as src, l.dependant_id as member from src s join person_links l on l.manager_id = s.id
      union all
      select s.id, l.manager_id from src s join person_links l on l.dependant_id = s.id
      union all
      select s.id, l2.dependant_id from src s join person_links l1 on l1.dependant_id = s.id
        join person_links l2 on l2.manager_id = l1.manager_id
    ) x
    join persons p on p.id = x.member and p.merged_into is null
    where member <> src
  `.execute(db);
  return r.rows.map((x) => ({ sourcePersonId: x.src, personId: x.member }));
}

export interface TracedExposure {
  kind: 'venue' | 'household';
  via: ExposureVia;
  venueId: string | null;
  venueCode: string | null;
  venueName: string | null;
  from: Date;
  to: Date;
  overlapMinutes: number | null;
  /** the F0 (level 1) or the contact of the level above it was exposed to: one exposure per source */
  sourcePersonId: string;
}

export interface TracedContact {
  personId: string;
  level: number;
  /** for level ≥ 2: the contact of the level above of the earliest exposure (every exposure names its own) */
  viaPersonId: string | null;
  exposures: TracedExposure[];
}

export interface TraceInput {
  /** the case's person */
  personId: string;
  /** the infectious window */
  from: Date;
  to: Date;
  /** "now": the F(n≥2) windows run from each contact's first exposure until this instant */
  at: Date;
  levels: number;
  minOverlapMinutes: number;
  /** people never listed as contacts (e.g. the case's own person, other cases' persons are still listed) */
  exclude?: Iterable<string>;
}

/**
 * Trace a case: level 1 from the case's window, level n from the contacts of level n−1 (each from its first
 * exposure until `at`). One row per person, at the lowest level found; a person found again at the same level
 * through another source keeps every exposure.
 */
export async function traceCase(db: DbOrTx, input: TraceInput): Promise<TracedContact[]> {
  const found = new Map<string, TracedContact>();
  const excluded = new Set([input.personId, ...(input.exclude ?? [])]);
  let sources: TraceSource[] = [{ personId: input.personId, from: input.from, to: input.to }];
  for (let level = 1; level <= input.levels && sources.length; level++) {
    const [hits, house] = await Promise.all([venueContacts(db, sources, input.minOverlapMinutes), householdPairs(db, sources.map((s) => s.personId))]);
    const windowOf = new Map(sources.map((s) => [s.personId, s]));
    const add = (personId: string, e: TracedExposure) => {
      if (excluded.has(personId)) return;
      let c = found.get(personId);
      if (!c) {
        c = { personId, level, viaPersonId: level > 1 ? e.sourcePersonId : null, exposures: [] };
        found.set(personId, c);
      }
      if (c.level !== level) return; // already a contact of a lower level
      c.exposures.push(e);
    };
    for (const h of hits)
      add(h.personId, {
        kind: 'venue',
        via: h.via,
        venueId: h.venueId,
        venueCode: h.venueCode,
        venueName: h.venueName,
        from: h.from,
        to: h.to,
        overlapMinutes: h.overlapMinutes,
        sourcePersonId: h.sourcePersonId,
      });
    for (const p of house) {
      const w = windowOf.get(p.sourcePersonId)!;
      add(p.personId, { kind: 'household', via: 'household', venueId: null, venueCode: null, venueName: null, from: w.from, to: w.to, overlapMinutes: null, sourcePersonId: p.sourcePersonId });
    }
    const thisLevel = [...found.values()].filter((c) => c.level === level);
    for (const c of thisLevel) {
      c.exposures.sort((a, b) => a.from.getTime() - b.from.getTime() || (a.venueCode ?? '').localeCompare(b.venueCode ?? '') || a.sourcePersonId.localeCompare(b.sourcePersonId));
      if (level > 1) c.viaPersonId = c.exposures[0]!.sourcePersonId;
    }
    // the next level: each contact from its first exposure on, until `at`
    sources = thisLevel
      .map((c) => ({ personId: c.personId, from: c.exposures[0]!.from, to: input.at }))
      .filter((s) => s.to > s.from);
  }
  return [...found.values()].sort((a, b) => a.level - b.level || a.personId.localeCompare(b.personId));
}

/** The last instant of exposure of a contact (end of its latest exposure). */
export const lastExposure = (c: TracedContact) => new Date(Math.max(...c.exposures.map((e) => e.to.getTime())));
export const firstExposure = (c: TracedContact) => new Date(Math.min(...c.exposures.map((e) => e.from.getTime())));
