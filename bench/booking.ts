// Booking throughput: POST /api/vaccination/bookings on a real embedded PostgreSQL by 500 concurrent clients over
// loopback (autocannon in a separate process), against a bare Fastify echo route driven the same way in the same
// run. 650 sites with one session each; the seats are fewer than the requests (5 % of the bodies aim at random
// slots that fill up), so slots run full under concurrency. Then verifies: every 2xx is a stored booking (zero lost),
// no slot holds more bookings than seats and every slot's counter equals its bookings (zero overbooking).
//
//   npm run bench -- booking     (BENCH_BOOKINGS=100000 BENCH_CONNECTIONS=500 BENCH_SITES=650 to change the load;
//                                 BENCH_PROFILE=out.cpuprofile writes a CPU profile of the server during the bookings)
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
import { createUser } from '../server/src/platform/auth/service';
import { migrationSources } from '../server/src/platform/cli';
import { KeyRing } from '../server/src/platform/signing';
import { modules } from '../server/src/modules';
import { seedGeoDemo } from '../server/src/modules/geo';
import type { Db } from '../server/src/platform/db/types';
import { countQueries, cpuMeter, startProfile } from './_cpu';

const BOOKINGS = Number(process.env.BENCH_BOOKINGS ?? 100_000);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 500);
const SITES = Number(process.env.BENCH_SITES ?? 650);
const SLOTS_PER_SESSION = 16;
const STAFF = 20;
const LOADER = path.join(path.dirname(new URL(import.meta.url).pathname), '_booking-load.ts');

interface Run {
  cpuMs: number;
  seconds: number;
  p50: number;
  p99: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  tally: Record<string, number>;
  acked: string[];
}

async function drive(dir: string, url: string, bodies: string[], cookies: string[]): Promise<Run> {
  const jobFile = path.join(dir, `job-${crypto.randomUUID()}.json`);
  fs.writeFileSync(jobFile, JSON.stringify({ url, connections: CONNECTIONS, bodies, cookies }));
  const child = spawn(process.execPath, ['--import', 'tsx', LOADER, jobFile, `${jobFile}.out`], { stdio: 'inherit' });
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  if (code !== 0) throw new Error(`load generator exited with ${code}`);
  return JSON.parse(fs.readFileSync(`${jobFile}.out`, 'utf8')) as Run;
}

/** The bench's province: migrations, units, 650 sites with one session of 16 slots each, the people registered; one booking body per person. */
export async function prepare(db: Db) {
  await migrate(db, migrationSources(modules));
  await seedGeoDemo(db, ['province', 'district', 'commune']);
  const communes = (await db.selectFrom('admin_units').select('code').where('level', '=', 'commune').where('path', 'like', '/VN/40/%').execute()).map((r) => r.code);
  const day = '2030-06-03';
  const campaign = (
    await sql<{ id: string }>`insert into vaccination_campaigns (name, unit_code, starts_on, ends_on, product_codes) values ('Bench', '40', '2030-01-01', '2030-12-31', '{EU/1/20/1528}') returning id`.execute(db)
  ).rows[0]!.id;
  await sql`insert into vaccination_sites (code, name, commune_code, capacity_per_hour) select 'B-' || i, 'Điểm tiêm ' || i, (${communes}::text[])[1 + i % ${communes.length}], 100 from generate_series(1, ${SITES}) i`.execute(db);
  await sql`insert into vaccination_sessions (campaign_id, site_id, day, product_code) select ${campaign}, id, ${day}, 'EU/1/20/1528' from vaccination_sites`.execute(db);
  // seats: 95 % of the requests, spread over the slots
  const slotCount = SITES * SLOTS_PER_SESSION;
  const seats = Math.floor(BOOKINGS * 0.95);
  await sql`insert into vaccination_slots (session_id, starts_at, ends_at, capacity)
    select s.id, ${day}::date + time '07:00' + (k * interval '30 minutes') - interval '7 hours', ${day}::date + time '07:30' + (k * interval '30 minutes') - interval '7 hours',
           ${Math.floor(seats / slotCount)} + case when (row_number() over ()) <= ${seats % slotCount} then 1 else 0 end
    from vaccination_sessions s cross join generate_series(0, ${SLOTS_PER_SESSION - 1}) k`.execute(db);
  const slots = (await sql<{ id: string; capacity: number }>`select id, capacity from vaccination_slots order by id`.execute(db)).rows;
  await sql`insert into persons (full_name, name_key, phone, commune_code, source)
    select 'Người ' || i, 'nguoi ' || i, '+8491' || lpad(i::text, 7, '0'), (${communes}::text[])[1 + i % ${communes.length}], 'import' from generate_series(1, ${BOOKINGS}) i`.execute(db);
  const people = (await sql<{ id: string }>`select id from persons order by id`.execute(db)).rows.map((r) => r.id);
  await sql`insert into vaccination_registrations (campaign_id, person_id, channel, commune_code) select ${campaign}, id, 'bulk', commune_code from persons`.execute(db);
  // one body per person: the seats of every slot in turn, then the rest at random slots (they find them full)
  const targets: string[] = [];
  for (const s of slots) for (let k = 0; k < s.capacity; k++) targets.push(s.id);
  while (targets.length < BOOKINGS) targets.push(slots[Math.floor(Math.random() * slots.length)]!.id);
  for (let i = targets.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [targets[i], targets[j]] = [targets[j]!, targets[i]!];
  }
  const bodies = people.map((p, i) => JSON.stringify({ personId: p, slotId: targets[i], doseNumber: 1 }));
  return { slots, seats, bodies, targets, people };
}

const bookingStats = (app: object) =>
  (app as { vigilBookingStats?: () => { flushes: number; rows: number; maxBatch: number; flushMs: number } }).vigilBookingStats?.() ?? { flushes: 0, rows: 0, maxBatch: 0, flushMs: 0 };

export default async function main() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-bench-booking-'));
  const handle = await connectDatabase({ dataDir, poolSize: 24 });
  const echo = Fastify({ logger: false });
  let app: Awaited<ReturnType<typeof buildApp>> | null = null;
  try {
    process.stdout.write('preparing: embedded PostgreSQL, migrations, units, sites, people… ');
    const { slots, seats, bodies } = await prepare(handle.db);
    console.log(`${SITES} sites, ${slots.length} slots, ${seats} seats, ${BOOKINGS} people`);

    const config = loadConfig({}, { dataDir, jobs: false, logLevel: 'silent', trustProxy: true, publicUrl: 'http://bench.local' } as Partial<Config>);
    app = await buildApp(config, { database: handle, logger: false, keys: KeyRing.inMemory(), webDist: null });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
    const cookies: string[] = [];
    for (let u = 0; u < STAFF; u++) {
      const username = `vacc-bench-${u}`;
      await createUser(handle.db, app.vigil.access.resolver, null, { username, displayName: username, password: 'bench-password-123', role: 'vaccination_staff', jurisdictionCode: '40', personId: null });
      const login = await fetch(`${base}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-requested-with': 'vigil', 'x-forwarded-for': `10.201.0.${u + 1}` },
        body: JSON.stringify({ username, password: 'bench-password-123' }),
      });
      if (login.status !== 200) throw new Error(`login: ${login.status} ${await login.text()}`);
      cookies.push(String(login.headers.get('set-cookie')).split(';')[0]!);
    }
    echo.post('/echo', async (req) => req.body);
    await echo.listen({ port: 0, host: '127.0.0.1' });
    const echoUrl = `http://127.0.0.1:${(echo.server.address() as { port: number }).port}/echo`;

    console.log(`echo:    ${CONNECTIONS} connections, ${bodies.length} requests …`);
    const echoCpu = cpuMeter(dataDir);
    const e = await drive(dataDir, echoUrl, bodies, cookies);
    const echoUsed = echoCpu();
    const echoRps = e.ok / e.seconds;
    console.log(`booking: ${CONNECTIONS} connections, ${bodies.length} requests …`);
    const queries = countQueries();
    const cpu = cpuMeter(dataDir);
    const batches0 = bookingStats(app);
    const profiler = process.env.BENCH_PROFILE ? await startProfile() : null;
    const b = await drive(dataDir, `${base}/api/vaccination/bookings`, bodies, cookies);
    const used = cpu();
    if (profiler) fs.writeFileSync(process.env.BENCH_PROFILE!, JSON.stringify(await profiler()));
    const batches1 = bookingStats(app);
    const flushes = batches1.flushes - batches0.flushes;
    queries.restore();
    const created = b.tally['201'] ?? 0;
    const full = b.tally['409'] ?? 0;
    const other = Object.entries(b.tally).filter(([k]) => k !== '201' && k !== '409').map(([k, n]) => `${n}×${k}`).join(', ');
    const perSecond = created / b.seconds;

    const check = (
      await sql<{ live: number; over: number; drift: number; missing: number }>`
        select (select count(*)::int from vaccination_bookings where status = 'booked') as live,
               (select count(*)::int from vaccination_slots where booked > capacity) as over,
               (select count(*)::int from vaccination_slots sl left join (select slot_id, count(*)::int as n from vaccination_bookings where status = 'booked' group by slot_id) b on b.slot_id = sl.id
                 where sl.booked <> coalesce(b.n, 0)) as drift,
               (select count(*)::int from unnest(${b.acked}::uuid[]) a(id) where not exists (select 1 from vaccination_bookings x where x.id = a.id and x.status = 'booked')) as missing`.execute(handle.db)
    ).rows[0]!;
    const lost = check.missing;
    const row = (name: string, rps: number, r: Run) => `${name.padEnd(9)} ${rps.toFixed(0).padStart(7)}/s   p50 ${String(r.p50).padStart(5)} ms   p99 ${String(r.p99).padStart(5)} ms   errors ${r.errors} timeouts ${r.timeouts}`;
    console.log('');
    console.log(row('echo', echoRps, e));
    console.log(row('bookings', perSecond, b));
    console.log(`answers:  ${created} booked (201), ${full} slot full (409)${other ? `, other: ${other}` : ''}; sent ${b.ok + b.non2xx} of ${bodies.length}`);
    console.log(`database: ${(queries.n / bodies.length).toFixed(2)} statements per request (sessions come from memory; per batch of bookings: its people, then one call writing bookings, counters and audit rows; the slot facts once a minute, read together; the session change feed once a second)`);
    console.log(`batches:  ${flushes} group commits, ${((batches1.rows - batches0.rows) / flushes).toFixed(1)} requests each on average (largest ${batches1.maxBatch}), ${((batches1.flushMs - batches0.flushMs) / flushes).toFixed(1)} ms each from start to commit`);
    console.log(`CPU:      per request server ${((used.serverMs * 1000) / bodies.length).toFixed(0)} µs, PostgreSQL ${((used.pgMs * 1000) / bodies.length).toFixed(0)} µs (load generator ${((b.cpuMs * 1000) / bodies.length).toFixed(0)} µs); echo: server ${((echoUsed.serverMs * 1000) / bodies.length).toFixed(0)} µs, load generator ${((e.cpuMs * 1000) / bodies.length).toFixed(0)} µs`);
    console.log(`ratio:    bookings/s ÷ echo requests/s = ${(perSecond / echoRps).toFixed(3)}   (goal ≥ 0.15)`);
    console.log(`verify:   stored live bookings ${check.live}; acknowledged but not stored (lost) ${lost}; slots over capacity ${check.over}; slots whose counter ≠ bookings ${check.drift}`);
    console.log(`          seats ${seats}: ${created === seats ? 'all taken' : `${seats - created} left`}`);
    if (lost !== 0 || check.over !== 0 || check.drift !== 0 || created !== b.acked.length) {
      console.error('FAILED: overbooking, lost bookings or unexpected answers');
      process.exitCode = 1;
    }
  } finally {
    await echo.close();
    await app?.close();
    await handle.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
