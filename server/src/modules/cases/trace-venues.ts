// The venue statement of one level: every stay of another person that overlapped the sources' presence at a venue,
// read by cases_venue_contacts (migrations 0005, 0009: a range scan per source and per island of presence) and paired
// here by the sweep (trace-sweep.ts). Several statements side by side for a level of many sources.
import { sql } from 'kysely';
import type { DbOrTx } from '../../platform/db/types';
import { finishCrowdCounts } from './trace-crowds';
import { splitHits } from './trace-sweep';
import type { CrowdedStay, GroupOf, IslandRow, KnownOf, TraceSource, VenueHit } from './trace-types';

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
  finishCrowdCounts(rows, sources, o.crowd ?? 0);
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
