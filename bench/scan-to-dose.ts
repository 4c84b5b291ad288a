// Site-day latency: 200 vaccination sites at once (BENCH_SITES), each a staff member signed in at their site walking
// people through the calls the site-day page makes — scan the personal QR (POST /api/vaccination/scan), screening with
// consent (POST /api/vaccination/screenings), the dose (POST /api/vaccination/doses) — from a load generator in a
// separate process, on a real embedded PostgreSQL. Two runs, printed side by side so one is never taken for the other:
//
// 1. Saturation (closed loop, zero think time): every site starts its next person the moment the last dose is
//    answered (BENCH_PEOPLE_PER_SITE each). Gives the server's maximum people/s; its latencies are queueing
//    (Little's law: 200 flows in flight ÷ throughput), not what a site feels.
// 2. Paced (open loop): people arrive at each site as a Poisson process, one every BENCH_SITE_INTERVAL_S seconds on
//    average (default 15), for BENCH_PACED_SECONDS (default 60), every site at once; a person's flow starts at their
//    arrival whether or not earlier people are done (several tables). scan → dose recorded is measured from the
//    scheduled arrival. The pace: HCMC, June 2021, gave ~836,000 doses in 5 days at ~650 sites ≈ 257 a site a day ≈
//    one every 2–3 minutes over a 10-hour day; one every 15 s is a very busy site with several tables, ~10× that.
//    Goal: scan → dose recorded p99 ≤ 50 ms (the system's part: the three calls, not the staff's questions).
//
// Each run prints the CPU the server process and PostgreSQL spent per flow (scan + screening + dose) and the
// statements sent per flow. Then checks every recorded dose is stored once and each lot's counter matches.
//
//   npm run bench -- scan-to-dose
//   BENCH_PROFILE=out.cpuprofile [BENCH_PROFILE_RUN=saturation|paced] writes a CPU profile of the server during that run
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { sql } from 'kysely';
import { buildApp } from '../server/src/app';
import { loadConfig, type Config } from '../server/src/config';
import { connectDatabase, migrate } from '../server/src/platform/db';
import { createUser } from '../server/src/platform/auth/service';
import { migrationSources } from '../server/src/platform/cli';
import { KeyRing } from '../server/src/platform/signing';
import { modules } from '../server/src/modules';
import { seedGeoDemo } from '../server/src/modules/geo';
import { personalQrToken } from '../server/src/modules/people';
import { countQueries, cpuMeter, startProfile } from './_cpu';

const SITES = Number(process.env.BENCH_SITES ?? 200);
const PER_SITE = Number(process.env.BENCH_PEOPLE_PER_SITE ?? 15);
const INTERVAL_S = Number(process.env.BENCH_SITE_INTERVAL_S ?? 15);
const PACED_S = Number(process.env.BENCH_PACED_SECONDS ?? 60);
const PROFILE_RUN = process.env.BENCH_PROFILE_RUN ?? 'saturation';

/** Poisson arrivals (ms from the start) of one site: exponential gaps of mean INTERVAL_S, up to PACED_S (seeded). */
function arrivalsOf(seed: number): number[] {
  let x = seed * 2654435761 + 1;
  const rand = () => {
    // mulberry32
    x = (x + 0x6d2b79f5) | 0;
    let t = Math.imul(x ^ (x >>> 15), 1 | x);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out: number[] = [];
  for (let at = -Math.log(1 - rand()) * INTERVAL_S * 1000; at < PACED_S * 1000; at += -Math.log(1 - rand()) * INTERVAL_S * 1000) out.push(at);
  return out;
}
const LOADER = path.join(path.dirname(new URL(import.meta.url).pathname), '_scan-load.ts');

const pct = (xs: number[], p: number) => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};

export default async function main() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-bench-scan-'));
  const handle = await connectDatabase({ dataDir, poolSize: 24 });
  let app: Awaited<ReturnType<typeof buildApp>> | null = null;
  try {
    process.stdout.write('preparing: embedded PostgreSQL, migrations, units, sites, lots, staff, people… ');
    await migrate(handle.db, migrationSources(modules));
    await seedGeoDemo(handle.db, ['province', 'district', 'commune']);
    const communes = (await handle.db.selectFrom('admin_units').select('code').where('level', '=', 'commune').where('path', 'like', '/VN/40/%').execute()).map((r) => r.code);
    const keys = KeyRing.inMemory();
    const config = loadConfig({}, { dataDir, jobs: false, logLevel: 'silent', trustProxy: true, publicUrl: 'http://bench.local' } as Partial<Config>);
    app = await buildApp(config, { database: handle, logger: false, keys, webDist: null });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
    const campaign = (
      await sql<{ id: string }>`insert into vaccination_campaigns (name, unit_code, starts_on, ends_on, product_codes) values ('Bench', '40', '2020-01-01', '2035-12-31', '{EU/1/20/1528}') returning id`.execute(handle.db)
    ).rows[0]!.id;
    const sites = (
      await sql<{ id: string; commune_code: string }>`insert into vaccination_sites (code, name, commune_code, capacity_per_hour)
        select 'S-' || i, 'Điểm tiêm ' || i, (${communes}::text[])[1 + i % ${communes.length}], 100 from generate_series(1, ${SITES}) i returning id, commune_code`.execute(handle.db)
    ).rows;
    const lots = (
      await sql<{ id: string; site_id: string }>`insert into vaccine_lots (site_id, product_code, lot_number, expires_on, quantity)
        select id, 'EU/1/20/1528', 'B-' || code, '2035-12-31', 100000 from vaccination_sites returning id, site_id`.execute(handle.db)
    ).rows;
    const lotOf = new Map(lots.map((l) => [l.site_id, l.id]));
    const jobs = [];
    for (const [i, s] of sites.entries()) {
      const arrivals = arrivalsOf(i + 1);
      const people = (
        await sql<{ id: string }>`insert into persons (full_name, name_key, phone, birth_year, commune_code, source)
          select 'Người ' || ${i} || '-' || k, 'nguoi ' || ${i} || ' ' || k, '+8493' || lpad((${i} * 1000 + k)::text, 7, '0'), 1980, ${s.commune_code}, 'import'
          from generate_series(1, ${PER_SITE + arrivals.length}) k returning id`.execute(handle.db)
      ).rows.map((r) => r.id);
      await sql`insert into vaccination_registrations (campaign_id, person_id, channel, commune_code) select ${campaign}, unnest(${people}::uuid[]), 'bulk', ${s.commune_code}`.execute(handle.db);
      const username = `site-bench-${i}`;
      await createUser(handle.db, app.vigil.access.resolver, null, { username, displayName: username, password: 'bench-password-123', role: 'vaccination_staff', jurisdictionCode: s.commune_code, personId: null });
      const ip = `10.202.${i >> 8}.${(i & 255) + 1}`;
      const login = await fetch(`${base}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-requested-with': 'vigil', 'x-forwarded-for': ip },
        body: JSON.stringify({ username, password: 'bench-password-123' }),
      });
      if (login.status !== 200) throw new Error(`login: ${login.status} ${await login.text()}`);
      const qrs = people.map((p) => personalQrToken(keys, p));
      jobs.push({ siteId: s.id, lotId: lotOf.get(s.id)!, cookie: String(login.headers.get('set-cookie')).split(';')[0]!, ip, qrs: qrs.slice(0, PER_SITE), paced: qrs.slice(PER_SITE), arrivals });
    }
    const pacedPeople = jobs.reduce((n, j) => n + j.arrivals.length, 0);
    console.log(`${SITES} sites; ${PER_SITE} people each for the saturation run, ${pacedPeople} arrivals for the paced run`);

    const row = (name: string, xs: number[]) => `  ${name.padEnd(22)} p50 ${pct(xs, 50).toFixed(1).padStart(7)} ms   p99 ${pct(xs, 99).toFixed(1).padStart(7)} ms`;
    const drive = async (mode: 'saturation' | 'paced', sitesJob: object[], people: number) => {
      const jobFile = path.join(dataDir, `job-${crypto.randomUUID()}.json`);
      fs.writeFileSync(jobFile, JSON.stringify({ base, mode, sites: sitesJob }));
      const profiler = process.env.BENCH_PROFILE && PROFILE_RUN === mode ? await startProfile() : null;
      const queries = countQueries();
      const cpu = cpuMeter(dataDir);
      const child = spawn(process.execPath, ['--import', 'tsx', LOADER, jobFile, `${jobFile}.out`], { stdio: 'inherit' });
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      const used = cpu();
      queries.restore();
      if (profiler) fs.writeFileSync(process.env.BENCH_PROFILE!, JSON.stringify(await profiler()));
      if (code !== 0) throw new Error(`load generator exited with ${code}`);
      const r = JSON.parse(fs.readFileSync(`${jobFile}.out`, 'utf8')) as { seconds: number; lat: Record<'scan' | 'screening' | 'dose' | 'total' | 'startLag', number[]>; failures: Record<string, number> };
      const n = r.lat.total.length;
      console.log(row('scan', r.lat.scan));
      console.log(row('screening', r.lat.screening));
      console.log(row('dose', r.lat.dose));
      console.log(row('scan → dose recorded', r.lat.total) + (mode === 'paced' ? '   (goal p99 ≤ 50 ms)' : '   (queueing: 200 flows in flight, not a goal figure)'));
      console.log(`  flows: ${n} of ${people} in ${r.seconds.toFixed(1)} s (${(n / r.seconds).toFixed(1)} people/s); failures: ${JSON.stringify(r.failures)}`);
      console.log(`  CPU per flow (scan + screening + dose): server ${((used.serverMs * 1000) / n).toFixed(0)} µs, PostgreSQL ${((used.pgMs * 1000) / n).toFixed(0)} µs; ${(queries.n / n).toFixed(2)} statements per flow`);
      if (Object.keys(r.failures).length) process.exitCode = 1;
      return { r, n };
    };

    console.log(`\n1. saturation: ${SITES} sites at once, closed loop with zero think time, ${SITES * PER_SITE} people …`);
    const sat = await drive('saturation', jobs.map((j) => ({ ...j, qrs: j.qrs, arrivals: undefined, paced: undefined })), SITES * PER_SITE);
    console.log(`\n2. paced: ${SITES} sites at once, open loop, Poisson arrivals of one person every ${INTERVAL_S} s per site on average (${(SITES / INTERVAL_S).toFixed(1)} people/s offered) for ${PACED_S} s …`);
    const paced = await drive('paced', jobs.map((j) => ({ ...j, qrs: j.paced, paced: undefined })), pacedPeople);
    console.log(`  start lag of the load generator: p99 ${pct(paced.r.lat.startLag, 99).toFixed(1)} ms (counted in the figures above)`);

    const check = (
      await sql<{ doses: number; twice: number; drift: number }>`
        select (select count(*)::int from vaccination_doses where status = 'valid') as doses,
               (select count(*)::int from (select person_id from vaccination_doses where status = 'valid' group by person_id having count(*) > 1) x) as twice,
               (select count(*)::int from vaccine_lots l where l.used <> (select count(*) from vaccination_doses d where d.lot_id = l.id and d.status = 'valid')) as drift`.execute(handle.db)
    ).rows[0]!;
    console.log('');
    console.log(`summary:  paced (${INTERVAL_S} s per site): scan → dose recorded p99 ${pct(paced.r.lat.total, 99).toFixed(1)} ms (goal ≤ 50 ms)`);
    console.log(`          saturation: ${(sat.n / sat.r.seconds).toFixed(1)} people/s at most, scan → dose p99 ${pct(sat.r.lat.total, 99).toFixed(0)} ms there (queueing)`);
    console.log(`verify:   doses stored ${check.doses}; people with two doses ${check.twice}; lots whose counter ≠ doses ${check.drift}`);
    if (check.doses !== sat.n + paced.n || check.twice !== 0 || check.drift !== 0 || process.exitCode) {
      console.error('FAILED: a step failed, or the stored doses do not match the answers');
      process.exitCode = 1;
    }
  } finally {
    await app?.close();
    await handle.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
