// Robot-call dialer: (1) plan a 1M-person daily campaign (one call row per member, idempotent INSERT … SELECT;
// goal ≤ 10 s); (2) run 100k calls through the simulated provider at 500 channels on an accelerated clock and
// compare the wall time with the theoretical minimum: the longest of what channels, calls/second and the retry
// policy allow — (a) the attempts' summed durations / channels, (b) attempts / calls per second, (c) the person
// whose attempts and the policy's pauses between them take longest end to end — each / the clock's speed-up.
// (3) sync the monitoring audience of 1M F1/F2 under monitoring into a campaign (one set-based statement), then
// again with nothing changed. Load averages are printed with each figure (the box is shared: compare runs at similar
// load), and CPU per operation — this process's (process.cpuUsage) and PostgreSQL's (every process of the bench's
// own embedded cluster, from /proc), which survive a busy box far better than wall times.
// BENCH_CALLS_PLAN_N, BENCH_CALLS_N, BENCH_CALLS_SYNC_N, BENCH_CALLS_SPEED override the sizes and the clock's speed-up.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { buildApp } from '../server/src/app';
import { loadConfig, type Config } from '../server/src/config';
import { connectDatabase, migrate } from '../server/src/platform/db';
import { migrationSources } from '../server/src/platform/cli';
import { KeyRing } from '../server/src/platform/signing';
import { localTime } from '../server/src/platform/time';
import { modules } from '../server/src/modules';
import { acceleratedClock, runCampaignDay, SimulatedProvider } from '../server/src/modules/calls';
import { createCampaign, dailyHealthCheck, dialerDeps, planDay, saveScript, silentRenderer, syncAudience } from '../server/src/modules/calls/test-fixtures';
import { postgresCpuMs, procStat } from '../server/src/platform/proc';

const PLAN_N = Number(process.env.BENCH_CALLS_PLAN_N ?? 1_000_000);
const CALLS_N = Number(process.env.BENCH_CALLS_N ?? 100_000);
const SPEED = Number(process.env.BENCH_CALLS_SPEED ?? 200);
const SYNC_N = Number(process.env.BENCH_CALLS_SYNC_N ?? 1_000_000);
const CHANNELS = 500;
const DAY = '2026-11-20';
const TZ = 'Asia/Ho_Chi_Minh';

/** CPU seconds used so far by the bench's PostgreSQL: the postmaster and its children (backends, writers). */
async function pgCpu(db: import('../server/src/platform/db/types').Db): Promise<number> {
  const backend = (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(db)).rows[0]!.pid;
  return postgresCpuMs(Number(procStat(backend)[1])) / 1000;
}

const us = (seconds: number, n: number) => `${((seconds * 1e6) / Math.max(1, n)).toFixed(1)} µs`;

const load = () => `load ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`;

export default async function main() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-bench-calls-'));
  // no statement timeout: the setup inserts a million members in one statement
  const handle = await connectDatabase({ dataDir, poolSize: 12, timeouts: { connectTimeoutMs: 5000, statementTimeoutMs: 0 } });
  let app: Awaited<ReturnType<typeof buildApp>> | null = null;
  try {
    await migrate(handle.db, migrationSources(modules));
    const config = loadConfig({}, { dataDir, jobs: false, logLevel: 'silent', publicUrl: 'http://bench.local', timeZone: TZ } as Partial<Config>);
    app = await buildApp(config, { database: handle, logger: false, keys: KeyRing.inMemory(), webDist: null });
    await app.vigil.jobs.start('send');
    const db = handle.db;
    const script = await saveScript(db, { unitCode: 'VN', script: dailyHealthCheck('vi'), userId: null });
    const campaign = (name: string, extra: Record<string, unknown> = {}) =>
      createCampaign(db, { name, unitCode: 'VN', scriptId: script.id, audience: 'list', ...extra } as never, null);
    const members = (id: string, n: number) =>
      sql`insert into call_audience (campaign_id, member_key, phone, full_name, unit_code)
        select ${id}::uuid, 'm' || i, '+8491' || lpad(i::text, 7, '0'), 'Người ' || i, '40' from generate_series(1, ${n}) i`.execute(db);

    // (1) planning
    const big = await campaign('bench plan');
    await members(big.id, PLAN_N);
    console.log(`(${load()} on ${os.cpus().length} CPUs at the start)`);
    const planPg0 = await pgCpu(db);
    const planCpu0 = process.cpuUsage();
    let t0 = performance.now();
    const first = await planDay(db, big, DAY, TZ);
    const planPg = (await pgCpu(db)) - planPg0;
    const planCpu = process.cpuUsage(planCpu0);
    const planS = (performance.now() - t0) / 1000;
    t0 = performance.now();
    const again = await planDay(db, big, DAY, TZ);
    const replanS = (performance.now() - t0) / 1000;
    console.log(`plan ${PLAN_N.toLocaleString('en')} members: ${planS.toFixed(1)} s (goal ≤ 10 s: ${planS <= 10 ? 'met' : 'NOT met'}), ${first.created.toLocaleString('en')} calls created; planned again: ${replanS.toFixed(1)} s, ${again.created} created (${load()})`);
    console.log(`plan CPU per call created: PostgreSQL ${us(planPg, first.created)}, this process ${us((planCpu.user + planCpu.system) / 1e6, first.created)}`);
    await sql`delete from call_daily where campaign_id = ${big.id}`.execute(db);

    // (2) dialing
    const CPS = 100;
    const run = await campaign('bench dial', { channels: CHANNELS, callsPerSecond: CPS, windowStart: '00:00', windowEnd: '23:59', maxAttempts: 3 });
    await members(run.id, CALLS_N);
    // people of the registry (ids; the follow-ups, flags and referrals of completed calls are written per batch)
    await sql`update call_audience set person_id = gen_random_uuid() where campaign_id = ${run.id}`.execute(db);
    await planDay(db, run, DAY, TZ);
    const clock = acceleratedClock(localTime(DAY, '00:00', TZ), SPEED);
    const provider = new SimulatedProvider({ clock, maxChannels: CHANNELS });
    const cpu0 = process.cpuUsage();
    const pg0 = await pgCpu(db);
    t0 = performance.now();
    const stats = await runCampaignDay({ ...dialerDeps(app.vigil, provider, clock, silentRenderer), maxCallMs: 5 * 60_000 }, run.id, DAY);
    const wallS = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const pgDial = (await pgCpu(db)) - pg0;
    const cdr = await sql<{ n: number; busy_s: number; simulated_s: number }>`
      select count(*)::int as n, coalesce(sum(extract(epoch from ended_at - started_at)), 0)::float8 as busy_s,
        extract(epoch from max(ended_at) - min(started_at))::float8 as simulated_s
      from call_attempts where campaign_id = ${run.id}`.execute(db);
    const { n, busy_s, simulated_s } = cdr.rows[0]!;
    const written = await sql<{ fu: number; tasks: number }>`select (select count(*) from follow_ups)::int as fu, (select count(*) from case_tasks)::int as tasks`.execute(db);
    // (c): per person, the attempts' durations plus the policy's pause after each attempt but the last
    const chain = await sql<{ s: number }>`
      with a as (select daily_id, disposition, extract(epoch from ended_at - started_at) as dur,
          row_number() over (partition by daily_id order by started_at desc) as from_last
        from call_attempts where campaign_id = ${run.id})
      select coalesce(max(s), 0)::float8 as s from (
        select daily_id, sum(dur) + sum(case when from_last = 1 then 0
          when disposition = 'busy' then ${run.retry_busy_minutes} * 60 when disposition = 'failed' then ${run.retry_failed_minutes} * 60
          else ${run.retry_no_answer_minutes} * 60 end) as s
        from a group by daily_id) x`.execute(db);
    const bounds = { channels: busy_s / CHANNELS / SPEED, rate: n / CPS / SPEED, retries: chain.rows[0]!.s / SPEED };
    const theoreticalS = Math.max(bounds.channels, bounds.rate, bounds.retries);
    const binding = Object.entries(bounds).sort((a, b) => b[1] - a[1])[0]![0];
    console.log(
      `dial ${CALLS_N.toLocaleString('en')} people (${n.toLocaleString('en')} attempts incl. retries) at ${CHANNELS} channels, ${CPS} calls/s, clock ×${SPEED}: ` +
        `wall ${wallS.toFixed(1)} s vs theoretical minimum ${theoreticalS.toFixed(1)} s (×${(wallS / theoreticalS).toFixed(2)}; bound by ${binding}: channels ${bounds.channels.toFixed(1)} s, calls/s ${bounds.rate.toFixed(1)} s, retry policy ${bounds.retries.toFixed(1)} s); ` +
        `simulated day span ${(simulated_s / 3600).toFixed(2)} h; peak channels ${provider.peak}; ${(n / wallS).toFixed(0)} attempts/s wall; CPU ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s of this process (${load()})`,
    );
    if (stats.writes) console.log(`outcome writes: ${stats.writes.rows} in ${stats.writes.batches} transactions (largest ${stats.writes.maxBatch}, ${(stats.writes.ms / stats.writes.batches).toFixed(1)} ms each on average, ${(stats.writes.ms / 1000).toFixed(1)} s writing in all), ${stats.writes.failures} failed tries`);
    console.log(`follow-ups written by the dialer: ${written.rows[0]!.fu.toLocaleString('en')} (test referrals ${written.rows[0]!.tasks.toLocaleString('en')}), set-based per outcome batch`);
    console.log(`dial CPU per attempt: this process ${us((cpu.user + cpu.system) / 1e6, n)}, PostgreSQL ${us(pgDial, n)} (${pgDial.toFixed(1)} s in all)`);
    console.log(`outcomes: completed ${stats.completed}, symptomatic ${stats.symptomatic}, wrong numbers ${stats.invalid}, unreached ${stats.exhausted}, retries ${stats.retries}${stats.unrecorded ? `, NOT recorded ${stats.unrecorded}` : ''}`);

    // (3) the monitoring audience: SYNC_N F1/F2 under monitoring (people with phones, one case), synced into a
    // campaign of the country in one statement; then again with nothing changed (the 10-minute plan job's case)
    if (SYNC_N <= 0) return;
    // (the day's rows of the runs above go: a DELETE left a million dead rows whose stale statistics made the plan
    // below take minutes, a state no day of a real campaign is in)
    await sql`truncate call_daily cascade`.execute(db);
    await sql`analyze call_daily`.execute(db);
    const src = await sql<{ id: string }>`insert into persons (full_name, name_key, source) values ('Nguồn', 'nguon', 'officer') returning id`.execute(db);
    const kase = await sql<{ id: string }>`insert into cases (code, person_id, province_code, commune_code, confirmed_at, source)
      values ('BN-BENCH', ${src.rows[0]!.id}, 'VN', 'VN', now(), 'community') returning id`.execute(db);
    t0 = performance.now();
    await sql`insert into persons (full_name, name_key, phone, source)
      select 'F1 số ' || i, 'f1 so ' || i, '+8493' || lpad(i::text, 7, '0'), 'officer' from generate_series(1, ${SYNC_N}) i`.execute(db);
    await sql`insert into case_contacts (case_id, person_id, level, unit_code, order_kind, order_start, order_end, origin)
      select ${kase.rows[0]!.id}::uuid, p.id, 1 + (row_number() over () % 2)::int, 'VN', 'quarantine', ${DAY}::date - 3, ${DAY}::date + 10, 'manual'
      from persons p where p.name_key like 'f1 so %'`.execute(db);
    await sql`analyze persons`.execute(db);
    await sql`analyze case_contacts`.execute(db);
    console.log(`(setup: ${SYNC_N.toLocaleString('en')} contacts under monitoring in ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
    const monitoring = await createCampaign(db, { name: 'bench monitoring', unitCode: 'VN', scriptId: script.id, audience: 'monitoring' } as never, null);
    for (const pass of ['first sync', 'again, nothing changed']) {
      const c0 = process.cpuUsage();
      const p0 = await pgCpu(db);
      t0 = performance.now();
      const r = await syncAudience(db, app.vigil.access.resolver, monitoring, DAY);
      const s = (performance.now() - t0) / 1000;
      const c = process.cpuUsage(c0);
      const p = (await pgCpu(db)) - p0;
      console.log(
        `audience sync ${SYNC_N.toLocaleString('en')} under monitoring (${pass}): ${s.toFixed(1)} s, ${r.active.toLocaleString('en')} members, ${r.joined.toLocaleString('en')} joined, ${r.left} left; ` +
          `CPU per member: this process ${us((c.user + c.system) / 1e6, r.active)}, PostgreSQL ${us(p, r.active)} (${p.toFixed(1)} s) (${load()})`,
      );
    }
    await sql`analyze call_audience`.execute(db);
    t0 = performance.now();
    const planned = await planDay(db, monitoring, DAY, TZ);
    console.log(`plan of the synced audience: ${((performance.now() - t0) / 1000).toFixed(1)} s, ${planned.created.toLocaleString('en')} calls created (${load()})`);
  } finally {
    await app?.close();
    await handle.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
