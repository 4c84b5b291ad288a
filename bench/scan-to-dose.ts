// Site-day latency: 200 vaccination sites at once (BENCH_SITES), each a staff member signed in at their site walking
// people through the calls the site-day page makes — scan the personal QR (POST /api/vaccination/scan), screening with
// consent (POST /api/vaccination/screenings), the dose (POST /api/vaccination/doses) — one person after another
// (BENCH_PEOPLE_PER_SITE each), from a load generator in a separate process, on a real embedded PostgreSQL. Prints
// p50/p99 of scan → dose recorded (the three calls back to back: the system's part, not the staff's questions) and of
// each step. Goal: p99 ≤ 50 ms. Then checks every recorded dose is stored once and each lot's counter matches.
//
//   npm run bench -- scan-to-dose
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

const SITES = Number(process.env.BENCH_SITES ?? 200);
const PER_SITE = Number(process.env.BENCH_PEOPLE_PER_SITE ?? 15);
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
      const people = (
        await sql<{ id: string }>`insert into persons (full_name, name_key, phone, birth_year, commune_code, source)
          select 'Người ' || ${i} || '-' || k, 'nguoi ' || ${i} || ' ' || k, '+8493' || lpad((${i} * 1000 + k)::text, 7, '0'), 1980, ${s.commune_code}, 'import'
          from generate_series(1, ${PER_SITE}) k returning id`.execute(handle.db)
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
      jobs.push({ siteId: s.id, lotId: lotOf.get(s.id)!, cookie: String(login.headers.get('set-cookie')).split(';')[0]!, ip, qrs: people.map((p) => personalQrToken(keys, p)) });
    }
    console.log(`${SITES} sites, ${PER_SITE} people each`);

    const jobFile = path.join(dataDir, `job-${crypto.randomUUID()}.json`);
    fs.writeFileSync(jobFile, JSON.stringify({ base, sites: jobs }));
    console.log(`site day: ${SITES} sites at once, scan → screening → dose for ${SITES * PER_SITE} people …`);
    const child = spawn(process.execPath, ['--import', 'tsx', LOADER, jobFile, `${jobFile}.out`], { stdio: 'inherit' });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    if (code !== 0) throw new Error(`load generator exited with ${code}`);
    const r = JSON.parse(fs.readFileSync(`${jobFile}.out`, 'utf8')) as { seconds: number; lat: Record<'scan' | 'screening' | 'dose' | 'total', number[]>; failures: Record<string, number> };

    const check = (
      await sql<{ doses: number; twice: number; drift: number }>`
        select (select count(*)::int from vaccination_doses where status = 'valid') as doses,
               (select count(*)::int from (select person_id from vaccination_doses where status = 'valid' group by person_id having count(*) > 1) x) as twice,
               (select count(*)::int from vaccine_lots l where l.used <> (select count(*) from vaccination_doses d where d.lot_id = l.id and d.status = 'valid')) as drift`.execute(handle.db)
    ).rows[0]!;
    const row = (name: string, xs: number[]) => `${name.padEnd(22)} p50 ${pct(xs, 50).toFixed(1).padStart(7)} ms   p99 ${pct(xs, 99).toFixed(1).padStart(7)} ms`;
    console.log('');
    console.log(row('scan', r.lat.scan));
    console.log(row('screening', r.lat.screening));
    console.log(row('dose', r.lat.dose));
    console.log(row('scan → dose recorded', r.lat.total) + `   (goal p99 ≤ 50 ms)`);
    console.log(`flows:    ${r.lat.total.length} of ${SITES * PER_SITE} in ${r.seconds.toFixed(1)} s (${(r.lat.total.length / r.seconds).toFixed(0)} people/s); failures: ${JSON.stringify(r.failures)}`);
    console.log(`verify:   doses stored ${check.doses}; people with two doses ${check.twice}; lots whose counter ≠ doses ${check.drift}`);
    if (check.doses !== r.lat.total.length || check.twice !== 0 || check.drift !== 0 || Object.keys(r.failures).length) {
      console.error('FAILED: a step failed, or the stored doses do not match the answers');
      process.exitCode = 1;
    }
  } finally {
    await app?.close();
    await handle.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
