// The PostgreSQL side of check-in ingest, measured without HTTP: the group-commit statement the server sends
// (checkin-insert.ts insertCheckinsPrepared, the same prepared statement and parameters), batch after batch on ONE
// connection, and the CPU its backend spent per check-in row (/proc/<pid>/schedstat: nanoseconds on a CPU, so a
// loaded box inflates it far less than any wall time), with all of PostgreSQL's processes (WAL writer, checkpointer,
// autovacuum) beside it and the WAL written per row. Batch shapes as bench/checkin.ts's paths send them:
//   warm  BENCH_BATCH (41) rows of known people (personal / device tokens), each a new client id
//   cold  the same size, every other row a first visit (form: a new person, its device row), the rest known people
//   form  every row a first visit (a form row's own cost)
//   gate  batches of BENCH_GATE_BATCH (50) known people, source 'gate', recorded by a user
//   repeat  (only when named in BENCH_SHAPES) warm rows each sent twice in the batch: a repeat's answer at its worst
// The shapes run in alternating rounds (BENCH_ROUNDS, 4) of BENCH_BATCHES (150) batches each, so drift of a shared
// box falls on all alike; figures are the median round.
//
//   npm run bench -- checkin-pg
//   BENCH_SETUP_SQL='drop index …'   runs this SQL after the migrations (what does one index, key or trigger cost a row?)
//   BENCH_VARIANT_SQL='…' BENCH_VARIANT_UNDO_SQL='…'   each round runs every shape as it is and changed by this SQL
//                      (undone after), in alternating order: a paired comparison that a shared box's drift spares
//   BENCH_SHAPES=warm,gate   only these shapes
//   BENCH_FIT_SIZES=10,53,160   also warm batches of these sizes, and the backend's CPU a statement and a row fitted
//   BENCH_EXPLAIN=1    also prints each shape's plan of every statement inside the functions (auto_explain,
//                      ANALYZE + BUFFERS, nested statements) for one batch, and the functions' own times
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { sql } from 'kysely';
import { connectDatabase } from '../server/src/platform/db';
import { insertCheckinsPrepared, type NewCheckin } from '../server/src/modules/venues';
import { postgresCpuMs } from './_cpu';
import { letters, seedCheckinProvince } from './_checkin-data';

const PEOPLE = Number(process.env.BENCH_PEOPLE ?? 50_000);
const VENUES = 500;
const BATCH = Number(process.env.BENCH_BATCH ?? 41);
const GATE_BATCH = Number(process.env.BENCH_GATE_BATCH ?? 50);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 4);
const BATCHES = Number(process.env.BENCH_BATCHES ?? 150);
const STAY_MS = 60 * 60_000;

/** Nanoseconds this process has run on a CPU (user + system), from /proc/<pid>/schedstat. */
const onCpuNs = (pid: number) => Number(fs.readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]);

interface Round {
  backendUs: number;
  allPgUs: number;
  /** WAL written, full-page images (the first change of a page after a checkpoint) included */
  walBytes: number;
  wallUs: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export default async function main() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-bench-checkin-pg-'));
  const handle = await connectDatabase({ dataDir, poolSize: 4 });
  const pool = new pg.Pool({ connectionString: handle.url, max: 1 });
  try {
    process.stdout.write('preparing: embedded PostgreSQL, migrations, demo units, people… ');
    const communes = await seedCheckinProvince(handle.db, { venues: VENUES, people: PEOPLE });
    await sql`insert into person_devices (person_id, origin, created_at, last_used_at) select id, 'form', now(), now() from persons`.execute(handle.db);
    // an experiment's change of schema (e.g. an index dropped), to measure what one piece costs a row
    if (process.env.BENCH_SETUP_SQL) await sql.raw(process.env.BENCH_SETUP_SQL).execute(handle.db);
    await sql`vacuum analyze`.execute(handle.db);
    const entrances = await handle.db.selectFrom('venue_entrances').select(['id', 'venue_id']).execute();
    const personIds = (await handle.db.selectFrom('persons').select('id').execute()).map((p) => p.id);
    console.log(`${VENUES} venues, ${PEOPLE} people; one connection, batches of ${BATCH} (gate ${GATE_BATCH}), ${ROUNDS} rounds × ${BATCHES} batches a shape`);

    const pick = <T>(a: T[]) => a[Math.floor(Math.random() * a.length)]!;
    let formNo = 0;
    const row = (source: NewCheckin['source'], form: boolean): NewCheckin => {
      const e = pick(entrances);
      const at = new Date();
      const base: NewCheckin = {
        clientId: crypto.randomUUID(),
        personId: pick(personIds),
        venueId: e.venue_id,
        entranceId: e.id,
        checkinAt: at,
        autoCheckoutAt: new Date(at.getTime() + STAY_MS),
        checkoutAt: null,
        source,
        recordedBy: source === 'gate' ? '1' : null,
      };
      if (!form) return base;
      const i = formNo++;
      const name = `Khách ${letters(i)} Mới`;
      return {
        ...base,
        personId: '',
        newPerson: {
          full_name: name,
          name_key: `khach ${letters(i)} moi`,
          birth_date: null,
          birth_year: 1950 + (i % 60),
          sex: null,
          national_id: null,
          phone: `+8498${String(i).padStart(7, '0')}`,
          address: null,
          commune_code: communes[i % communes.length]!,
          now: at,
        },
      };
    };
    const allShapes: Record<string, () => NewCheckin[]> = {
      warm: () => Array.from({ length: BATCH }, () => row('qr', false)),
      cold: () => Array.from({ length: BATCH }, (_, i) => row('qr', i % 2 === 0)),
      form: () => Array.from({ length: BATCH }, () => row('qr', true)),
      gate: () => Array.from({ length: GATE_BATCH }, () => row('gate', false)),
    };
    // BENCH_SHAPES=repeat (not run otherwise): every row sent twice in the batch (a retry that reached the server twice,
    // or an import file with each line doubled): the statement's answer for a repeat within its batch, at its worst
    if (process.env.BENCH_SHAPES?.split(',').includes('repeat'))
      allShapes.repeat = () => Array.from({ length: Math.ceil(BATCH / 2) }, () => row('qr', false)).flatMap((r) => [r, r]).slice(0, BATCH);
    // BENCH_FIT_SIZES=10,53,160: warm batches of these sizes too, and the line through their CPU a batch (the cost of
    // a statement besides its rows, and of a row)
    const fitSizes = (process.env.BENCH_FIT_SIZES ?? '').split(',').map(Number).filter((n) => n > 0);
    for (const n of fitSizes) allShapes[`warm×${n}`] = () => Array.from({ length: n }, () => row('qr', false));
    // BENCH_SHAPES=warm,gate: only these shapes (the fit's shapes always run)
    const only = process.env.BENCH_SHAPES?.split(',').map((x) => x.trim()).filter(Boolean);
    const shapes = Object.fromEntries(Object.entries(allShapes).filter(([k]) => !only?.length || only.includes(k) || k.startsWith('warm×')));

    const c = await pool.connect();
    const pid = (await c.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid;
    c.release();
    const walBytes = async () => Number((await sql<{ b: string }>`select pg_current_wal_insert_lsn() - '0/0'::pg_lsn as b`.execute(handle.db)).rows[0]!.b);

    // warm-up: plans prepared, caches of the indexes' upper pages
    for (const make of Object.values(shapes)) for (let i = 0; i < 20; i++) await insertCheckinsPrepared(pool, make());

    if (process.env.BENCH_EXPLAIN) await explain(pool, shapes);

    // (for `perf record -p <pid>` on the one backend while the rounds run)
    console.log(`backend pid ${pid}`);
    await sql`checkpoint`.execute(handle.db); // then the shapes alternate: the full-page images after it fall on all
    // BENCH_VARIANT_SQL: every round runs each shape as it is and with this change (then BENCH_VARIANT_UNDO_SQL), in
    // alternating order, so the two are compared in the same minutes on the same tables
    const variant = process.env.BENCH_VARIANT_SQL;
    const undo = process.env.BENCH_VARIANT_UNDO_SQL;
    if (variant && !undo) throw new Error('BENCH_VARIANT_SQL needs BENCH_VARIANT_UNDO_SQL');
    const labels = variant ? ['as is', 'variant'] : [''];
    const results: Record<string, Round[]> = {};
    for (let r = 0; r < ROUNDS; r++) {
      for (const label of r % 2 ? [...labels].reverse() : labels) {
        if (label === 'variant') {
          await sql.raw(variant!).execute(handle.db);
          for (const make of Object.values(shapes)) for (let i = 0; i < 5; i++) await insertCheckinsPrepared(pool, make()); // plans again
        }
        for (const [name, make] of Object.entries(shapes)) {
          const batches = Array.from({ length: BATCHES }, make);
          const rows = batches.reduce((s, b) => s + b.length, 0);
          const w0 = await walBytes();
          const all0 = postgresCpuMs(dataDir);
          const b0 = onCpuNs(pid);
          const t0 = process.hrtime.bigint();
          for (const b of batches) await insertCheckinsPrepared(pool, b);
          const t1 = process.hrtime.bigint();
          const b1 = onCpuNs(pid);
          const all1 = postgresCpuMs(dataDir);
          const w1 = await walBytes();
          (results[`${name} ${label}`.trim()] ??= []).push({
            backendUs: (b1 - b0) / 1000 / rows,
            allPgUs: ((all1 - all0) * 1000) / rows,
            walBytes: (w1 - w0) / rows,
            wallUs: Number(t1 - t0) / 1000 / rows,
          });
        }
        if (label === 'variant') {
          await sql.raw(undo!).execute(handle.db);
          // plans again here too: a replaced function's first executions are planned one by one (custom plans), which
          // would fall on the next "as is" run alone and favour the variant
          for (const make of Object.values(shapes)) for (let i = 0; i < 5; i++) await insertCheckinsPrepared(pool, make());
        }
      }
    }
    console.log('');
    console.log('per check-in row (median of the rounds; backend: the one connection\'s process; all: every PostgreSQL process, 10 ms ticks)');
    for (const [name, rs] of Object.entries(results)) {
      const f = (k: keyof Round) => median(rs.map((x) => x[k]));
      console.log(
        `${name.padEnd(variant ? 17 : 9)} backend ${f('backendUs').toFixed(1).padStart(6)} µs   all PostgreSQL ${f('allPgUs').toFixed(1).padStart(6)} µs   WAL ${f('walBytes').toFixed(0).padStart(5)} B   wall ${f('wallUs').toFixed(1).padStart(6)} µs` +
          `   (backend per round: ${rs.map((x) => x.backendUs.toFixed(1)).join(', ')})`,
      );
    }
    for (const label of fitSizes.length > 1 ? labels : []) {
      // least squares over the sizes: backend µs a batch = per statement + per row × rows
      const pts = fitSizes.map((n) => [n, median(results[`warm×${n} ${label}`.trim()]!.map((x) => x.backendUs)) * n] as const);
      const mx = pts.reduce((a, p) => a + p[0], 0) / pts.length;
      const my = pts.reduce((a, p) => a + p[1], 0) / pts.length;
      const slope = pts.reduce((a, p) => a + (p[0] - mx) * (p[1] - my), 0) / pts.reduce((a, p) => a + (p[0] - mx) ** 2, 0);
      console.log(
        `warm fit${label ? ` (${label})` : ''}: backend ${(my - slope * mx).toFixed(0)} µs a statement + ${slope.toFixed(1)} µs a row` +
          `   (a batch: ${pts.map(([n, y]) => `${n} rows ${y.toFixed(0)} µs`).join(', ')})`,
      );
    }
    const s = (await sql<{ setting: string }>`select current_setting('synchronous_commit') as setting`.execute(handle.db)).rows[0]!.setting;
    const fsync = (await sql<{ setting: string }>`select current_setting('fsync') as setting`.execute(handle.db)).rows[0]!.setting;
    console.log(`synchronous_commit ${s}, fsync ${fsync}; machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  } finally {
    await pool.end();
    await handle.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/** One batch of each shape under auto_explain (nested statements, ANALYZE, BUFFERS) and track_functions, printed. */
async function explain(pool: pg.Pool, shapes: Record<string, () => NewCheckin[]>) {
  const c = await pool.connect();
  const notices: string[] = [];
  const onNotice = (m: { message?: string }) => notices.push(m.message ?? '');
  c.on('notice', onNotice);
  try {
    await c.query(`load 'auto_explain'`);
    for (const s of ['auto_explain.log_min_duration = 0', 'auto_explain.log_analyze = on', 'auto_explain.log_buffers = on', 'auto_explain.log_nested_statements = on', `auto_explain.log_level = notice`, "track_functions = 'all'"])
      await c.query(`set ${s}`);
  } finally {
    c.release(); // (the pool has one connection: the batches below run on it)
  }
  try {
    for (const [name, make] of Object.entries(shapes)) {
      await c.query('select pg_stat_reset()');
      notices.length = 0;
      await insertCheckinsPrepared(pool, make());
      await c.query('select pg_stat_force_next_flush()');
      const fns = await c.query<{ f: string; calls: string; total: number; self: number }>(
        'select funcname as f, calls, total_time as total, self_time as self from pg_stat_user_functions order by total_time desc');
      console.log(`\n── ${name}: plans of one batch ──\n${notices.join('\n\n')}`);
      for (const f of fns.rows) console.log(`function ${f.f}: ${f.calls} calls, ${f.total.toFixed(2)} ms in all, ${f.self.toFixed(2)} ms its own`);
    }
  } finally {
    c.off('notice', onNotice);
    const d = await pool.connect();
    await d.query('set auto_explain.log_min_duration = -1');
    await d.query('reset track_functions');
    d.release();
  }
}
