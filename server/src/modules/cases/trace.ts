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
//
// The parts: trace-venues.ts (the venue statement of a level), trace-sweep.ts (pairing contact stays with the sources
// present), trace-households.ts (household members), trace-mass.ts (mass exposures and the people there not listed),
// trace-types.ts (the shared types); this file is the level loop.
import type { DbOrTx } from '../../platform/db/types';
import { householdPairs } from './trace-households';
import { countPeople, massWindows } from './trace-mass';
import { venueContactsAndCrowds } from './trace-venues';
import { byCode, type CrowdedStay, type TracedContact, type TracedExposure, type TraceInput, type TraceResult, type TraceSource } from './trace-types';

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
  const mass = runs.map((r) => ({ mass: massWindows(r.crowded), listed: [r.input.personId, ...r.found.keys()] }));
  await countPeople(db, mass);
  return runs.map((r, i) => ({ contacts: [...r.found.values()].sort((a, b) => a.level - b.level || byCode(a.personId, b.personId)), massExposures: mass[i]!.mass.filter((m) => m.peopleCount > 0) }));
}
