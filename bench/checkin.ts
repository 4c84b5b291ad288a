// Check-in ingest throughput: POST /api/checkins on a real embedded PostgreSQL, against a bare Fastify echo route in
// the same process, all driven by autocannon over loopback from a separate process. Three paths:
//   warm  a phone's check-in whose venue QR and person token the server has seen before (caches hot)
//   cold  first-seen venue QR (Ed25519 check) and either a new person (form → new record) or a first-seen personal QR
//         (Ed25519 check), half each
//   gate  a gate's queue sync: batches of BENCH_GATE_BATCH personal-QR scans, signed in as venue operators
// Then checks that every acknowledged (2xx) check-in is in the database, and prints the throughput the measured
// floors (load generator, bare route, PostgreSQL per row) would allow on this machine.
//
//   npm run bench -- checkin            (BENCH_SECONDS=10 BENCH_CONNECTIONS=128 BENCH_GATE_BATCH=50 to change the load)
//   BENCH_PROFILE=out.cpuprofile [BENCH_PROFILE_PATH=echo|warm|cold|gate] writes a CPU profile of the server during that
//                                       path (echo: the echo through the app's platform hooks)
//   BENCH_PATHS=warm,cold,gate,floor    the paths to run (floor: the measured floors, bench/_floor-routes.ts)
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import path from 'node:path';
import { spawn } from 'node:child_process';
import Fastify from 'fastify';
import { sql } from 'kysely';
import { buildApp } from '../server/src/app';
import { loadConfig, type Config } from '../server/src/config';
import { connectDatabase, openDatabase } from '../server/src/platform/db';
import { createUser } from '../server/src/platform/auth/service';
import { KeyRing, verify } from '../server/src/platform/signing';
import { deviceRegistry, personalQrToken, personDeviceToken } from '../server/src/modules/people';
import { signVenueToken } from '../server/src/modules/venues';
import type { LoadJob } from './_load';
import { gcMs, postgresCpuSample, postgresCpuSplit, serverCpuMs, startProfile } from './_cpu';
import { threadCpuMs } from '../server/src/platform/proc';
import { letters, seedCheckinProvince } from './_checkin-data';
import { coldBatchPgCost, signatureMathUs } from './_cold-floor';
import { registerFloorRoutes } from './_floor-routes';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 128);
const VENUES = 500;
const PEOPLE = Number(process.env.BENCH_PEOPLE ?? 50_000);
const GATE_BATCH = Number(process.env.BENCH_GATE_BATCH ?? 50);
/** Cold bodies prepared (each used once); more than a run can use on this kind of machine. */
const COLD_BODIES = Number(process.env.BENCH_COLD_BODIES ?? 40_000);

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
  exhausted?: boolean;
}

/** Where a cold body's client id ends: bodies start `{"clientId":"<uuid>"`. */
const CLIENT_ID_END = '{"clientId":"'.length + 36 + 1;

const LOADER = path.join(path.dirname(new URL(import.meta.url).pathname), '_load.ts');

/**
 * Runs autocannon in a child process (its own event loop and core) and returns its figures. `started` runs once the
 * job file is written and `ended` when the child has exited, before its output is read: the server's CPU is measured
 * between them, without the harness's own work (writing 40,000 cold bodies, reading the acknowledged ids).
 */
async function drive(dir: string, job: Omit<LoadJob, 'seconds' | 'connections'>, marks: { started?: () => void; ended?: () => void } = {}): Promise<Run> {
  const jobFile = path.join(dir, `job-${crypto.randomUUID()}.json`);
  const outFile = `${jobFile}.out`;
  fs.writeFileSync(jobFile, JSON.stringify({ ...job, seconds: SECONDS, connections: CONNECTIONS }));
  marks.started?.();
  const child = spawn(process.execPath, ['--import', 'tsx', LOADER, jobFile, outFile], { stdio: 'inherit' });
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  marks.ended?.();
  if (code !== 0) throw new Error(`load generator exited with ${code}`);
  return JSON.parse(fs.readFileSync(outFile, 'utf8')) as Run;
}

type BatchStats = { flushes: number; rows: number; maxBatch: number; flushMs: number };
/** The floor routes' group commit (bench/_floor-routes.ts), counted with the engine's: one path runs at a time. */
let floorStats: BatchStats | null = null;

function engineStats(app: unknown): BatchStats {
  const e = (app as { vigilCheckinStats?: () => BatchStats }).vigilCheckinStats?.() ?? { flushes: 0, rows: 0, maxBatch: 0, flushMs: 0 };
  const f = floorStats ?? { flushes: 0, rows: 0, maxBatch: 0, flushMs: 0 };
  return { flushes: e.flushes + f.flushes, rows: e.rows + f.rows, maxBatch: Math.max(e.maxBatch, f.maxBatch), flushMs: e.flushMs + f.flushMs };
}

interface Measured {
  name: string;
  run: Run;
  /** check-ins acknowledged per second */
  perSecond: number;
  serverUs: number;
  /** of serverUs: the main thread's (the event loop's), the rest being the signature workers, GC and libuv threads */
  mainThreadUs: number;
  /** the signature workers' batches and the checks in them; checks done on the event loop after a worker failed */
  sigBatches: number;
  sigChecks: number;
  sigOnLoop: number;
  /** checks alone in their turn, done on the event loop (VerifyPool.minBatch) */
  sigInline: number;
  /** share of the run the server's event loop was busy (1: the server's one thread was the limit) */
  elu: number;
  /** garbage-collection pauses per check-in (perf_hooks' gc entries: wall time, so a loaded box inflates it too) */
  gcUs: number;
  pgUs: number;
  /** of pgUs: the connections' backends (the statements themselves) */
  pgBackendsUs: number;
  loadUs: number;
  found: number;
  flushes: number;
  rows: number;
  flushMs: number;
  /** the app pool's connection checkouts (a statement, or a transaction's) during the run besides the group commit's */
  otherCheckouts: number;
}

export default async function main() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-bench-checkin-'));
  const embedded = await connectDatabase({ dataDir, poolSize: 24 });
  // BENCH_PG=tcp: the app's pool over loopback TCP instead of the embedded PostgreSQL's Unix socket (to compare)
  const transport = process.env.BENCH_PG === 'tcp' || embedded.url === embedded.postgres?.tcpUrl ? 'tcp' : 'socket';
  const handle = transport === 'tcp' && embedded.url !== embedded.postgres!.tcpUrl ? openDatabase(embedded.postgres!.tcpUrl, embedded.postgres, 24) : embedded;
  const keys = KeyRing.inMemory();
  const echo = Fastify({ logger: false });
  let app: Awaited<ReturnType<typeof buildApp>> | null = null;
  try {
    process.stdout.write('preparing: embedded PostgreSQL, migrations, demo units… ');
    const communes = await seedCheckinProvince(handle.db, { venues: VENUES, people: PEOPLE });
    const entrances = await handle.db.selectFrom('venue_entrances').select(['id', 'venue_id']).execute();
    const venueTokens = entrances.map((e) => signVenueToken(keys, e.id, e.venue_id, null));
    const personIds = (await handle.db.selectFrom('persons').select('id').execute()).map((p) => p.id);
    // what phones send after their first check-in: a device token naming the phone's device row
    const devices = await sql<{ id: string; person_id: string }>`
      insert into person_devices (person_id, origin, created_at, last_used_at) select id, 'form', now(), now() from persons
      returning id::text, person_id::text`.execute(handle.db);
    const personTokens = devices.rows.map((d) => personDeviceToken(keys, d.person_id, d.id));
    // cold: every body used once: a poster token never seen (another expiry → another token) and a new person or a
    // personal QR never seen
    const far = Date.parse('2030-01-01T00:00:00Z');
    const coldBodies = Array.from({ length: COLD_BODIES }, (_, i) => {
      const e = entrances[i % entrances.length]!;
      const venueToken = signVenueToken(keys, e.id, e.venue_id, new Date(far + i * 1000));
      const person =
        i % 2 === 0
          ? { fullName: `Khách ${letters(i)} Mới`, phone: `+8498${String(i).padStart(7, '0')}`, birthYear: 1950 + (i % 60), communeCode: communes[i % communes.length] }
          : { token: personalQrToken(keys, personIds[(i * 7919) % personIds.length]!) };
      return JSON.stringify({ clientId: crypto.randomUUID(), venueToken, people: [person] });
    });
    // the cold floor route's own bodies (each used once, as the cold path's): other client ids, other new people
    const floorBodies = coldBodies.map((b) => `{"clientId":"${crypto.randomUUID()}"${b.slice(CLIENT_ID_END)}`.replace('"phone":"+8498', '"phone":"+8497'));
    // gate: operators of 10 venues each, scanning printed personal QR codes
    const gateQr = personIds.slice(0, 5000).map((id) => personalQrToken(keys, id));
    console.log(`${VENUES} venues, ${PEOPLE} people, ${COLD_BODIES} cold bodies; the app reaches PostgreSQL over ${transport === 'tcp' ? 'loopback TCP' : 'its Unix socket'}`);

    const config = loadConfig({ VIGIL_SIGNATURE_WORKERS: process.env.VIGIL_SIGNATURE_WORKERS }, { dataDir, jobs: false, logLevel: 'silent', trustProxy: true, publicUrl: 'http://bench.local' } as Partial<Config>);
    app = await buildApp(config, { database: handle, logger: false, keys, webDist: null });
    // the same echo as the bare route, but inside the app: through every platform hook a public /api route passes
    // (database-down check, auth, NUL check, rate limit, compression, cookies, metrics): what the platform costs a
    // request before any check-in work
    app.post('/api/bench-echo', { config: { public: true, rateLimit: { max: 1e9, timeWindow: '1 minute' } }, bodyLimit: 256 * 1024, schema: { hide: true } }, async (req) => req.body);
    const floorVenues = new Map(entrances.map((e, i) => [venueTokens[i]!, { entranceId: e.id, venueId: e.venue_id }]));
    const floorPeople = new Map(devices.rows.map((d, i) => [personTokens[i]!, d.person_id]));
    floorStats = registerFloorRoutes(app, { pool: handle.pool, keys, verifyPool: app.vigil.verifyPool, venues: floorVenues, people: floorPeople });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const port = (app.server.address() as { port: number }).port;
    const base = `http://127.0.0.1:${port}`;

    const gate: { cookie: string; entrances: string[] }[] = [];
    for (let u = 0; u < 8; u++) {
      const username = `gate-bench-${u}`;
      await createUser(handle.db, app.vigil.access.resolver, null, { username, displayName: username, password: 'bench-password-123', role: 'venue_operator', jurisdictionCode: '40', personId: null });
      const uid = (await handle.db.selectFrom('users').select('id').where('username', '=', username).executeTakeFirstOrThrow()).id;
      const mine = entrances.slice(u * 10, u * 10 + 10);
      await handle.db.insertInto('venue_operators').values(mine.map((e) => ({ user_id: uid, venue_id: e.venue_id }))).execute();
      const login = await fetch(`${base}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-requested-with': 'vigil', 'x-forwarded-for': `10.200.0.${u + 1}` },
        body: JSON.stringify({ username, password: 'bench-password-123' }),
      });
      if (login.status !== 200) throw new Error(`gate login: ${login.status} ${await login.text()}`);
      gate.push({ cookie: String(login.headers.get('set-cookie')).split(';')[0]!, entrances: mine.map((e) => e.id) });
    }

    echo.post('/echo', async (req) => req.body);
    await echo.listen({ port: 0, host: '127.0.0.1' });
    const echoPort = (echo.server.address() as { port: number }).port;

    const pick = <T>(a: T[]) => a[Math.floor(Math.random() * a.length)]!;
    const checkinBody = () => JSON.stringify({ clientId: crypto.randomUUID(), venueToken: pick(venueTokens), people: [{ token: pick(personTokens) }] });
    const clientIp = () => ({ 'x-forwarded-for': `10.${Math.floor(Math.random() * 256)}.${Math.floor(Math.random() * 256)}.${1 + Math.floor(Math.random() * 254)}` });

    // warm-up: the warm path is defined as caches hot, so every venue QR is scanned once and every phone's device row
    // is read once (as a server that has run for a while has them; the cold path measures first sight), then JIT and
    // connections warm for 2 s, then the measured runs
    for (let i = 0; i < venueTokens.length; i += 50) {
      await Promise.all(
        venueTokens.slice(i, i + 50).map((venueToken) =>
          fetch(`${base}/api/checkins`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...clientIp() },
            body: JSON.stringify({ clientId: crypto.randomUUID(), venueToken, people: [{ token: pick(personTokens) }] }),
          }),
        ),
      );
    }
    const devicesOf = deviceRegistry(app.vigil);
    for (let i = 0; i < personTokens.length; i += 2000) await Promise.all(personTokens.slice(i, i + 2000).map((t) => devicesOf.verify(t, new Date())));
    const warmEnd = Date.now() + 2000;
    while (Date.now() < warmEnd) {
      await Promise.all(
        Array.from({ length: 50 }, () => fetch(`${base}/api/checkins`, { method: 'POST', headers: { 'content-type': 'application/json', ...clientIp() }, body: checkinBody() })),
      );
    }
    // every statement (or transaction) the app sends takes a connection from this pool: what a path causes besides its
    // group-commit statements shows as checkouts beyond them
    let checkouts = 0;
    handle.pool.on('acquire', () => checkouts++);
    const countRows = async () => Number((await sql<{ n: string }>`select count(*) as n from checkins`.execute(handle.db)).rows[0]!.n);
    const before = await countRows();

    // The bare echo runs twice, first and last, and the ratios are taken to the faster run: on a shared box a burst of
    // other work during one echo run slows it and would inflate every ratio (one run here read warm 0.52 against an
    // echo at 26k/s, while the echo runs 39–44k on a quiet box).
    const bareEcho = async (when: string) => {
      console.log(`echo (${when}): ${CONNECTIONS} connections, ${SECONDS} s …`);
      let cpu0 = 0;
      let cpu1 = 0;
      const run = await drive(
        dataDir,
        { url: `http://127.0.0.1:${echoPort}/echo`, mode: 'warm', venueTokens, personTokens, collectAcks: false },
        { started: () => (cpu0 = serverCpuMs()), ended: () => (cpu1 = serverCpuMs()) },
      );
      return { run, serverUs: ((cpu1 - cpu0) * 1000) / Math.max(1, run.ok), loadUs: (run.cpuMs * 1000) / Math.max(1, run.ok) };
    };
    const echoFirst = await bareEcho('first');

    console.log(`echo through the app's platform hooks: ${CONNECTIONS} connections, ${SECONDS} s …`);
    let appEchoCpu0 = 0;
    let appEchoCpu1 = 0;
    const echoProfiler = process.env.BENCH_PROFILE && process.env.BENCH_PROFILE_PATH === 'echo' ? await startProfile() : null;
    const ae = await drive(
      dataDir,
      { url: `${base}/api/bench-echo`, mode: 'warm', venueTokens, personTokens, collectAcks: false },
      { started: () => (appEchoCpu0 = serverCpuMs()), ended: () => (appEchoCpu1 = serverCpuMs()) },
    );
    if (echoProfiler) fs.writeFileSync(process.env.BENCH_PROFILE!, JSON.stringify(await echoProfiler()));
    const appEchoServerUs = ((appEchoCpu1 - appEchoCpu0) * 1000) / Math.max(1, ae.ok);

    const measure = async (name: string, job: Omit<LoadJob, 'seconds' | 'connections' | 'url' | 'collectAcks'>, profile = false, url = `${base}/api/checkins`): Promise<Measured> => {
      console.log(`${name}: ${CONNECTIONS} connections, ${SECONDS} s …`);
      const profiler = profile && process.env.BENCH_PROFILE ? await startProfile() : null;
      // (the server's own CPU is read innermost: scanning /proc for PostgreSQL's is the harness's work)
      const at = (first: 'server' | 'pg') => {
        const pg0 = first === 'pg' ? postgresCpuSample(dataDir) : null;
        const server = serverCpuMs();
        const mainThread = threadCpuMs() ?? NaN;
        // (a build without the signature workers, e.g. main's snapshot in a paired run: zeros)
        const sig = { batches: 0, checks: 0, onLoop: 0, inline: 0, restarts: 0, ...(app?.vigil as { verifyPool?: { stats: object } } | undefined)?.verifyPool?.stats };
        return { elu: performance.eventLoopUtilization(), server, mainThread, sig, gc: gcMs(), pg: pg0 ?? postgresCpuSample(dataDir), stats: engineStats(app), checkouts };
      };
      let cpu0 = at('pg');
      let cpu1 = cpu0;
      const run = await drive(dataDir, { url, collectAcks: true, ...job }, { started: () => (cpu0 = at('pg')), ended: () => (cpu1 = at('server')) });
      if (profiler) fs.writeFileSync(process.env.BENCH_PROFILE!, JSON.stringify(await profiler()));
      let found = 0;
      for (let i = 0; i < run.acked.length; i += 10_000) {
        const part = run.acked.slice(i, i + 10_000);
        found += Number(
          (await sql<{ n: string }>`
            select count(*) as n from checkin_keys k join checkins c on c.id = k.id and c.checkin_at = k.checkin_at
            where k.client_id = any(${part}::uuid[])`.execute(handle.db)).rows[0]!.n,
        );
      }
      const n = Math.max(1, run.acked.length);
      return {
        name,
        run,
        perSecond: run.acked.length / SECONDS,
        serverUs: ((cpu1.server - cpu0.server) * 1000) / n,
        mainThreadUs: ((cpu1.mainThread - cpu0.mainThread) * 1000) / n,
        sigBatches: cpu1.sig.batches - cpu0.sig.batches,
        sigChecks: cpu1.sig.checks - cpu0.sig.checks,
        sigOnLoop: cpu1.sig.onLoop - cpu0.sig.onLoop,
        sigInline: cpu1.sig.inline - cpu0.sig.inline,
        elu: performance.eventLoopUtilization(cpu1.elu, cpu0.elu).utilization,
        gcUs: ((cpu1.gc - cpu0.gc) * 1000) / n,
        pgUs: ((cpu1.pg.total - cpu0.pg.total) * 1000) / n,
        pgBackendsUs: (postgresCpuSplit(cpu0.pg, cpu1.pg).backends * 1000) / n,
        loadUs: (run.cpuMs * 1000) / n,
        found,
        flushes: cpu1.stats.flushes - cpu0.stats.flushes,
        rows: cpu1.stats.rows - cpu0.stats.rows,
        flushMs: cpu1.stats.flushMs - cpu0.stats.flushMs,
        otherCheckouts: cpu1.checkouts - cpu0.checkouts - (cpu1.stats.flushes - cpu0.stats.flushes),
      };
    };
    const paths = (process.env.BENCH_PATHS ?? 'warm,cold,gate,floor').split(',');
    const skipped = (name: string): Measured => ({ name, run: { rps: 0, cpuMs: 0, p50: 0, p99: 0, ok: 0, non2xx: 0, errors: 0, timeouts: 0, acked: [] }, perSecond: 0, serverUs: 0, mainThreadUs: 0, sigBatches: 0, sigChecks: 0, sigOnLoop: 0, sigInline: 0, elu: 0, gcUs: 0, pgUs: 0, pgBackendsUs: 0, loadUs: 0, found: 0, flushes: 0, rows: 0, flushMs: 0, otherCheckouts: 0 });
    const profiled = process.env.BENCH_PROFILE_PATH ?? 'warm';
    const warm = paths.includes('warm') ? await measure('warm check-in', { mode: 'warm', venueTokens, personTokens }, profiled === 'warm') : skipped('warm (skipped)');
    const cold = paths.includes('cold') ? await measure('cold check-in', { mode: 'cold', bodies: coldBodies }, profiled === 'cold') : skipped('cold (skipped)');
    const gated = paths.includes('gate') ? await measure(`gate batches of ${GATE_BATCH}`, { mode: 'gate', gate, personTokens: gateQr, batchSize: GATE_BATCH }, profiled === 'gate') : skipped('gate (skipped)');

    // the measured floors (bench/_floor-routes.ts): only what a check-in cannot do without, in the same closed loop
    const floors = paths.includes('floor')
      ? [
          await measure('warm floor route', { mode: 'warm', venueTokens, personTokens }, false, `${base}/api/bench-floor/warm`),
          await measure('cold floor route', { mode: 'cold', bodies: floorBodies }, false, `${base}/api/bench-floor/cold`),
        ]
      : [];

    const echoLast = await bareEcho('last');
    const echoBest = echoFirst.run.rps >= echoLast.run.rps ? echoFirst : echoLast;
    const e = echoBest.run;
    const echoServerUs = echoBest.serverUs;
    const echoLoadUs = echoBest.loadUs;

    await app.close(); // drains the batcher
    app = null;
    const after = await countRows();
    console.log('');
    console.log(
      `bare Fastify echo: ${e.rps.toFixed(0)} req/s   p50 ${e.p50} ms   p99 ${e.p99} ms   (server ${echoServerUs.toFixed(0)} µs, load generator ${echoLoadUs.toFixed(0)} µs per request;` +
        ` the faster of its runs first and last: ${echoFirst.run.rps.toFixed(0)} and ${echoLast.run.rps.toFixed(0)} req/s; every ratio is to it)`,
    );
    console.log(
      `echo through the app's platform hooks: ${ae.rps.toFixed(0)} req/s (2xx ${ae.ok}, non-2xx ${ae.non2xx})   server ${appEchoServerUs.toFixed(0)} µs per request` +
        ` (platform hooks ≈ ${(appEchoServerUs - echoServerUs).toFixed(0)} µs over the bare route; the check-in's own work ≈ warm server − this)`,
    );
    for (const m of [warm, cold, gated, ...floors]) {
      const r = m.run;
      console.log(
        `${m.name.padEnd(22)} ${m.perSecond.toFixed(0).padStart(6)} check-ins/s  ratio/echo ${(m.perSecond / e.rps).toFixed(2)}   p50 ${r.p50} ms  p99 ${r.p99} ms   (2xx ${r.ok}, non-2xx ${r.non2xx}, errors ${r.errors}, timeouts ${r.timeouts}${r.exhausted ? ', COLD BODIES RAN OUT: later requests were warm' : ''})`,
      );
      console.log(
        `${''.padEnd(22)} CPU per check-in: server ${m.serverUs.toFixed(0)} µs (main thread ${m.mainThreadUs.toFixed(0)} µs; signature workers: ${m.sigChecks} checks in ${m.sigBatches} batches, ${(m.sigChecks / Math.max(1, m.sigBatches)).toFixed(1)} a batch, ${m.sigInline} alone in their turn and done on the event loop, ${m.sigOnLoop} redone there after a worker failed; event loop busy ${(m.elu * 100).toFixed(0)}% of the run, GC pauses ${m.gcUs.toFixed(0)} µs wall), PostgreSQL ${m.pgUs.toFixed(0)} µs (its connections ${m.pgBackendsUs.toFixed(0)}, background and autovacuum ${(m.pgUs - m.pgBackendsUs).toFixed(0)}), load generator ${m.loadUs.toFixed(0)} µs;` +
          ` group commit ${m.flushes} statements, avg ${(m.rows / Math.max(1, m.flushes)).toFixed(1)} rows, ${(m.flushMs / Math.max(1, m.flushes)).toFixed(1)} ms send→commit;` +
          ` other statements ${((m.otherCheckouts * 1000) / Math.max(1, r.acked.length)).toFixed(1)} per 1000 check-ins (${m.otherCheckouts} pool checkouts: the change feed's reads, ≈ 1 a second, and whatever a check-in causes besides the batch);` +
          ` durability ${m.found}/${r.acked.length} acknowledged found ${m.found === r.acked.length ? 'OK' : 'MISSING'}`,
      );
    }
    console.log(`goals: warm ratio ≥ 0.45 (now ${(warm.perSecond / e.rps).toFixed(2)}), cold ≥ 0.25 (now ${(cold.perSecond / e.rps).toFixed(2)})`);
    // What the floors allow: the cores of this box shared by the load generator (per request), the bare route (per
    // request) and PostgreSQL (per row), if the check-in code itself cost nothing beyond the bare route.
    const cores = os.cpus().length;
    const floorUs = echoLoadUs + echoServerUs + warm.pgUs;
    const limit = (cores * 1e6) / floorUs;
    console.log(
      `floors on this box (${cores} cores): load generator ${echoLoadUs.toFixed(0)} µs + bare route ${echoServerUs.toFixed(0)} µs + PostgreSQL ${warm.pgUs.toFixed(0)} µs per check-in` +
        ` → at most ${limit.toFixed(0)} check-ins/s (ratio ${(limit / e.rps).toFixed(2)} of the echo run); warm reaches ${((warm.perSecond / limit) * 100).toFixed(0)}% of that`,
    );
    // The cold path's own floor: every cold body carries a poster never seen (one Ed25519 check) and half of them a
    // personal QR never seen (another): signatures that cannot be skipped or cached, measured here on this machine
    // with the verifier the server uses (platform/signing: libsodium through sodium-native, on the event loop; node:crypto where it cannot load).
    const sample = coldBodies.slice(0, 400).map((b) => JSON.parse(b) as { venueToken: string; people: { token?: string }[] });
    const tokens = sample.flatMap((b) => [b.venueToken, ...b.people.flatMap((p) => (p.token ? [p.token] : []))]);
    // verify() whole, as the server runs it on a first-seen token (shape, key, signature, payload, type, expiry); the
    // best of three rounds, as the math alone below
    let ed25519Us = Infinity;
    for (let round = 0; round < 3; round++) {
      const sig0 = serverCpuMs();
      for (const tk of tokens) verify(keys, tk, { expectedType: ['v', 'p'], now: new Date() }); // venue poster, personal QR
      ed25519Us = Math.min(ed25519Us, ((serverCpuMs() - sig0) * 1000) / tokens.length);
    }
    const perCold = tokens.length / sample.length;
    const coldFloorUs = echoLoadUs + echoServerUs + perCold * ed25519Us + warm.pgUs;
    console.log(
      `cold floor: load generator ${echoLoadUs.toFixed(0)} µs + bare route ${echoServerUs.toFixed(0)} µs + ${perCold.toFixed(2)} Ed25519 checks (${keys.ed25519.name}) × ${ed25519Us.toFixed(0)} µs + PostgreSQL per row ${warm.pgUs.toFixed(0)} µs` +
        ` = ${coldFloorUs.toFixed(0)} µs per cold check-in before any new person is written → at most ${((cores * 1e6) / coldFloorUs).toFixed(0)} check-ins/s (ratio ${((cores * 1e6) / coldFloorUs / e.rps).toFixed(2)} of the echo run)`,
    );
    // The same floors with what a public check-in must run besides its own code, each as measured in this run: the
    // platform hooks every route runs (rate limit, NUL check, database-down check, auth guard: the echo through them),
    // the load generator's own cost for this path's requests and answers, the signatures that cannot be cached, and
    // PostgreSQL's writes for this path. What is left of each goal's CPU budget is all the check-in's own Node code
    // (token caches, validation, batcher, answer) may spend; negative: the goal is out of reach before that code runs.
    const budget = (goal: number) => (cores * 1e6) / (goal * e.rps);
    for (const [m, goal, sigs] of [[warm, 0.45, 0], [cold, 0.25, perCold]] as const) {
      if (!m.perSecond) continue;
      const mustUs = m.loadUs + appEchoServerUs + sigs * ed25519Us + m.pgUs;
      const ownUs = m.serverUs - appEchoServerUs - sigs * ed25519Us;
      console.log(
        `${m.name} with what it must run: load generator ${m.loadUs.toFixed(0)} µs + platform hooks and route ${appEchoServerUs.toFixed(0)} µs` +
          (sigs ? ` + ${sigs.toFixed(2)} × ${ed25519Us.toFixed(0)} µs Ed25519` : '') +
          ` + PostgreSQL ${m.pgUs.toFixed(0)} µs = ${mustUs.toFixed(0)} µs → ratio at most ${(((cores * 1e6) / mustUs) / e.rps).toFixed(2)};` +
          ` the goal ${goal} allows ${budget(goal).toFixed(0)} µs of CPU per check-in, leaving ${(budget(goal) - mustUs).toFixed(0)} µs for the check-in's own code (it takes ${ownUs.toFixed(0)} µs)`,
      );
    }
    // The cold goal's floor: what a cold check-in cannot do without, each part measured on this machine in this run —
    // the load generator's cost for this path's requests and answers, the platform hooks every public route runs (the
    // echo through them), the Ed25519 math alone (libsodium's check on bytes already split and decoded: not the
    // token's shape check, decode, payload or key look-up, which verify() adds), and PostgreSQL storing cold batches
    // of the HTTP run's size on one connection (bench/checkin-pg.ts's cold shape: every other row a new person and its
    // device row). Nothing of the check-in's own code is in it; what the goal leaves above it is all that code may
    // spend. (Measured after the runs, on a quiet process and connection: lower than the same work inside a run.)
    if (cold.perSecond && cold.flushes) {
      const mathUs = signatureMathUs(keys, tokens);
      const batch = Math.max(1, Math.round(cold.rows / cold.flushes));
      const store = await coldBatchPgCost({ url: handle.url, dataDir, batch, batches: Number(process.env.BENCH_FLOOR_BATCHES ?? 150), entrances, personIds, communes });
      const floorUs = cold.loadUs + appEchoServerUs + perCold * mathUs + store.allUs;
      const ownUs = cold.serverUs - appEchoServerUs - perCold * mathUs;
      console.log(
        `cold goal's floor: load generator ${cold.loadUs.toFixed(0)} µs (the echo's ${echoLoadUs.toFixed(0)}) + platform hooks and route ${appEchoServerUs.toFixed(0)} µs` +
          ` + ${perCold.toFixed(2)} × ${mathUs.toFixed(1)} µs Ed25519 math alone (${keys.ed25519.name}; verify() whole ${ed25519Us.toFixed(1)})` +
          ` + PostgreSQL storing cold batches of ${batch} rows ${store.allUs.toFixed(1)} µs a row (its connection ${store.backendUs.toFixed(1)}; the HTTP run's PostgreSQL ${cold.pgUs.toFixed(0)})` +
          ` = ${floorUs.toFixed(0)} µs → ratio at most ${((cores * 1e6) / floorUs / e.rps).toFixed(2)} of the echo run;` +
          ` the goal 0.25 allows ${budget(0.25).toFixed(0)} µs, leaving ${(budget(0.25) - floorUs).toFixed(0)} µs for the check-in's own server code (it takes ${ownUs.toFixed(0)} µs:` +
          ` the server's ${cold.serverUs.toFixed(0)} less the hooks and the signature math) and PostgreSQL's share of the concurrency (${(cold.pgUs - store.allUs).toFixed(0)} µs)`,
      );
    }
    console.log(`rows written in all: ${after - before} (requests in flight when a run stopped were written too)`);
    console.log(`PostgreSQL connection: ${transport === 'tcp' ? 'loopback TCP' : 'Unix socket'} (BENCH_PG=tcp|socket)`);
    console.log(`machine: ${cores} × ${os.cpus()[0]?.model ?? 'cpu'}, node ${process.version}, load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
    // The measured floors: what the two routes that do only what a check-in cannot do without reached in the same
    // closed loop, and what their CPU per check-in (server + PostgreSQL + load generator, measured in their runs)
    // would allow if both cores were busy all the time (the echo itself keeps them ≈ 95 % busy).
    if (floors.length) {
      for (const [f, real, goal] of [[floors[0]!, warm, 0.45], [floors[1]!, cold, 0.25]] as const) {
        const allUs = f.serverUs + f.pgUs + f.loadUs;
        const bound = (cores * 1e6) / allUs;
        console.log(
          `${f.name}: ratio ${(f.perSecond / e.rps).toFixed(2)} of the echo (goal ${goal}${real.perSecond ? `; the real path reaches ${((real.perSecond / Math.max(1, f.perSecond)) * 100).toFixed(0)}% of it` : ''});` +
            ` its CPU per check-in ${allUs.toFixed(0)} µs (server ${f.serverUs.toFixed(0)} + PostgreSQL ${f.pgUs.toFixed(0)} + load generator ${f.loadUs.toFixed(0)})` +
            ` → with both cores busy all the time at most ${bound.toFixed(0)}/s, ratio ${(bound / e.rps).toFixed(2)}; the goal needs ≤ ${budget(goal).toFixed(0)} µs`,
        );
      }
    }
    if ([warm, cold, gated, ...floors].some((m) => m.found !== m.run.acked.length)) process.exitCode = 1;
  } finally {
    await app?.close();
    await echo.close();
    await handle.close();
    await embedded.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
