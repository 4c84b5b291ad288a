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
// level (set-based): F2 of fifty F1s is one statement, not fifty. Inside it, each source's stays and each island of
// the sources' presence at a venue are LATERAL range scans (a hash join read every check-in of the window when there
// were hundreds of F1s), and the pairing of contacts with the sources present during their stay is a sorted sweep
// here (splitHits), not a join that compares every hit with every source at a popular venue.
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
  /** minimum overlap for exposures to this source (else venueContacts' argument) */
  minOverlapMinutes?: number;
}

export interface VenueHit {
  /** the source of the longest overlap during this stay (ties: the first to overlap, then the lowest id) */
  sourcePersonId: string;
  /** its position in the sources given */
  sourceIndex: number;
  /** how many sources of the same group (one case's) were present during the stay, each by at least the minimum */
  sourcesCount: number;
  personId: string;
  venueId: string;
  venueCode: string;
  venueName: string;
  via: 'checkin' | 'declaration';
  /** from the first to the last moment a source was present during the stay */
  from: Date;
  to: Date;
  /** the overlap with sourcePersonId */
  overlapMinutes: number;
}

/**
 * Every stay of another person that overlapped a source's presence at a venue (its stays inside its window, merged
 * where they overlap or touch): one hit per stay of the contact and group of sources (one case's), naming how many
 * sources were there and the one of the longest overlap, not one hit per source: at a market where 3,000 F1s passed
 * an F2's morning there is one exposure, "with 3,000 F1s" (the list is read on demand, cases/sources.ts).
 * The SQL reads each island of presence of all the sources at a venue once (a range scan per island) and returns the
 * sources' spans and the contacts' stays; splitHits pairs them here.
 * Open stays end at the venue's default stay (fixed at check-in as auto_checkout_at); a stay also ends at the
 * person's next check-in elsewhere (as in the checkin_stays view). Venue declarations are stays of the venue's
 * default length from the moment of declaring. Touching stays (one ends when the other begins) do not overlap.
 */
export async function venueContacts(db: DbOrTx, sources: TraceSource[], minOverlapMinutes = 0, known?: KnownOf, groupOf?: GroupOf, parts = partsFor(sources.length)): Promise<VenueHit[]> {
  return (await venueContactsAndCrowds(db, sources, { minOverlapMinutes, known, groupOf, parts })).hits;
}

/** A source's stay that the mass-exposure rule kept from being listed: more than the threshold of people were there. */
export interface CrowdedStay {
  sourceIndex: number;
  venueId: string;
  venueCode: string;
  venueName: string;
  from: Date;
  to: Date;
  /** the people counted during the stay (the count stops at threshold + 1) */
  people: number;
}

/**
 * venueContacts with the mass-exposure rule: with `crowd` > 0, a source's stay during which more than `crowd` other
 * people were at the venue is not read (nobody there is listed through it) and comes back among `crowded`.
 */
export async function venueContactsAndCrowds(
  db: DbOrTx,
  sources: TraceSource[],
  o: { minOverlapMinutes?: number; known?: KnownOf; groupOf?: GroupOf; parts?: number; crowd?: number } = {},
): Promise<{ hits: VenueHit[]; crowded: CrowdedStay[] }> {
  if (!sources.length) return { hits: [], crowded: [] };
  const parts = o.parts ?? partsFor(sources.length);
  // many sources: the venues split in `parts` statements run side by side (each on its own pooled connection; in a
  // transaction they queue on its one), each reading the islands of its own venues
  const rs = await Promise.all(Array.from({ length: parts }, (_, i) => venueContactsQuery(sources, i, parts, o.crowd ?? 0).execute(db)));
  const rows = rs.length === 1 ? rs[0]!.rows : rs.flatMap((r) => r.rows);
  const crowded: CrowdedStay[] = [];
  for (const r of rows)
    if (r.kind === 'm')
      crowded.push({ sourceIndex: r.src! - 1, venueId: r.venue_id, venueCode: r.venue_code ?? '', venueName: r.venue_name ?? '', from: new Date(Math.round(r.f)), to: new Date(Math.round(r.t)), people: r.n ?? 0 });
  return { hits: splitHits(rows, sources, o.minOverlapMinutes ?? 0, o.known, o.groupOf), crowded };
}

/**
 * Parallel statements for a level with this many sources: 1 up to PARALLEL_FROM sources (an F1, a typical F2: one
 * statement is cheapest), else TRACE_PARTS (each part repeats the sources' own stays, a small share at that size).
 */
export const PARALLEL_FROM = 300;
export const TRACE_PARTS = 2;
export const partsFor = (n: number) => (n >= PARALLEL_FROM ? TRACE_PARTS : 1);

/**
 * People already known to the trace a source belongs to (its case's person, contacts of lower levels, the other
 * sources of its level): no exposure to that source is made for them. At a venue where hundreds of F1s met, pairing
 * every F1 with every other F1 only to drop the pairs cost more than the rest of the F2.
 */
export type KnownOf = (sourceIndex: number) => ReadonlySet<string>;
/** Sources counted apart (a bulk run traces many cases per statement): one number per case. Default: one group. */
export type GroupOf = (sourceIndex: number) => number;

/**
 * A row of cases_venue_contacts: a source's span ('s'), a contact's stay ('h') or a source's span kept from being read
 * by the mass-exposure rule ('m', with n: the people counted there); times in epoch milliseconds.
 */
export interface IslandRow {
  kind: 's' | 'h' | 'm';
  /** a span's source: its position (from 1) in the sources given */
  src: number | null;
  person_id: string | null;
  venue_id: string;
  venue_code: string | null;
  venue_name: string | null;
  via: 'checkin' | 'declaration' | null;
  f: number;
  t: number;
  n?: number | null;
}

interface SpanList {
  /** spans of the sources at one venue (all groups), sorted by start */
  starts: number[];
  ends: number[];
  src: number[];
  /** reach[k]: the latest end among spans 0..k (the walk back stops once no earlier span can reach the stay) */
  reach: number[];
}

/**
 * Each contact stay against the sources' spans at its venue, per group of sources: the sources that overlap it by
 * more than nothing and by at least the minimum overlap (the source's own, else `minOverlapMinutes`) are counted,
 * the longest overlap names the source; a source's own stays are not contacts of it, nor are people known to the
 * group. Spans sorted by start: a stay [f, t) meets the spans starting before t and ending after f; the walk back
 * stops once no earlier span ends after f. One walk per stay whatever the number of groups (a bulk chunk of 25
 * cases at a market: not 25 searches), nothing allocated per pair: a market where a thousand F1s spent the day
 * costs a sort and short walks.
 */
export function splitHits(rows: IslandRow[], sources: TraceSource[], minOverlapMinutes = 0, known?: KnownOf, groupOf?: GroupOf): VenueHit[] {
  const venues = new Map<string, { code: string; name: string; list: SpanList }>();
  const raw = new Map<SpanList, { f: number; t: number; src: number }[]>();
  for (const r of rows) {
    if (r.kind !== 's') continue;
    let v = venues.get(r.venue_id);
    if (!v) {
      venues.set(r.venue_id, (v = { code: r.venue_code ?? '', name: r.venue_name ?? '', list: { starts: [], ends: [], src: [], reach: [] } }));
      raw.set(v.list, []);
    }
    raw.get(v.list)!.push({ f: Math.round(r.f), t: Math.round(r.t), src: r.src! - 1 });
  }
  for (const [list, spans] of raw) {
    spans.sort((a, b) => a.f - b.f);
    let reach = -Infinity;
    for (const s of spans) {
      list.starts.push(s.f);
      list.ends.push(s.t);
      list.src.push(s.src);
      list.reach.push((reach = Math.max(reach, s.t)));
    }
  }
  const minMs = sources.map((x) => Math.max(0, Math.floor(x.minOverlapMinutes ?? minOverlapMinutes)) * 60_000);
  const groupNo = sources.map((_, n) => (groupOf ? groupOf(n) : 0));
  const groups = groupNo.reduce((m, g) => Math.max(m, g + 1), 1);
  // per stay, per group: when it was first met in this walk (stamp), skipped as known, its count, longest, hull
  const gStamp = new Int32Array(groups).fill(-1);
  const gSkip = new Uint8Array(groups);
  const gCount = new Int32Array(groups);
  const gBest = new Int32Array(groups);
  const gLen = new Float64Array(groups);
  const gStart = new Float64Array(groups);
  const gA = new Float64Array(groups);
  const gB = new Float64Array(groups);
  const seen = new Int32Array(sources.length).fill(-1);
  const touched: number[] = [];
  let stamp = 0;
  const out: VenueHit[] = [];
  for (const h of rows) {
    if (h.kind !== 'h') continue;
    const v = venues.get(h.venue_id);
    if (!v) continue;
    const f = Math.round(h.f);
    const t = Math.round(h.t);
    if (t <= f) continue;
    const person = h.person_id!;
    const { starts, ends, src, reach } = v.list;
    // first span starting at or after t: the candidates are before it
    let lo = 0;
    let hi = starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (starts[mid]! < t) lo = mid + 1;
      else hi = mid;
    }
    stamp++;
    touched.length = 0;
    for (let k = lo - 1; k >= 0 && reach[k]! > f; k--) {
      const n = src[k]!;
      const a = f > starts[k]! ? f : starts[k]!;
      const b = t < ends[k]! ? t : ends[k]!;
      const len = b - a;
      if (len <= 0 || len < minMs[n]! || sources[n]!.personId === person) continue;
      const g = groupNo[n]!;
      if (gStamp[g] !== stamp) {
        gStamp[g] = stamp;
        gSkip[g] = known && known(n).has(person) ? 1 : 0;
        gCount[g] = 0;
        gBest[g] = -1;
        gA[g] = Infinity;
        gB[g] = -Infinity;
        touched.push(g);
      }
      if (gSkip[g]) continue;
      if (seen[n] !== stamp) {
        seen[n] = stamp;
        gCount[g]++;
      }
      if (a < gA[g]!) gA[g] = a;
      if (b > gB[g]!) gB[g] = b;
      const best = gBest[g]!;
      if (best < 0 || len > gLen[g]! || (len === gLen[g]! && (a < gStart[g]! || (a === gStart[g]! && sources[n]!.personId < sources[best]!.personId)))) {
        gBest[g] = n;
        gLen[g] = len;
        gStart[g] = a;
      }
    }
    for (const g of touched) {
      if (gSkip[g] || !gCount[g]) continue;
      const best = gBest[g]!;
      out.push({
        sourcePersonId: sources[best]!.personId,
        sourceIndex: best,
        sourcesCount: gCount[g]!,
        personId: person,
        venueId: h.venue_id,
        venueCode: v.code,
        venueName: v.name,
        via: h.via!,
        from: new Date(gA[g]!),
        to: new Date(gB[g]!),
        overlapMinutes: Math.max(1, Math.round(gLen[g]! / 60_000)),
      });
    }
  }
  return out;
}

/**
 * The statement behind venueContacts: the PL/pgSQL function cases_venue_contacts (migrations 0005, 0009), so its plan
 * is prepared once per connection (planning it cost more than running it for a typical F1). `crowd`: the
 * mass-exposure threshold (0: off).
 */
export function venueContactsQuery(sources: TraceSource[], part = 0, parts = 1, crowd = 0) {
  const ids = sources.map((s) => s.personId);
  const froms = sources.map((s) => s.from.toISOString());
  const tos = sources.map((s) => s.to.toISOString());
  return sql<IslandRow>`select * from cases_venue_contacts(${ids}::uuid[], ${froms}::timestamptz[], ${tos}::timestamptz[], ${part}::int, ${parts}::int, ${crowd}::int)`;
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
  /**
   * the F0 (level 1) or the contact of the level above it was exposed to: for a venue stay the one of the longest
   * overlap (overlapMinutes is with them), for a household exposure the household member
   */
  sourcePersonId: string;
  /** how many sources were present during the stay (1 for household) */
  sourcesCount: number;
}

export interface TracedContact {
  personId: string;
  level: number;
  /** for level ≥ 2: the contact of the level above of the earliest exposure (every exposure names its main source) */
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
  /**
   * The mass-exposure rule (VIGIL_TRACE_MASS_EXPOSURE; 0 or absent: off, everyone is listed): from level 2 on, a
   * source's stay at a venue during which more than this many other people were there is not expanded into contacts;
   * the venue and the window become a mass exposure (an exposure notice). The F0's own contacts are always listed.
   * Cases traced together (traceCases) must share it.
   */
  massExposure?: number;
}

/** A crowded setting whose people were not listed one by one (the mass-exposure rule): the venue and the window. */
export interface MassExposure {
  /** the level that was not listed there (2: people at the venue with the case's F1s) */
  level: number;
  venueId: string;
  venueCode: string;
  venueName: string;
  /** the crowded stays of the level's sources at the venue, merged where they overlap or touch */
  from: Date;
  to: Date;
  /** how many sources (F1s for level 2) were there */
  sourcesCount: number;
  /** people at the venue during the window (check-ins and declarations overlapping it) not listed as contacts of the case */
  peopleCount: number;
}

export interface TraceResult {
  contacts: TracedContact[];
  massExposures: MassExposure[];
}

/**
 * Trace a case: level 1 from the case's window, level n from the contacts of level n−1 (each from its first
 * exposure until `at`). One row per person, at the lowest level found, with one exposure per stay where sources
 * were present (and one per household source).
 */
export async function traceCase(db: DbOrTx, input: TraceInput): Promise<TracedContact[]> {
  return (await traceCasesFull(db, [input]))[0]!.contacts;
}

/** traceCase with the mass exposures the rule put in place of contacts. */
export async function traceCaseFull(db: DbOrTx, input: TraceInput): Promise<TraceResult> {
  return (await traceCasesFull(db, [input]))[0]!;
}

export async function traceCases(db: DbOrTx, inputs: TraceInput[]): Promise<TracedContact[][]> {
  return (await traceCasesFull(db, inputs)).map((r) => r.contacts);
}

/**
 * Trace many cases at once, each exactly as traceCase would: one venue statement and one household statement per
 * level for all the cases' sources together (a bulk run of a thousand cases reads each popular venue's island once
 * per chunk, not once per case), the results told apart by source. A person may be a source of several cases, with
 * each case's own window.
 */
export async function traceCasesFull(db: DbOrTx, inputs: TraceInput[]): Promise<TraceResult[]> {
  const crowd = Math.max(0, Math.floor(inputs[0]?.massExposure ?? 0));
  if (inputs.some((i) => Math.max(0, Math.floor(i.massExposure ?? 0)) !== crowd)) throw new Error('cases traced together must share the mass-exposure threshold');
  const runs = inputs.map((input) => ({
    input,
    crowded: [] as (CrowdedStay & { level: number; personId: string })[],
    found: new Map<string, TracedContact>(),
    excluded: new Set([input.personId, ...(input.exclude ?? [])]),
    sources: [{ personId: input.personId, from: input.from, to: input.to, minOverlapMinutes: input.minOverlapMinutes }] as TraceSource[],
  }));
  for (let level = 1; ; level++) {
    const active = runs.filter((r) => level <= r.input.levels && r.sources.length);
    if (!active.length) break;
    const sources = active.flatMap((r) => r.sources);
    const runOf = active.flatMap((r) => r.sources.map(() => r));
    // everyone already a contact (lower levels, this level's sources) or excluded: add() would drop them anyway
    const knownOf = new Map(active.map((r) => [r, new Set([...r.excluded, ...r.found.keys()])]));
    const runNo = new Map(active.map((r, i) => [r, i]));
    const [{ hits, crowded }, house] = await Promise.all([
      // the rule bites from level 2 on: the F0's contacts are always listed
      venueContactsAndCrowds(db, sources, { known: (n) => knownOf.get(runOf[n]!)!, groupOf: (n) => runNo.get(runOf[n]!)!, crowd: level >= 2 ? crowd : 0 }),
      householdPairs(db, [...new Set(sources.map((x) => x.personId))]),
    ]);
    for (const m of crowded) runOf[m.sourceIndex]!.crowded.push({ ...m, level, personId: sources[m.sourceIndex]!.personId });
    const members = new Map<string, string[]>();
    for (const p of house) members.set(p.sourcePersonId, [...(members.get(p.sourcePersonId) ?? []), p.personId]);
    const add = (run: (typeof runs)[number], personId: string, e: TracedExposure) => {
      if (run.excluded.has(personId)) return;
      let c = run.found.get(personId);
      if (!c) {
        c = { personId, level, viaPersonId: level > 1 ? e.sourcePersonId : null, exposures: [] };
        run.found.set(personId, c);
      }
      if (c.level !== level) return; // already a contact of a lower level
      c.exposures.push(e);
    };
    for (const h of hits)
      add(runOf[h.sourceIndex]!, h.personId, {
        kind: 'venue',
        via: h.via,
        venueId: h.venueId,
        venueCode: h.venueCode,
        venueName: h.venueName,
        from: h.from,
        to: h.to,
        overlapMinutes: h.overlapMinutes,
        sourcePersonId: h.sourcePersonId,
        sourcesCount: h.sourcesCount,
      });
    sources.forEach((w, n) => {
      for (const personId of members.get(w.personId) ?? [])
        add(runOf[n]!, personId, { kind: 'household', via: 'household', venueId: null, venueCode: null, venueName: null, from: w.from, to: w.to, overlapMinutes: null, sourcePersonId: w.personId, sourcesCount: 1 });
    });
    for (const run of active) {
      const thisLevel = [...run.found.values()].filter((c) => c.level === level);
      for (const c of thisLevel) {
        c.exposures.sort((a, b) => a.from.getTime() - b.from.getTime() || byCode(a.venueCode ?? '', b.venueCode ?? '') || byCode(a.sourcePersonId, b.sourcePersonId));
        if (level > 1) c.viaPersonId = c.exposures[0]!.sourcePersonId;
      }
      // the next level: each contact from its first exposure on, until `at`
      run.sources = thisLevel
        .map((c) => ({ personId: c.personId, from: c.exposures[0]!.from, to: run.input.at, minOverlapMinutes: run.input.minOverlapMinutes }))
        .filter((x) => x.to > x.from);
    }
  }
  // mass exposures: the people there not listed otherwise (a crowd of the case's own F1s is no mass exposure)
  const mass = await Promise.all(runs.map(async (r) => (await countPeople(db, massWindows(r.crowded), [r.input.personId, ...r.found.keys()])).filter((m) => m.peopleCount > 0)));
  return runs.map((r, i) => ({ contacts: [...r.found.values()].sort((a, b) => a.level - b.level || byCode(a.personId, b.personId)), massExposures: mass[i]! }));
}

/** One case's crowded stays as mass exposures: per level and venue, merged where they overlap or touch. */
function massWindows(stays: (CrowdedStay & { level: number; personId: string })[]): MassExposure[] {
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
async function countPeople(db: DbOrTx, mass: MassExposure[], listed: string[]): Promise<MassExposure[]> {
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

/** Code-point order (ids and venue codes; localeCompare cost a fifth of a large trace's own time). */
const byCode = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The last instant of exposure of a contact (end of its latest exposure). */
export const lastExposure = (c: TracedContact) => new Date(Math.max(...c.exposures.map((e) => e.to.getTime())));
export const firstExposure = (c: TracedContact) => new Date(Math.min(...c.exposures.map((e) => e.from.getTime())));
