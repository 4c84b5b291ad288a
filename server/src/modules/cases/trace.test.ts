// The tracing engine on hand-built scenarios with known answers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testContext, type TestContext } from '../../../test/helpers';
import { scenario, type Scenario } from './test-fixtures';
import { sql } from 'kysely';
import { traceCase, traceCases } from './trace';
import { venueContacts, venueContactsQuery } from './trace-venues';
import type { IslandRow, TracedContact, VenueHit } from './trace-types';

let t: TestContext;
let s: Scenario;
const P: Record<string, string> = {};
const V: Record<string, string> = {};

// Window of case P0: onset 2021-08-10 → from 2021-08-08 00:00 (+07) = 2021-08-07T17:00Z; confirmed 2021-08-11T03:00Z.
const from = new Date('2021-08-07T17:00:00Z');
const to = new Date('2021-08-11T03:00:00Z');
const at = new Date('2021-08-12T03:00:00Z');

const run = (levels = 2, minOverlapMinutes = 0, personId = P.P0!) => traceCase(t.db, { personId, from, to, at, levels, minOverlapMinutes });
const byPerson = (r: TracedContact[]) => new Map(r.map((c) => [c.personId, c]));

beforeAll(async () => {
  t = await testContext();
  s = await scenario(t.db);
  for (const n of ['P0', 'A', 'B', 'C', 'D', 'E', 'G', 'H', 'M', 'S', 'J', 'K', 'L', 'N', 'Q', 'R', 'T', 'W', 'X', 'U', 'P1', 'Z', 'Y'])
    P[n] = await s.person(`Người ${n}`);
  V.V1 = await s.venue('V1', 60);
  V.V2 = await s.venue('V2', 600); // a hotel: long default stay
  V.V3 = await s.venue('V3', 60);
  V.V4 = await s.venue('V4', 60);
  V.V5 = await s.venue('V5', 60);
  V.V6 = await s.venue('V6', 120);
  // P0 at V1 10:00–11:00 (UTC times) on 10 Aug
  await s.stay(P.P0!, V.V1!, '2021-08-10T10:00:00Z', '2021-08-10T11:00:00Z');
  await s.stay(P.A!, V.V1!, '2021-08-10T09:00:00Z', '2021-08-10T10:00:00Z'); // leaves as P0 arrives: no overlap
  await s.stay(P.B!, V.V1!, '2021-08-10T11:00:00Z', '2021-08-10T12:00:00Z'); // arrives as P0 leaves: no overlap
  await s.stay(P.C!, V.V1!, '2021-08-10T10:59:00Z', '2021-08-10T11:30:00Z'); // 1 minute
  await s.stay(P.D!, V.V1!, '2021-08-10T09:30:00Z'); // no check-out: default stay 60 min → until 10:30 → 30 min
  await s.stay(P.G!, V.V1!, '2021-08-10T09:45:00Z'); // no check-out, but checks in at V3 at 10:05 → 5 min
  await s.stay(P.G!, V.V3!, '2021-08-10T10:05:00Z', '2021-08-10T10:20:00Z');
  await s.declareAt(P.W!, V.V1!, '2021-08-10T10:15:00Z'); // venue declaration: 10:15 + 60 min → 45 min with P0
  // across midnight (local): P0 at the hotel V2 from 22:00 on 9 Aug, no check-out (600 min → 08:00 on 10 Aug)
  await s.stay(P.P0!, V.V2!, '2021-08-09T22:00:00Z');
  await s.stay(P.E!, V.V2!, '2021-08-10T07:00:00Z', '2021-08-10T07:30:00Z');
  // households: P0 manages H; P0 is a dependant of M, who also manages S
  await s.household(P.P0!, P.H!);
  await s.household(P.M!, P.P0!);
  await s.household(P.M!, P.S!);
  // window start: 17:00Z on 7 Aug
  await s.stay(P.P0!, V.V4!, '2021-08-07T15:00:00Z', '2021-08-07T16:00:00Z'); // before the window
  await s.stay(P.J!, V.V4!, '2021-08-07T15:00:00Z', '2021-08-07T16:00:00Z');
  await s.stay(P.P0!, V.V4!, '2021-08-07T16:30:00Z', '2021-08-07T17:30:00Z'); // straddles the start
  await s.stay(P.K!, V.V4!, '2021-08-07T16:30:00Z', '2021-08-07T17:10:00Z'); // 17:00–17:10 inside: 10 min
  await s.stay(P.L!, V.V4!, '2021-08-07T16:30:00Z', '2021-08-07T16:55:00Z'); // all before the window
  // window end: after the confirmation
  await s.stay(P.P0!, V.V5!, '2021-08-11T04:00:00Z', '2021-08-11T05:00:00Z');
  await s.stay(P.N!, V.V5!, '2021-08-11T04:00:00Z', '2021-08-11T05:00:00Z');
  // F2: C (exposed 10:59 on 10 Aug) at V6 14:00–15:00; Q there 14:30–16:00 → F2, 30 min; R there at 09:00 (before C's exposure)
  await s.stay(P.C!, V.V6!, '2021-08-10T14:00:00Z', '2021-08-10T15:00:00Z');
  await s.stay(P.Q!, V.V6!, '2021-08-10T14:30:00Z', '2021-08-10T16:00:00Z');
  await s.stay(P.R!, V.V6!, '2021-08-10T08:00:00Z', '2021-08-10T09:00:00Z');
  await s.stay(P.C!, V.V6!, '2021-08-10T08:30:00Z', '2021-08-10T09:10:00Z'); // C there before being exposed: not a source
  await s.household(P.C!, P.T!); // C's child T → F2 (household)
  // D (F1) meets E (F1) later: E stays F1, not F2
  await s.stay(P.D!, V.V3!, '2021-08-10T18:00:00Z', '2021-08-10T19:00:00Z');
  await s.stay(P.E!, V.V3!, '2021-08-10T18:30:00Z', '2021-08-10T19:00:00Z');
  // X meets two F1s (Q's not an F1; D and E are): X F2 with two exposures
  await s.stay(P.X!, V.V3!, '2021-08-10T18:45:00Z', '2021-08-10T19:30:00Z');
  // Y at V3 18:10–18:40: with D 30 min (18:10–18:40), with E 10 min (18:30–18:40): one exposure per F1
  await s.stay(P.Y!, V.V3!, '2021-08-10T18:10:00Z', '2021-08-10T18:40:00Z');
});
afterAll(async () => {
  await t?.close();
});

describe('F1', () => {
  it('finds exactly the people whose stays overlapped inside the window, with minutes and venues', async () => {
    const r = byPerson((await run(1)).filter((c) => c.level === 1));
    const venueOnes = ['C', 'D', 'G', 'W', 'E', 'K'];
    const household = ['H', 'M', 'S'];
    expect(new Set(r.keys())).toEqual(new Set([...venueOnes, ...household].map((n) => P[n])));
    const minutes = (n: string) => r.get(P[n]!)!.exposures.map((e) => e.overlapMinutes);
    expect(minutes('C')).toEqual([1]);
    expect(minutes('D')).toEqual([30]); // no check-out: the venue's default stay
    expect(minutes('G')).toEqual([5]); // next check-in elsewhere ends the stay
    expect(minutes('W')).toEqual([45]); // venue declaration counts like a check-in
    expect(minutes('E')).toEqual([30]); // across midnight, P0 with no check-out at the hotel
    expect(minutes('K')).toEqual([10]); // clipped at the window start
    expect(r.get(P.W!)!.exposures[0]!.via).toBe('declaration');
    for (const n of venueOnes) expect(r.get(P[n]!)!.exposures.map((e) => [e.sourcePersonId, e.sourcesCount])).toEqual([[P.P0, 1]]);
    expect(r.get(P.C!)!.exposures[0]!).toMatchObject({ via: 'checkin', kind: 'venue', from: new Date('2021-08-10T10:59:00Z'), to: new Date('2021-08-10T11:00:00Z') });
    expect(r.get(P.K!)!.exposures[0]!.from).toEqual(from);
    for (const n of household) expect(r.get(P[n]!)!.exposures.map((e) => e.via)).toEqual(['household']);
  });

  it('leaves out touching stays, stays outside the window and the case itself', async () => {
    const ids = new Set((await run(1)).map((c) => c.personId));
    for (const n of ['A', 'B', 'J', 'L', 'N', 'P0']) expect(ids.has(P[n]!), n).toBe(false);
  });

  it('applies a minimum overlap', async () => {
    const r = byPerson(await run(1, 15));
    expect(r.has(P.C!)).toBe(false); // 1 min
    expect(r.has(P.G!)).toBe(false); // 5 min
    expect(r.has(P.K!)).toBe(false); // 10 min
    expect(r.has(P.D!)).toBe(true); // 30 min
    expect(r.has(P.H!)).toBe(true); // household: no minutes
  });

  it('a person with no check-ins has no contacts, not an error', async () => {
    expect(await run(2, 0, P.Z!)).toEqual([]);
  });
});

describe('F2', () => {
  it("applies the rule to each F1 from that F1's exposure on, plus the F1's household", async () => {
    const r = await run(2);
    const f2 = byPerson(r.filter((c) => c.level === 2));
    expect(f2.get(P.Q!)).toMatchObject({ level: 2, viaPersonId: P.C });
    expect(f2.get(P.Q!)!.exposures.map((e) => e.overlapMinutes)).toEqual([30]);
    expect(f2.get(P.T!)!.exposures.map((e) => e.via)).toEqual(['household']);
    expect(f2.has(P.R!)).toBe(false); // met C before C was exposed
    // F1s found again through other F1s stay F1, once
    expect(r.filter((c) => c.personId === P.E).map((c) => c.level)).toEqual([1]);
    // met two F1s who were there together: one row, one exposure for the stay, counting both, naming one (a tie of
    // 15 min each from 18:45: the lowest id)
    const v3 = { kind: 'venue', via: 'checkin', venueId: V.V3, venueCode: expect.stringMatching(/^V3-/) };
    expect(f2.get(P.X!)!.exposures).toEqual([
      { ...v3, venueName: expect.any(String), from: new Date('2021-08-10T18:45:00Z'), to: new Date('2021-08-10T19:00:00Z'), overlapMinutes: 15, sourcePersonId: [P.D!, P.E!].sort()[0], sourcesCount: 2 },
    ]);
    // the stay names the F1 of the longest overlap with its minutes; from/to run from the first to the last F1 there
    const y = f2.get(P.Y!)!;
    expect(y.exposures.map((e) => [e.sourcePersonId, e.sourcesCount, e.from.toISOString(), e.to.toISOString(), e.overlapMinutes])).toEqual([
      [P.D, 2, '2021-08-10T18:10:00.000Z', '2021-08-10T18:40:00.000Z', 30],
    ]);
    expect(y.viaPersonId).toBe(P.D); // the F1 of the earliest exposure
    expect(new Set(r.map((c) => c.personId)).size).toBe(r.length);
  });

  it('applies the minimum overlap to each F1 separately', async () => {
    const y = byPerson(await run(2, 15)).get(P.Y!)!;
    expect(y.exposures.map((e) => [e.sourcePersonId, e.sourcesCount, e.overlapMinutes])).toEqual([[P.D, 1, 30]]); // 10 min with E is under 15
  });

  it('levels: 1 stops at F1', async () => {
    expect((await run(1)).every((c) => c.level === 1)).toBe(true);
  });
});

describe('many cases at once (bulk runs)', () => {
  it('traces each case exactly as alone, also when one case is a contact of another and people are contacts of both', async () => {
    // C is an F1 of P0 (and a case of its own, from a later window); E met both P0 and, at V3, D: a contact of both
    const inputs = [
      { personId: P.P0!, from, to, at, levels: 2, minOverlapMinutes: 0 },
      { personId: P.C!, from: new Date('2021-08-10T00:00:00Z'), to: at, at, levels: 2, minOverlapMinutes: 0 },
      { personId: P.D!, from, to, at, levels: 1, minOverlapMinutes: 15 },
      { personId: P.Z!, from, to, at, levels: 2, minOverlapMinutes: 0 },
    ];
    const together = await traceCases(t.db, inputs);
    const alone = [];
    for (const input of inputs) alone.push(await traceCase(t.db, input));
    expect(together).toEqual(alone);
    expect(together[1]!.some((c) => c.personId === P.P0 && c.level === 1)).toBe(true); // the other case's person is listed
    expect(together[0]!.some((c) => c.personId === P.C && c.level === 1)).toBe(true);
    expect(together[3]).toEqual([]);
  });
});

describe('parallel statements', () => {
  it('the venues split over several statements give the same stays and exposures as one statement, none twice', async () => {
    const f1 = (await run(1)).filter((c) => c.exposures[0]!.kind === 'venue');
    const sources = [{ personId: P.P0!, from, to }, ...f1.map((c) => ({ personId: c.personId, from: c.exposures[0]!.from, to: at }))];
    const key = (h: VenueHit) => `${h.personId}|${h.venueId}|${h.from.toISOString()}|${h.to.toISOString()}|${h.sourcePersonId}|${h.sourcesCount}`;
    const one = (await venueContacts(t.db, sources, 0, undefined, undefined, 1)).map(key).sort();
    expect(one.length).toBeGreaterThan(5);
    const rowKey = (r: IslandRow) => `${r.kind}|${r.src}|${r.person_id}|${r.venue_id}|${r.f}|${r.t}`;
    const whole = (await venueContactsQuery(sources).execute(t.db)).rows.map(rowKey).sort();
    for (const parts of [2, 3]) {
      expect((await venueContacts(t.db, sources, 0, undefined, undefined, parts)).map(key).sort()).toEqual(one);
      const split = await Promise.all(Array.from({ length: parts }, (_, i) => venueContactsQuery(sources, i, parts).execute(t.db)));
      expect(split.flatMap((r) => r.rows.map(rowKey)).sort()).toEqual(whole);
    }
  });
});

describe('the plan', () => {
  it('reads each island of source presence at a venue by a range on (venue_id, checkin_at) bounded by it (from 12 h before, or the previous island\'s end), and the sources by (person_id, checkin_at)', async () => {
    const plan = await t.db.connection().execute(async (conn) => {
      // the statement inside the engine's function, prepared with the function's parameters, then EXPLAINed;
      // tiny tables would be scanned whole: what matters is that the bounded index conditions exist (on each day's
      // partition of checkins: the partitions' own indexes)
      const src = (await sql<{ prosrc: string }>`select prosrc from pg_proc where proname = 'cases_venue_contacts'`.execute(conn)).rows[0]!.prosrc;
      const statement = src.slice(src.indexOf('return query') + 'return query'.length, src.lastIndexOf(';'))
        .replace(/\bp_ids\b/g, '$1').replace(/\bp_from\b/g, '$2').replace(/\bp_to\b/g, '$3').replace(/\bp_parts\b/g, '$8').replace(/\bp_part\b/g, '$4')
        .replace(/\bv_lo\b/g, '$5').replace(/\bv_hi_next\b/g, '$7').replace(/\bv_hi\b/g, '$6').replace(/\bp_crowd\b/g, '$9');
      await sql`set enable_seqscan = off`.execute(conn);
      await sql`set enable_bitmapscan = off`.execute(conn);
      await sql.raw(`prepare venue_contacts(uuid[], timestamptz[], timestamptz[], int, timestamptz, timestamptz, timestamptz, int, int) as ${statement}`).execute(conn);
      const lit = (d: Date) => `'${d.toISOString()}'`;
      const args = [`array['${P.P0}']::uuid[]`, `array[${lit(from)}]::timestamptz[]`, `array[${lit(to)}]::timestamptz[]`, '0', lit(new Date(from.getTime() - 12 * 3600_000)), lit(to), lit(new Date(to.getTime() + 12 * 3600_000)), '1', '100'];
      const r = await sql.raw<{ 'QUERY PLAN': string }>(`explain execute venue_contacts(${args.join(', ')})`).execute(conn);
      await sql`deallocate venue_contacts`.execute(conn);
      await sql`reset all`.execute(conn);
      return r.rows.map((x) => x['QUERY PLAN']).join('\n');
    });
    expect(plan).toMatch(/checkins_(?:venue_stay|p\d{8}_venue_id_checkin_at_person_id_checkout_a)_idx[\s\S]*Index Cond: \(\(venue_id = (i(_\d+)?)\.venue_id\) AND \(checkin_at >= \1\.lo\) AND \(checkin_at < \1\.b\)\)/);
    expect(plan).toMatch(/checkins_(?:person_time|p\d{8}_person_id_checkin_at)_idx[\s\S]*Index Cond: \(\(person_id = s(_\d+)?\.person_id\) AND \(checkin_at >= \(s(_\d+)?\.w_from - '12:00:00'::interval\)\)/);
    // the mass-exposure rule's crowd count: first the stays begun during the source's span, a bounded range
    expect(plan).toMatch(/checkins_(?:venue_stay|p\d{8}_venue_id_checkin_at_person_id_checkout_a)_idx[\s\S]*Index Cond: \(\(venue_id = (sp(_\d+)?)\.venue_id\) AND \(checkin_at >= \1\.a\) AND \(checkin_at < \1\.b\)\)/);
  });
});
