// Check-in ingest throughput: POST /api/checkins (signed venue QR + personal token, group commit) on a real embedded
// PostgreSQL, against a bare Fastify echo route in the same process/run, both driven by autocannon over loopback.
// Then verifies that every acknowledged (2xx) check-in is in the database.
//
//   npm run bench -- checkin            (BENCH_SECONDS=10 BENCH_CONNECTIONS=128 to change the load)
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import Fastify from 'fastify';
import { sql } from 'kysely';
import { buildApp } from '../server/src/app';
import { loadConfig, type Config } from '../server/src/config';
import { connectDatabase, migrate } from '../server/src/platform/db';
import { migrationSources } from '../server/src/platform/cli';
import { KeyRing } from '../server/src/platform/signing';
import { modules } from '../server/src/modules';
import { seedGeoDemo } from '../server/src/modules/geo';
import { personDeviceToken } from '../server/src/modules/people';
import { signVenueToken } from '../server/src/modules/venues';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 128);
const VENUES = 500;
const PEOPLE = Number(process.env.BENCH_PEOPLE ?? 50_000);

interface Run {
  rps: number;
  /** CPU time (user + system, all threads) of the load generator during the run, ms */
  cpuMs: number;
  p50: number;
  p99: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  acked: string[];
}

const LOADER = path.join(path.dirname(new URL(import.meta.url).pathname), '_load.ts');

/** Runs autocannon in a child process (its own event loop and core) and returns its figures. */
async function drive(dir: string, job: { url: string; venueTokens: string[]; personTokens: string[]; collectAcks: boolean }): Promise<Run> {
  const jobFile = path.join(dir, `job-${crypto.randomUUID()}.json`);
  const outFile = `${jobFile}.out`;
  fs.writeFileSync(jobFile, JSON.stringify({ ...job, seconds: SECONDS, connections: CONNECTIONS }));
  const child = spawn(process.execPath, ['--import', 'tsx', LOADER, jobFile, outFile], { stdio: 'inherit' });
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  if (code !== 0) throw new Error(`load generator exited with ${code}`);
  return JSON.parse(fs.readFileSync(outFile, 'utf8')) as Run;
}

async function startProfile(): Promise<() => Promise<object>> {
  const { Session } = await import('node:inspector');
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object) =>
    new Promise<unknown>((resolve, reject) => session.post(method, params ?? {}, (err, r) => (err ? reject(err) : resolve(r))));
  await post('Profiler.enable');
  await post('Profiler.start');
  return async () => {
    const r = (await post('Profiler.stop')) as { profile: object };
    session.disconnect();
    return r.profile;
  };
}

/** CPU time (ms, user + system) of the embedded PostgreSQL: the postmaster and all its children (backends, WAL writer, …). */
function postgresCpuMs(dataDir: string): number {
  let pid: number;
  try {
    pid = Number(fs.readFileSync(path.join(dataDir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);
  } catch {
    return NaN;
  }
  const tick = 1000 / 100; // CLK_TCK
  let ms = 0;
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const f = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      const fields = f.slice(f.lastIndexOf(')') + 2).split(' '); // fields from #3 (state) on
      if (Number(d) === pid || Number(fields[1]) === pid) ms += (Number(fields[11]) + Number(fields[12])) * tick;
    } catch {
      // process ended meanwhile
    }
  }
  return ms;
}

/** CPU time of the server process (all threads: event loop, libuv pool, GC), ms. */
const serverCpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

function engineStats(app: unknown): { flushes: number; rows: number; maxBatch: number; flushMs: number } {
  return (app as { vigilCheckinStats?: () => { flushes: number; rows: number; maxBatch: number; flushMs: number } }).vigilCheckinStats?.() ?? { flushes: 0, rows: 0, maxBatch: 0, flushMs: 0 };
}

export default async function main() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-bench-checkin-'));
  const handle = await connectDatabase({ dataDir, poolSize: 24 });
  const keys = KeyRing.inMemory();
  const echo = Fastify({ logger: false });
  let app: Awaited<ReturnType<typeof buildApp>> | null = null;
  try {
    process.stdout.write('preparing: embedded PostgreSQL, migrations, demo units… ');
    await migrate(handle.db, migrationSources(modules));
    await seedGeoDemo(handle.db, ['province', 'district', 'commune']);
    const communes = (await handle.db.selectFrom('admin_units').select('code').where('level', '=', 'commune').execute()).map((r) => r.code);
    await sql`
      insert into venues (code, name, type, commune_code, status, default_stay_minutes)
      select 'B-' || i, 'Địa điểm ' || i, 'market', (${communes}::text[])[1 + i % ${communes.length}], 'approved', 60
      from generate_series(1, ${VENUES}) i`.execute(handle.db);
    await sql`insert into venue_entrances (venue_id, name) select id, 'Lối vào chính' from venues`.execute(handle.db);
    await sql`
      insert into persons (full_name, name_key, phone, commune_code, source)
      select 'Người ' || i, 'nguoi ' || i, '+8491' || lpad(i::text, 7, '0'), (${communes}::text[])[1 + i % ${communes.length}], 'checkin'
      from generate_series(1, ${PEOPLE}) i`.execute(handle.db);
    const entrances = await handle.db.selectFrom('venue_entrances').select(['id', 'venue_id']).execute();
    const venueTokens = entrances.map((e) => signVenueToken(keys, e.id, e.venue_id, null));
    // what phones send after their first check-in: a device token naming the phone's device row
    const devices = await sql<{ id: string; person_id: string }>`
      insert into person_devices (person_id, origin, created_at, last_used_at) select id, 'form', now(), now() from persons
      returning id::text, person_id::text`.execute(handle.db);
    const personTokens = devices.rows.map((d) => personDeviceToken(keys, d.person_id, d.id));
    console.log(`${VENUES} venues, ${PEOPLE} people`);

    const config = loadConfig({}, { dataDir, jobs: false, logLevel: 'silent', trustProxy: true, publicUrl: 'http://bench.local' } as Partial<Config>);
    app = await buildApp(config, { database: handle, logger: false, keys, webDist: null });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const port = (app.server.address() as { port: number }).port;

    echo.post('/echo', async (req) => req.body);
    await echo.listen({ port: 0, host: '127.0.0.1' });
    const echoPort = (echo.server.address() as { port: number }).port;

    const pick = <T>(a: T[]) => a[Math.floor(Math.random() * a.length)]!;
    const checkinBody = () => JSON.stringify({ clientId: crypto.randomUUID(), venueToken: pick(venueTokens), people: [{ token: pick(personTokens) }] });
    const clientIp = () => ({ 'x-forwarded-for': `10.${Math.floor(Math.random() * 256)}.${Math.floor(Math.random() * 256)}.${1 + Math.floor(Math.random() * 254)}` });

    // warm-up (JIT, caches, connections), then the measured runs
    await new Promise((r) => setTimeout(r, 200));
    const warmEnd = Date.now() + 2000;
    while (Date.now() < warmEnd) {
      await Promise.all(
        Array.from({ length: 50 }, () =>
          fetch(`http://127.0.0.1:${port}/api/checkins`, { method: 'POST', headers: { 'content-type': 'application/json', ...clientIp() }, body: checkinBody() }),
        ),
      );
    }
    const before = Number((await sql<{ n: string }>`select count(*) as n from checkins`.execute(handle.db)).rows[0]!.n);

    console.log(`echo:     ${CONNECTIONS} connections, ${SECONDS} s …`);
    const echoCpu0 = serverCpuMs();
    const e = await drive(dataDir, { url: `http://127.0.0.1:${echoPort}/echo`, venueTokens, personTokens, collectAcks: false });
    const echoServerUs = ((serverCpuMs() - echoCpu0) * 1000) / Math.max(1, e.ok);
    console.log(`check-in: ${CONNECTIONS} connections, ${SECONDS} s …`);
    // BENCH_PROFILE=<file.cpuprofile>: CPU profile of the server process during the check-in run only
    const profiler = process.env.BENCH_PROFILE ? await startProfile() : null;
    const cpu0 = { server: serverCpuMs(), pg: postgresCpuMs(dataDir), stats: engineStats(app) };
    const c = await drive(dataDir, { url: `http://127.0.0.1:${port}/api/checkins`, venueTokens, personTokens, collectAcks: true });
    const cpu1 = { server: serverCpuMs(), pg: postgresCpuMs(dataDir), stats: engineStats(app) };
    if (profiler) fs.writeFileSync(process.env.BENCH_PROFILE!, JSON.stringify(await profiler()));
    const acked = c.acked;

    const stats = engineStats(app);
    await app.close(); // drains the batcher
    app = null;
    const after = Number((await sql<{ n: string }>`select count(*) as n from checkins`.execute(handle.db)).rows[0]!.n);
    let found = 0;
    for (let i = 0; i < acked.length; i += 10_000) {
      const part = acked.slice(i, i + 10_000);
      found += Number((await sql<{ n: string }>`select count(*) as n from checkins where client_id = any(${part}::uuid[])`.execute(handle.db)).rows[0]!.n);
    }
    console.log('');
    console.log(`bare Fastify echo: ${e.rps.toFixed(0)} req/s   p50 ${e.p50} ms   p99 ${e.p99} ms`);
    console.log(`POST /api/checkins: ${c.rps.toFixed(0)} check-ins/s   p50 ${c.p50} ms   p99 ${c.p99} ms   (2xx ${c.ok}, non-2xx ${c.non2xx}, errors ${c.errors}, timeouts ${c.timeouts})`);
    console.log(`ratio check-in / echo: ${(c.rps / e.rps).toFixed(2)}  (goal ≥ 0.60)`);
    const per = (ms: number) => ((ms * 1000) / Math.max(1, c.ok)).toFixed(0);
    const runFlushes = cpu1.stats.flushes - cpu0.stats.flushes;
    const runRows = cpu1.stats.rows - cpu0.stats.rows;
    console.log(
      `CPU per acknowledged check-in (check-in run only): server ${per(cpu1.server - cpu0.server)} µs, PostgreSQL ${per(cpu1.pg - cpu0.pg)} µs, load generator ${per(c.cpuMs)} µs;` +
        ` cores busy: server ${((cpu1.server - cpu0.server) / 1000 / SECONDS).toFixed(2)}, PostgreSQL ${((cpu1.pg - cpu0.pg) / 1000 / SECONDS).toFixed(2)}, load ${(c.cpuMs / 1000 / SECONDS).toFixed(2)}` +
        ` (echo run: ${echoServerUs.toFixed(0)} µs server and ${((e.cpuMs * 1000) / Math.max(1, e.ok)).toFixed(0)} µs load generator per request; load ${(e.cpuMs / 1000 / SECONDS).toFixed(2)} cores)`,
    );
    console.log(
      `group commit during the run: ${runFlushes} statements, avg ${(runRows / Math.max(1, runFlushes)).toFixed(1)} rows, avg ${((cpu1.stats.flushMs - cpu0.stats.flushMs) / Math.max(1, runFlushes)).toFixed(1)} ms from send to commit`,
    );
    console.log(`group commit: ${stats.flushes} INSERT statements for ${stats.rows} rows (avg ${(stats.rows / Math.max(1, stats.flushes)).toFixed(1)}, max ${stats.maxBatch} per statement)`);
    console.log(`durability: ${acked.length} acknowledged (2xx), ${found} of them found in the database; ${after - before} rows written in all (requests still in flight when the run stopped were written too) → ${found === acked.length ? 'OK' : 'MISSING ROWS'}`);
    console.log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, node ${process.version}`);
    if (found !== acked.length) process.exitCode = 1;
  } finally {
    await app?.close();
    await echo.close();
    await handle.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
