// Development probe for the booking write path (not a benchmark of its own): prepares the booking bench's province,
// then writes the bookings straight through the batch's SQL function vaccination_book_seats (as booking-batch.ts
// calls it) in batches (no HTTP), and prints the PostgreSQL CPU per
// booking, the WAL per booking and (with `explain`) one batch's EXPLAIN (ANALYZE, BUFFERS) with its triggers.
//
//   BENCH_BOOKINGS=30000 [PROBE_REQUESTS=n] [PROBE_SQL=…] node --import tsx bench/_booking-pg.ts [batch=200] [explain]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import pg from 'pg';
import { sql } from 'kysely';
import { connectDatabase } from '../server/src/platform/db';
import { bookSeatsQuery } from '../server/src/modules/vaccination';
import { prepare } from './booking';
import { cpuMeter, procStat } from './_cpu';

/** CPU ms of the embedded PostgreSQL's processes by kind (backends summed), from /proc. */
function pgProcesses(dir: string): Map<string, number> {
  const pid = Number(fs.readFileSync(path.join(dir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);
  const out = new Map<string, number>();
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const fields = procStat(d);
      if (Number(d) !== pid && Number(fields[1]) !== pid) continue;
      const cmd = fs.readFileSync(`/proc/${d}/cmdline`, 'utf8').replace(/\0/g, ' ');
      const kind = Number(d) === pid ? 'postmaster' : /postgres: (\S+ \S+ \S+)/.exec(cmd)?.[1]?.includes('127.0.0.1') ? 'backends' : (/postgres: ([a-z ]+)/.exec(cmd)?.[1]?.trim() ?? cmd);
      out.set(kind + " user", (out.get(kind + " user") ?? 0) + Number(fields[11]) * 10);
      out.set(kind + " sys", (out.get(kind + " sys") ?? 0) + Number(fields[12]) * 10);
    } catch {
      // ended meanwhile
    }
  }
  return out;
}

async function startPerf(dir: string, file: string) {
  const pid = Number(fs.readFileSync(path.join(dir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);
  const kids = fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d) && (() => { try { return Number(procStat(d)[1]) === pid; } catch { return false; } })());
  const child = spawn('perf', ['record', '-F', '1999', '-g', '-o', file, '-p', kids.join(',')], { stdio: 'inherit' });
  await new Promise((r) => setTimeout(r, 500));
  return async () => {
    child.kill('SIGINT');
    await new Promise((r) => child.on('exit', r));
  };
}

/** One booking of a batch: the row type bookSeatsQuery takes (vaccination/booking-batch.ts). */
type Req = Parameters<typeof bookSeatsQuery>[0][number];

/** One batch, as booking-batch.ts writes it. */
const bookSeats = async (pool: pg.Pool, rows: Req[]) => (await pool.query<{ outcome: string }>(bookSeatsQuery(rows))).rows;

const BATCH = Number(process.argv[2] ?? 200);
const EXPLAIN = process.argv.includes('explain');
const LIMIT = Number(process.env.PROBE_REQUESTS ?? Infinity);

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-bench-bookpg-'));
const handle = await connectDatabase({ dataDir, poolSize: 4 });
try {
  const { bodies } = await prepare(handle.db);
  const campaign = (await sql<{ id: string }>`select id from vaccination_campaigns limit 1`.execute(handle.db)).rows[0]!.id;
  const reqs: Req[] = bodies.slice(0, LIMIT).map((b) => {
    const j = JSON.parse(b) as { personId: string; slotId: string };
    const now = new Date();
    const actor = { id: '1', username: 'bench', scopePath: '/VN/40/' };
    return { personId: j.personId, slotId: j.slotId, campaignId: campaign, doseNumber: 1, by: '1', now, audit: { actor, ip: '10.0.0.1', at: now, action: 'vaccination.book', subjectType: 'person', subjectId: j.personId, details: { self: false } } };
  });
  // an experiment on the schema before the writes (e.g. PROBE_SQL='drop index vaccination_bookings_slot_idx')
  if (process.env.PROBE_SQL) await sql.raw(process.env.PROBE_SQL).execute(handle.db);
  await sql`checkpoint`.execute(handle.db);
  let arm = () => {};
  if (EXPLAIN) {
    // the first batch's call runs first in a transaction that is rolled back, with auto_explain logging the plans of
    // the function's statements (and their triggers: the foreign-key checks) to this client, then for real
    const proto = pg.Client.prototype as unknown as { query: (...a: unknown[]) => Promise<unknown>; on: (e: string, f: (m: { message: string }) => void) => void; off: (e: string, f: (m: { message: string }) => void) => void };
    const orig = proto.query;
    let n = 0;
    let armed = false;
    arm = () => void (armed = true);
    proto.query = async function (this: typeof proto, ...a: unknown[]) {
      const q = a[0] as { name?: string; text?: string; values?: unknown[] };
      if (armed && n < 1 && q?.name === 'vaccination_book_seats') {
        n++;
        const show = (m: { message: string }) => console.log(m.message);
        this.on('notice', show);
        await orig.call(this, 'begin');
        await orig.call(this, "load 'auto_explain'");
        for (const set of ['log_min_duration = 0', 'log_analyze = on', 'log_buffers = on', 'log_triggers = on', 'log_nested_statements = on'])
          await orig.call(this, `set local auto_explain.${set}`);
        await orig.call(this, 'set local client_min_messages = log');
        await orig.call(this, q.text!, q.values);
        await orig.call(this, 'rollback');
        this.off('notice', show);
      }
      return orig.apply(this, a);
    };
  }
  const wal = async () => Number((await sql<{ b: string }>`select pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::text as b`.execute(handle.db)).rows[0]!.b);
  const wal0 = await wal();
  arm();
  // PROBE_PERF=file: `perf record` of the PostgreSQL backends during the writes (perf report -i file)
  const perf = process.env.PROBE_PERF ? await startPerf(dataDir, process.env.PROBE_PERF) : null;
  const byProcess0 = pgProcesses(dataDir);
  const cpu = cpuMeter(dataDir);
  const t0 = Date.now();
  let ok = 0;
  for (let i = 0; i < reqs.length; i += BATCH) {
    const r = await bookSeats(handle.pool, reqs.slice(i, i + BATCH));
    ok += r.filter((x) => x.outcome === 'ok').length;
  }
  const used = cpu();
  await perf?.();
  const byProcess1 = pgProcesses(dataDir);
  const walBytes = (await wal()) - wal0;
  console.log(`${reqs.length} requests in batches of ${BATCH}: ${ok} booked in ${Date.now() - t0} ms`);
  console.log(`per request: PostgreSQL ${((used.pgMs * 1000) / reqs.length).toFixed(1)} µs, this process ${((used.serverMs * 1000) / reqs.length).toFixed(1)} µs, WAL ${(walBytes / reqs.length).toFixed(0)} bytes`);
  const names = new Set([...byProcess0.keys(), ...byProcess1.keys()]);
  console.log(`PostgreSQL processes (µs per request): ${[...names].map((n) => `${n} ${(((byProcess1.get(n) ?? 0) - (byProcess0.get(n) ?? 0)) * 1000 / reqs.length).toFixed(1)}`).join(', ')}`);
  if (process.env.PROBE_KEEP) {
    // keep the database for experiments by hand (psql) until this process is stopped
    console.log(`kept: ${handle.url}`);
    await new Promise<void>((resolve) => process.once('SIGINT', resolve));
  }
} finally {
  await handle.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
}
