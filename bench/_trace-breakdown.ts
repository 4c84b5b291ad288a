// Where the F2s of the bench's worst case come from: the analysis behind the mass-exposure rule (README "Cases and
// contact tracing"); not a benchmark. On the kept full database of `npm run bench -- trace --size full`:
//   flock /work/wt/bench.lock node --import tsx bench/_trace-breakdown.ts     (WORST=<person id> skips the search)
// Prints the F1s and F2s by venue, how many F2 exposures came through the F1s' own exposure venue or elsewhere, the
// crowd of the F1s' stays, and the F2s left under each candidate rule and threshold.
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { connectDatabase } from '../server/src/platform/db';
import { traceCase, venueContactsQuery, splitHits, type IslandRow, type TraceSource } from '../server/src/modules/cases';

const START = new Date('2021-08-01T00:00:00+07:00');
const dataDir = path.join(process.env.BENCH_TRACE_DIR ?? '/tmp/perf/tracedb', 'full');
const handle = await connectDatabase({ dataDir, poolSize: 4, timeouts: { statementTimeoutMs: 0, connectTimeoutMs: 120_000 } });
const db = handle.db;
await sql`select setseed(0.77)`.execute(db);
const confirmAt = new Date(START.getTime() + 11 * 86_400_000 + 12 * 3600_000);
const from = new Date(confirmAt.getTime() - 3 * 86_400_000);
const picked = await sql<{ person_id: string }>`select person_id from (select distinct person_id from checkins where checkin_at >= ${from} and checkin_at < ${confirmAt}) x order by md5(person_id::text) limit 100`.execute(db);
const at = new Date(confirmAt.getTime() + 86_400_000);
// the case with the most F1s
let worst = { p: '', n: -1 };
for (const { person_id } of picked.rows.filter((r) => !process.env.WORST || r.person_id === process.env.WORST)) {
  const r = (await venueContactsQuery([{ personId: person_id, from, to: confirmAt }]).execute(db)).rows;
  const n = new Set(r.filter((x) => x.kind === 'h').map((x) => x.person_id)).size;
  if (n > worst.n) worst = { p: person_id, n };
}
console.log('worst case', worst, `load ${os.loadavg()[0]}`);
const traced = await traceCase(db, { personId: worst.p, from, to: confirmAt, at, levels: 2, minOverlapMinutes: 0 });
const f1 = traced.filter((c) => c.level === 1);
const f2 = traced.filter((c) => c.level === 2);
console.log(`F1 ${f1.length}, F2 ${f2.length}`);
const f1Venues = new Map<string, number>();
for (const c of f1) for (const e of c.exposures) f1Venues.set(e.venueCode ?? 'household', (f1Venues.get(e.venueCode ?? 'household') ?? 0) + 1);
console.log('F1 exposures by venue', [...f1Venues].sort((a, b) => b[1] - a[1]).slice(0, 10));
// F2 exposures: at a venue where the named F1 was itself exposed (the crowded setting) or elsewhere
const f1ExpVenues = new Map(f1.map((c) => [c.personId, new Set(c.exposures.map((e) => e.venueId))]));
let same = 0, other = 0, house = 0;
const f2Venues = new Map<string, number>();
for (const c of f2) for (const e of c.exposures) {
  if (e.kind === 'household') { house++; continue; }
  if (f1ExpVenues.get(e.sourcePersonId)?.has(e.venueId)) same++; else other++;
  f2Venues.set(e.venueCode!, (f2Venues.get(e.venueCode!) ?? 0) + 1);
}
console.log(`F2 exposures: at the named F1's own exposure venue ${same}, elsewhere ${other}, household ${house}`);
console.log('F2 exposures by venue', [...f2Venues].sort((a, b) => b[1] - a[1]).slice(0, 15));
// the F2 statement's raw rows: crowd of each source span (people whose stays overlap it)
const sources: TraceSource[] = f1.map((c) => ({ personId: c.personId, from: c.exposures[0]!.from, to: at }));
const rows: IslandRow[] = [];
for (const part of [0, 1]) for (const r of (await venueContactsQuery(sources, part, 2).execute(db)).rows) rows.push(r);
const spans = rows.filter((r) => r.kind === 's');
const hitsBy = new Map<string, IslandRow[]>();
for (const r of rows) if (r.kind === 'h') (hitsBy.get(r.venue_id) ?? hitsBy.set(r.venue_id, []).get(r.venue_id)!).push(r);
const crowd = (s: IslandRow) => { const ps = new Set<string>(); for (const h of hitsBy.get(s.venue_id) ?? []) if (h.f < s.t && h.t > s.f) ps.add(h.person_id!); return ps.size; };
const crowds = spans.map(crowd);
// crowd of each F1's exposure stay (its stay at the venue where the F0 was)
const expCrowd = new Map<string, number>();
for (const [i, s] of spans.entries()) {
  const c = f1[s.src! - 1]!;
  if (c.exposures.some((e) => e.venueId === s.venue_id && s.f <= e.to.getTime() && s.t >= e.from.getTime())) expCrowd.set(`${s.src}`, Math.max(expCrowd.get(`${s.src}`) ?? 0, crowds[i]!));
}
const hist = (xs: number[]) => [10, 30, 50, 100, 200, 500, 1000, 5000, Infinity].map((b) => `≤${b}: ${xs.filter((x) => x <= b).length}`).join(', ');
console.log(`source spans ${spans.length}; crowd per span: ${hist(crowds)}`);
console.log(`F1 exposure-stay crowd: ${hist([...expCrowd.values()])}`);
const known = new Set([worst.p, ...f1.map((c) => c.personId)]);
const f2Of = (keep: (s: IslandRow, i: number) => boolean) => {
  const kept = rows.filter((r) => r.kind === 'h');
  spans.forEach((s, i) => { if (keep(s, i)) kept.push(s); });
  return new Set(splitHits(kept, sources, 0, () => known).map((h) => h.personId)).size;
};
console.log(`F2 (persons, venue only) all spans: ${f2Of(() => true)}`);
for (const N of [20, 50, 100, 200, 500, 1000]) {
  const b = f2Of((_, i) => crowds[i]! <= N);
  const a1 = f2Of((s) => !((expCrowd.get(`${s.src}`) ?? 0) > N));
  const a2 = f2Of((s, i) => !((expCrowd.get(`${s.src}`) ?? 0) > N && f1[s.src! - 1]!.exposures.some((e) => e.venueId === s.venue_id)));
  console.log(`N=${N}: B (any source stay with > N people) F2 ${b}; A (F1 exposed in a crowd > N: no venue F2 at all) ${a1}; A' (only at the crowded exposure venue) ${a2}`);
}
await handle.close();
