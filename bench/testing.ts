// Electronic testing at mass-testing scale on a real embedded PostgreSQL: a sample list of N lines (tubes of 10,
// people already in the registry, matched by national ID) imported through the same code as `vigil import samples`
// (CSV parsed, staged with COPY, checked and written set-based in SQL), against PostgreSQL's own COPY of
// the same file into a bare table, measured in the same run; then the lab's result file (1 % positive pools,
// plus individual tubes with a few positives) through `vigil import results`' code: lines/s, when every positive
// pool has its retest tasks, and how long until each individual positive is a case (events worked in-process).
// Besides times: CPU per line of this process and of PostgreSQL (all its processes, from /proc), which survive a
// loaded box better; and the floor: the same tubes and members only written into copies of the real tables.
//
//   npm run bench -- testing                  (--size small: 100k lines = 10k tubes of 10)
//   npm run bench -- testing --size full      (1M lines = 100k tubes of 10; the issue's figure)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { buildApp } from '../server/src/app';
import { loadConfig, type Config } from '../server/src/config';
import { connectDatabase, migrate } from '../server/src/platform/db';
import { migrationSources } from '../server/src/platform/cli';
import { KeyRing } from '../server/src/platform/signing';
import { modules } from '../server/src/modules';
import { importResultLines, importSampleLines, timeOrderedId } from '../server/src/modules/testing';
import { seedGeoDemo } from '../server/src/modules/geo';
import { postgresCpuMs } from './_cpu';

const SIZES = { small: 100_000, full: 1_000_000 } as const;
const POOL = 10;
const INDIVIDUAL = 200;
const INDIVIDUAL_POSITIVE = 10;
const GOAL = 0.3;

const secs = (ms: number) => (ms / 1000).toFixed(1);
const rate = (n: number, ms: number) => Math.round(n / (ms / 1000)).toLocaleString();

const cpuOf = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1000;

function parseCsv(text: string) {
  const rows = text.split('\n');
  const header = rows[0]!.split(',');
  const out: { line: number; values: Record<string, string> }[] = [];
  for (let i = 1; i < rows.length; i++) {
    if (!rows[i]) continue;
    const cells = rows[i]!.split(',');
    const values: Record<string, string> = {};
    header.forEach((h, j) => (values[h] = cells[j] ?? ''));
    out.push({ line: i + 1, values });
  }
  return out;
}

export default async function main() {
  const sizeArg = process.argv.includes('--size') ? process.argv[process.argv.indexOf('--size') + 1] : (process.argv.find((a) => a.startsWith('--size='))?.slice(7) ?? 'small');
  if (sizeArg !== 'small' && sizeArg !== 'full') throw new Error('--size small|full');
  const lines = SIZES[sizeArg];
  const tubes = lines / POOL;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-bench-testing-'));
  const handle = await connectDatabase({ dataDir, poolSize: 6, timeouts: { statementTimeoutMs: 0, connectTimeoutMs: 120_000 } }); // the registry of 1M is one statement; a loaded box waits long for a connection
  const log = (s: string) => process.stdout.write(`${s}\n`);
  let app: Awaited<ReturnType<typeof buildApp>> | null = null;
  try {
    await migrate(handle.db, migrationSources(modules), () => {});
    const db = handle.db;
    await seedGeoDemo(db, ['province', 'district', 'commune']);
    const now = new Date('2021-08-13T06:00:00Z');
    const config = loadConfig({}, { dataDir, jobs: false, logLevel: 'silent', publicUrl: 'http://bench.local', eventRetryDelaySeconds: 0, clock: () => now } as Partial<Config>);
    app = await buildApp(config, { database: handle, logger: false, keys: KeyRing.inMemory(), webDist: null });
    await app.ready();
    const ctx = app.vigil;

    // the registry: everyone tested is known (national ID), no phone (no SMS traffic in this run)
    const commune = (await db.selectFrom('admin_units').select('code').where('parent_code', '=', '412').orderBy('code').executeTakeFirstOrThrow()).code;
    const people = lines + INDIVIDUAL;
    log(`registry: ${people.toLocaleString()} people…`);
    await sql`insert into persons (id, full_name, name_key, national_id, commune_code, source)
      select gen_random_uuid(), 'Người ' || g, 'nguoi ' || g,
             case when g < ${lines} then '040090' || lpad(g::text, 6, '0') else '040190' || lpad((g - ${lines})::text, 6, '0') end, ${commune}, 'import'
      from generate_series(0, ${people - 1}) g`.execute(db);
    await sql`analyze persons`.execute(db);
    await db.insertInto('sampling_points').values({ code: 'B-01', name: 'Bench point', commune_code: commune, created_by: null }).execute();

    // the sample list, as a lab of the province would send it (one file; read in parts of whole tubes)
    const file = path.join(dataDir, 'samples.csv');
    const out = fs.createWriteStream(file);
    out.write('tube_code,person_national_id,person_phone,person_name,collected_at,site_code,test_type\n');
    for (let g = 0; g < lines; g++) {
      const tube = Math.floor(g / POOL);
      const minute = String(tube % 600 / 10 | 0).padStart(2, '0');
      out.write(`B${String(tube).padStart(7, '0')},040090${String(g).padStart(6, '0')},,Người ${g},2021-08-12T0${1 + (tube % 6)}:${minute}:00+07:00,B-01,rt-pcr\n`);
    }
    for (let k = 0; k < INDIVIDUAL; k++) {
      const g = lines + k;
      out.write(`I${String(k).padStart(7, '0')},040190${String(k).padStart(6, '0')},,Người ${g},2021-08-12T07:00:00+07:00,B-01,rt-pcr\n`);
    }
    await new Promise((r) => out.end(r));
    const bytes = fs.statSync(file).size;
    log(`sample file: ${(lines + INDIVIDUAL).toLocaleString()} lines (${tubes.toLocaleString()} tubes of ${POOL} + ${INDIVIDUAL} individual), ${(bytes / 1e6).toFixed(0)} MB`);

    // baseline: PostgreSQL's own COPY of the same file into a bare table
    await sql`create table bench_bare (tube_code text, person_national_id text, person_phone text, person_name text, collected_at text, site_code text, test_type text)`.execute(db);
    // each measured write starts after a checkpoint (the first change of a page after one logs the whole page)
    await sql`checkpoint`.execute(db);
    let t0 = performance.now();
    await sql.raw(`copy bench_bare from '${file}' with (format csv, header true)`).execute(db);
    const copyMs = performance.now() - t0;
    log(`COPY into a bare table:        ${secs(copyMs)} s  (${rate(lines + INDIVIDUAL, copyMs)} lines/s)`);

    // the import: parse + check + resolve people + write tubes and members, chunk by chunk
    await sql`checkpoint`.execute(db);
    t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const pg0 = postgresCpuMs(dataDir);
    const text = fs.readFileSync(file, 'utf8');
    const all = parseCsv(text);
    // the whole file in one import, as `vigil import samples` and the upload page hand it over
    const r = await importSampleLines(ctx, all, { userId: null, now, allowed: async () => true });
    const imported = r.imported;
    const errors = r.errors.length;
    const importMs = performance.now() - t0;
    const serverCpu = cpuOf(process.cpuUsage(cpu0));
    const pgCpu = postgresCpuMs(dataDir) - pg0;
    log(`import samples (vigil import): ${secs(importMs)} s  (${rate(imported, importMs)} lines/s), ${errors} errors`);
    log(`  CPU per line:                server ${((serverCpu * 1000) / imported).toFixed(1)} µs (parse + check + stage), PostgreSQL ${((pgCpu * 1000) / imported).toFixed(1)} µs`);
    const ratio = copyMs / importMs;
    log(`ratio import/COPY throughput:  ${ratio.toFixed(2)}  (goal ≥ ${GOAL}) ${ratio >= GOAL ? 'OK' : 'BELOW GOAL'}`);

    // the floor: only writing the same tubes and members into copies of the real tables (their indexes, defaults,
    // checks), people already resolved: no parsing, no checks. No import can be faster than this.
    await sql`create table floor_src as select b.tube_code, b.collected_at::timestamptz as at, p.id as person_id, row_number() over (partition by b.tube_code order by b.person_national_id) - 1 as pos
      from bench_bare b join persons p on p.national_id = b.person_national_id`.execute(db);
    await sql`analyze floor_src`.execute(db);
    // twice: with random tube ids (the import's way until session 5), then with the time-ordered ids in the tubes'
    // order the import writes now (the members' primary key grows at its end instead of at a random page per row)
    let floorMs = 0;
    for (const ordered of [false, true]) {
      await sql`create table floor_samples (like samples including all)`.execute(db);
      await sql`create table floor_members (like sample_members including all)`.execute(db);
      await sql`checkpoint`.execute(db);
      const pgF = postgresCpuMs(dataDir);
      t0 = performance.now();
      await sql`
        with tubes as (
          insert into floor_samples (id, tube_code, test_type, collected_at, collected_on, point_id, commune_code, pool_size, source)
          select ${ordered ? timeOrderedId(sql`row_number() over (order by tube_code)`) : sql`gen_random_uuid()`}, tube_code, 'rt-pcr', min(at), min(at)::date, null, ${commune}, count(*), 'import'
          from floor_src group by tube_code ${ordered ? sql`order by tube_code` : sql``} returning id, tube_code)
        insert into floor_members (sample_id, person_id, position) select t.id, f.person_id, f.pos::smallint from floor_src f join tubes t on t.tube_code = f.tube_code
        ${ordered ? sql`order by f.tube_code, f.pos` : sql``}`.execute(db);
      floorMs = performance.now() - t0;
      const floorPg = postgresCpuMs(dataDir) - pgF;
      log(`floor, ${ordered ? 'time-ordered ids (now)' : 'random ids (before)  '}: ${secs(floorMs)} s  (${rate(lines + INDIVIDUAL, floorMs)} lines/s, PostgreSQL ${((floorPg * 1000) / (lines + INDIVIDUAL)).toFixed(1)} µs CPU per line): best reachable ratio ${(copyMs / floorMs).toFixed(2)}`);
      await sql`drop table floor_samples, floor_members`.execute(db);
    }
    await sql`drop table floor_src`.execute(db);

    // results: 1 % of pools positive, the rest negative; 10 of the individual tubes positive
    const positivePools = new Set<number>();
    for (let k = 0; k < tubes / 100; k++) positivePools.add(k * 100 + 37);
    const resultLines: { line: number; values: Record<string, string> }[] = [];
    for (let tube = 0; tube < tubes; tube++)
      resultLines.push({ line: tube + 2, values: { tube_code: `B${String(tube).padStart(7, '0')}`, result: positivePools.has(tube) ? 'positive' : 'negative', resulted_at: '2021-08-12T20:00:00+07:00', lab_code: 'LAB-1' } });
    for (let k = 0; k < INDIVIDUAL; k++)
      resultLines.push({ line: tubes + k + 2, values: { tube_code: `I${String(k).padStart(7, '0')}`, result: k < INDIVIDUAL_POSITIVE ? 'positive' : 'negative', resulted_at: '2021-08-12T20:00:00+07:00', lab_code: 'LAB-1' } });
    // individual tubes first: their cases are made while the pools' results are still being written
    resultLines.unshift(...resultLines.splice(tubes, INDIVIDUAL));
    await ctx.jobs.start('events');
    t0 = performance.now();
    // watch, while the results are written, when each individual positive has become a case (events worked here)
    let casesAt: number | null = null;
    let watching = true;
    const watcher = (async () => {
      while (watching || casesAt === null) {
        const n = Number((await sql<{ n: string }>`select count(*) as n from cases where origin = 'test'`.execute(db)).rows[0]!.n);
        if (n >= INDIVIDUAL_POSITIVE) {
          casesAt = performance.now() - t0;
          return;
        }
        if (performance.now() - t0 > 15 * 60_000) throw new Error(`only ${n} cases after 15 min`);
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    const cpuR = process.cpuUsage();
    const pgR = postgresCpuMs(dataDir);
    const res = await importResultLines(ctx, resultLines, { userId: null, now, source: 'import', fileName: 'bench.csv', allowed: async () => true });
    const resultMs = performance.now() - t0;
    const resultCpu = { server: cpuOf(process.cpuUsage(cpuR)), pg: postgresCpuMs(dataDir) - pgR };
    watching = false;
    const tasks = Number((await sql<{ n: string }>`select count(*) as n from testing_tasks where kind = 'retest' and status = 'open'`.execute(db)).rows[0]!.n);
    log(`import results:                ${secs(resultMs)} s  (${rate(res.imported, resultMs)} lines/s), ${res.errors.length} errors`);
    log(`  CPU per line:                server ${((resultCpu.server * 1000) / res.imported).toFixed(1)} µs, PostgreSQL ${((resultCpu.pg * 1000) / res.imported).toFixed(1)} µs (incl. the event worker and the watcher)`);
    log(`retest tasks:                  ${tasks.toLocaleString()} (expected ${(positivePools.size * POOL).toLocaleString()}), written in the file's one transaction: all there ${secs(resultMs)} s after the import started`);
    await watcher;
    log(`individual positives → cases:  ${INDIVIDUAL_POSITIVE} cases (test.positive published in bulk, delivered after the file's commit), all confirmed ${secs(casesAt!)} s after the result import started`);
    await ctx.jobs.stop();
  } finally {
    await app?.close();
    await handle.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
