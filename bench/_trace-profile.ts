// Where a bulk chunk's time goes (not a benchmark): on the kept database of the trace bench, the level-2 venue
// statement of one chunk of the bulk run, EXPLAIN (ANALYZE, BUFFERS) of cases_venue_contacts' body prepared with a
// generic plan (as the function runs it), with the mass-exposure rule at 100 and off, and of the people-not-listed count.
//   flock /work/wt/bench.lock env BENCH_TRACE_DIR=<dir> SIZE=full CHUNK=0 node --import tsx bench/_trace-profile.ts
import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { connectDatabase, migrate } from '../server/src/platform/db';
import { migrationSources } from '../server/src/platform/cli';
import { modules } from '../server/src/modules';
import { countPeopleQuery, householdPairs, traceCasesFull, venueContactsQuery } from '../server/src/modules/cases';
import { postgresCpuMs, serverCpuMs } from './_cpu';

const START = new Date('2021-08-01T00:00:00+07:00');
const dataDir = path.join(process.env.BENCH_TRACE_DIR ?? '/work/wt/tracedb', process.env.SIZE ?? 'full');
const chunkNo = Number(process.env.CHUNK ?? 0);
const size = Number(process.env.CHUNK_SIZE ?? 25);
const handle = await connectDatabase({ dataDir, poolSize: 2, timeouts: { statementTimeoutMs: 0, connectTimeoutMs: 120_000 } });
const db = handle.db;
await migrate(db, migrationSources(modules), () => {});
await sql`select setseed(0.77)`.execute(db);
const confirmAt = new Date(START.getTime() + 11 * 86_400_000 + 12 * 3600_000);
const from = new Date(confirmAt.getTime() - 3 * 86_400_000);
const at = new Date(confirmAt.getTime() + 86_400_000);
const picked = await sql<{ person_id: string }>`select person_id from (select distinct person_id from checkins where checkin_at >= ${from} and checkin_at < ${confirmAt}) x order by md5(person_id::text) limit 1100`.execute(db);
const cases = process.env.CASE ? [process.env.CASE] : picked.rows.map((r) => r.person_id).slice(100 + chunkNo * size, 100 + (chunkNo + 1) * size);
if (process.env.BULK) {
  // n chunks of the bulk run one after another (rule 100): CPU per case of this process and of PostgreSQL; run under
  // node --cpu-prof for where this process's share goes
  const all = picked.rows.map((r) => r.person_id).slice(100);
  const n = Number(process.env.BULK);
  const c0 = { node: serverCpuMs(), pg: postgresCpuMs(dataDir) };
  let contacts = 0;
  for (let k = 0; k < n; k++) {
    const part = all.slice(k * size, (k + 1) * size);
    const r = await traceCasesFull(db, part.map((p) => ({ personId: p, from, to: confirmAt, at, levels: 2, minOverlapMinutes: 0, massExposure: 100 })));
    contacts += r.reduce((x, y) => x + y.contacts.length, 0);
  }
  const per = (x: number) => (x / (n * size)).toFixed(1);
  console.log(`bulk ${n} chunks of ${size}, rule 100, one at a time: ${contacts} contacts; CPU per case: this process ${per(serverCpuMs() - c0.node)} ms + PostgreSQL ${per(postgresCpuMs(dataDir) - c0.pg)} ms`);
  await handle.close();
  process.exit(0);
}
const t0 = performance.now();
const l1 = await traceCasesFull(db, cases.map((p) => ({ personId: p, from, to: confirmAt, at, levels: 1, minOverlapMinutes: 0, massExposure: 100 })));
console.log(`level 1 of ${cases.length} cases: ${(performance.now() - t0).toFixed(0)} ms, ${l1.reduce((n, r) => n + r.contacts.length, 0)} F1s`);
const sources = l1.flatMap((r) => r.contacts.map((c) => ({ personId: c.personId, from: c.exposures[0]!.from, to: at })).filter((x) => x.to > x.from));
/** cases_venue_contacts' body in a migration, as a statement with parameters $1…$6 (the function's arguments). */
const bodyOf = (migration: string) => {
  const m = fs.readFileSync(`server/src/modules/cases/migrations/${migration}.sql`, 'utf8');
  return m.slice(m.indexOf('return query') + 'return query'.length, m.lastIndexOf('end\n$$;')).replace(/;\s*$/, '')
    .replace(/\bv_lo\b/g, `(select min(x) from unnest($2::timestamptz[]) x) - interval '12 hours'`)
  .replace(/\bv_hi_next\b/g, `(select max(x) from unnest($3::timestamptz[]) x) + interval '12 hours'`)
  .replace(/\bv_hi\b/g, `(select max(x) from unnest($3::timestamptz[]) x)`)
  .replace(/\bp_ids\b/g, '$1::uuid[]').replace(/\bp_from\b/g, '$2::timestamptz[]').replace(/\bp_to\b/g, '$3::timestamptz[]')
  .replace(/\bp_part\b/g, '$4::int').replace(/\bp_parts\b/g, '$5::int').replace(/\bp_crowd\b/g, '$6::int');
};
const body = bodyOf(process.env.MIGRATION ?? '0010_crowd_counts_from_stays');
const lit = (xs: string[]) => `'{${xs.join(',')}}'`;
const ids = lit(sources.map((s) => s.personId));
const froms = lit(sources.map((s) => `"${s.from.toISOString()}"`));
const tos = lit(sources.map((s) => `"${s.to.toISOString()}"`));
const show = process.env.PLAN === '1';
if (process.env.PARTS) {
  // PostgreSQL's CPU of each statement of the chunk's F1+F2, run one at a time, 5 times each (medians)
  const med = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
  const cpuOf = async (f: () => Promise<unknown>) => {
    const xs: number[] = [];
    for (let i = 0; i < 5; i++) {
      const c0 = postgresCpuMs(dataDir);
      await f();
      xs.push(postgresCpuMs(dataDir) - c0);
    }
    return `${med(xs)} ms [${xs.join(' ')}]`;
  };
  const f1src = cases.map((p) => ({ personId: p, from, to: confirmAt }));
  console.log(`venue statement, level 1 (${f1src.length} sources): ${await cpuOf(() => venueContactsQuery(f1src).execute(db))}`);
  console.log(`venue statement, level 2 (${sources.length} sources, rule 100, one part): ${await cpuOf(() => venueContactsQuery(sources, 0, 1, 100).execute(db))}`);
  console.log(`households, level 1: ${await cpuOf(() => householdPairs(db, cases))}`);
  console.log(`households, level 2: ${await cpuOf(() => householdPairs(db, [...new Set(sources.map((x) => x.personId))]))}`);
  const full = await traceCasesFull(db, cases.map((p) => ({ personId: p, from, to: confirmAt, at, levels: 2, minOverlapMinutes: 0, massExposure: 100 })));
  const q = countPeopleQuery(full.map((r, k) => ({ mass: r.massExposures, listed: [cases[k]!, ...r.contacts.map((c) => c.personId)] })))!;
  console.log(`people not listed (${full.reduce((n, r) => n + r.massExposures.length, 0)} windows): ${await cpuOf(() => q.execute(db))}`);
  console.log(`the whole F1+F2 of the chunk: ${await cpuOf(() => traceCasesFull(db, cases.map((p) => ({ personId: p, from, to: confirmAt, at, levels: 2, minOverlapMinutes: 0, massExposure: 100 }))))}`);
  console.log(`select 1: ${await cpuOf(() => sql`select 1`.execute(db))}`);
} else if (process.env.AB) {
  // A/B of two versions of the statement on the same sources: PostgreSQL's CPU per execution (all its processes;
  // /proc), alternating, so the load of the box falls on both alike
  const [va, vb] = process.env.AB.split(',') as [string, string];
  await db.connection().execute(async (conn) => {
    await sql.raw(`prepare qa(uuid[], timestamptz[], timestamptz[], int, int, int) as ${bodyOf(va)}`).execute(conn);
    await sql.raw(`prepare qb(uuid[], timestamptz[], timestamptz[], int, int, int) as ${bodyOf(vb)}`).execute(conn);
    await sql`set plan_cache_mode = force_generic_plan`.execute(conn);
    const cpu = { qa: [] as number[], qb: [] as number[] };
    const rows = { qa: 0, qb: 0 };
    for (let rep = 0; rep < Number(process.env.REPS ?? 6); rep++)
      for (const q of ['qa', 'qb'] as const) {
        const c0 = postgresCpuMs(dataDir);
        const r = await sql.raw(`execute ${q}(${ids}, ${froms}, ${tos}, 0, 1, 100)`).execute(conn);
        cpu[q].push(postgresCpuMs(dataDir) - c0);
        rows[q] = r.rows.length;
      }
    const med = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
    console.log(`level 2 of the chunk (${sources.length} sources, rule 100), PostgreSQL CPU per execution: ${va} median ${med(cpu.qa)} ms [${cpu.qa.join(' ')}], ${rows.qa} rows; ${vb} median ${med(cpu.qb)} ms [${cpu.qb.join(' ')}], ${rows.qb} rows`);
  });
} else if (!process.env.SKIP_L2) await db.connection().execute(async (conn) => {
  await sql.raw(`prepare q(uuid[], timestamptz[], timestamptz[], int, int, int) as ${body}`).execute(conn);
  await sql`set plan_cache_mode = force_generic_plan`.execute(conn);
  for (const crowd of [100, 0, 100, 0]) {
    const s = performance.now();
    const r = await sql.raw<{ 'QUERY PLAN': string }>(`explain (analyze, buffers) execute q(${ids}, ${froms}, ${tos}, 0, 1, ${crowd})`).execute(conn);
    const lines = r.rows.map((x) => x['QUERY PLAN']);
    console.log(`\n=== level 2, ${sources.length} sources, crowd ${crowd}: ${(performance.now() - s).toFixed(0)} ms wall`);
    fs.writeFileSync(`/tmp/t6-plan-${crowd}.txt`, lines.join('\n'));
    console.log((show ? lines : lines.filter((l) => /^  CTE|Execution|Planning/.test(l) || (/actual/.test(l) && l.search(/\S/) <= 6 && !/Index Cond|Filter/.test(l)))).join('\n'));
  }
});
// the mass exposures' people count, as the engine runs it
const t1 = performance.now();
const full = await traceCasesFull(db, cases.map((p) => ({ personId: p, from, to: confirmAt, at, levels: 2, minOverlapMinutes: 0, massExposure: 100 })));
console.log(`\nF1+F2 of the chunk: ${(performance.now() - t1).toFixed(0)} ms, ${full.reduce((n, r) => n + r.contacts.length, 0)} contacts, ${full.reduce((n, r) => n + r.massExposures.length, 0)} mass exposures, ${full.reduce((n, r) => n + r.massExposures.reduce((k, m) => k + m.peopleCount, 0), 0)} people`);
{
  const q = countPeopleQuery(full.map((r, k) => ({ mass: r.massExposures, listed: [cases[k]!, ...r.contacts.map((c) => c.personId)] })))!.compile(db);
  for (let rep = 0; rep < 2; rep++) {
    const e = await db.executeQuery({ ...q, sql: `explain (analyze, buffers) ${q.sql}` });
    const lines = (e.rows as { 'QUERY PLAN': string }[]).map((x) => x['QUERY PLAN']);
    console.log(`people-not-listed counts of the chunk, one statement:\n${lines.filter((l) => !/never executed|Index Cond|Filter:|Heap Fetches/.test(l)).slice(0, 30).join('\n')}\n${lines.filter((l) => /Planning Time|Execution Time/.test(l)).join('\n')}`);
  }
}
await handle.close();
