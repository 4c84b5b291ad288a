// Robot-call dialer: (1) plan a 1M-person daily campaign (one call row per member, idempotent INSERT … SELECT;
// goal ≤ 10 s); (2) run 100k calls through the simulated provider at 500 channels on an accelerated clock and
// compare the wall time with the theoretical minimum: the longest of what channels, calls/second and the retry
// policy allow — (a) the attempts' summed durations / channels, (b) attempts / calls per second, (c) the person
// whose attempts and the policy's pauses between them take longest end to end — each / the clock's speed-up.
// Load averages are printed with each figure (the box is shared: compare runs at similar load).
// BENCH_CALLS_PLAN_N, BENCH_CALLS_N, BENCH_CALLS_SPEED override the sizes and the clock's speed-up.
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
import { createCampaign, dailyHealthCheck, dialerDeps, planDay, saveScript, silentRenderer } from '../server/src/modules/calls/test-fixtures';

const PLAN_N = Number(process.env.BENCH_CALLS_PLAN_N ?? 1_000_000);
const CALLS_N = Number(process.env.BENCH_CALLS_N ?? 100_000);
const SPEED = Number(process.env.BENCH_CALLS_SPEED ?? 200);
const CHANNELS = 500;
const DAY = '2026-11-20';
const TZ = 'Asia/Ho_Chi_Minh';

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
    let t0 = performance.now();
    const first = await planDay(db, big, DAY, TZ);
    const planS = (performance.now() - t0) / 1000;
    t0 = performance.now();
    const again = await planDay(db, big, DAY, TZ);
    const replanS = (performance.now() - t0) / 1000;
    console.log(`plan ${PLAN_N.toLocaleString('en')} members: ${planS.toFixed(1)} s (goal ≤ 10 s: ${planS <= 10 ? 'met' : 'NOT met'}), ${first.created.toLocaleString('en')} calls created; planned again: ${replanS.toFixed(1)} s, ${again.created} created (${load()})`);
    await sql`delete from call_daily where campaign_id = ${big.id}`.execute(db);

    // (2) dialing
    const CPS = 100;
    const run = await campaign('bench dial', { channels: CHANNELS, callsPerSecond: CPS, windowStart: '00:00', windowEnd: '23:59', maxAttempts: 3 });
    await members(run.id, CALLS_N);
    await planDay(db, run, DAY, TZ);
    const clock = acceleratedClock(localTime(DAY, '00:00', TZ), SPEED);
    const provider = new SimulatedProvider({ clock, maxChannels: CHANNELS });
    const cpu0 = process.cpuUsage();
    t0 = performance.now();
    const stats = await runCampaignDay({ ...dialerDeps(app.vigil, provider, clock, silentRenderer), maxCallMs: 5 * 60_000 }, run.id, DAY);
    const wallS = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const cdr = await sql<{ n: number; busy_s: number; simulated_s: number }>`
      select count(*)::int as n, coalesce(sum(extract(epoch from ended_at - started_at)), 0)::float8 as busy_s,
        extract(epoch from max(ended_at) - min(started_at))::float8 as simulated_s
      from call_attempts where campaign_id = ${run.id}`.execute(db);
    const { n, busy_s, simulated_s } = cdr.rows[0]!;
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
    console.log(`outcomes: completed ${stats.completed}, symptomatic ${stats.symptomatic}, wrong numbers ${stats.invalid}, unreached ${stats.exhausted}, retries ${stats.retries}${stats.unrecorded ? `, NOT recorded ${stats.unrecorded}` : ''}`);
  } finally {
    await app?.close();
    await handle.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
