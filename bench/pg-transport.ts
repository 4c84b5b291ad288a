// PostgreSQL over its Unix socket vs loopback TCP: CPU per statement of this process (the pg client) and of the
// PostgreSQL backends, for the same statements on the same embedded server, the two transports in alternating
// rounds so that a loaded box's drift falls on both alike. Statements: `select $1` and the one-row insert of a small
// table (prepared), each sent by CONNECTIONS clients at once (as a busy server's pool does).
//
//   npm run bench -- pg-transport      (BENCH_ROUNDS=6 BENCH_STATEMENTS=20000 BENCH_CONNECTIONS=8 to change it)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from '../server/src/platform/db/embedded';
import { procStat, serverCpuMs } from './_cpu';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 6);
const STATEMENTS = Number(process.env.BENCH_STATEMENTS ?? 20_000);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 8);

/** CPU time (ms) of these backend processes (user + system), from /proc. */
function backendCpuMs(pids: number[]): number {
  let ms = 0;
  for (const pid of pids) {
    const fields = procStat(pid);
    ms += (Number(fields[11]) + Number(fields[12])) * 10; // CLK_TCK = 100
  }
  return ms;
}

interface Totals {
  clientMs: number;
  backendMs: number;
  wallMs: number;
  n: number;
}

export default async function main() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-bench-pgt-'));
  const postgres = await startEmbeddedPostgres({ dataDir, database: 'vigil' });
  const transports = { socket: postgres.url, tcp: postgres.tcpUrl };
  if (postgres.url === postgres.tcpUrl) throw new Error('the embedded PostgreSQL has no Unix socket here (data directory path too long?)');
  const clients: Record<string, { c: pg.Client; pid: number }[]> = {};
  try {
    for (const [name, url] of Object.entries(transports)) {
      clients[name] = [];
      for (let i = 0; i < CONNECTIONS; i++) {
        const c = new pg.Client({ connectionString: url });
        await c.connect();
        const pid = (await c.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid;
        clients[name]!.push({ c, pid });
      }
    }
    await clients.socket![0]!.c.query('create table if not exists bench_rows (id bigserial primary key, client_id uuid not null, at timestamptz not null, n int not null)');
    const statements = {
      'select $1': (c: pg.Client, i: number) => c.query({ name: 'sel', text: 'select $1::int as n', values: [i] }),
      'insert one row': (c: pg.Client, i: number) =>
        c.query({ name: 'ins', text: 'insert into bench_rows (client_id, at, n) values (gen_random_uuid(), now(), $1)', values: [i] }),
    };
    const totals: Record<string, Totals> = {};
    const round = async (transport: string, stmt: keyof typeof statements, n: number) => {
      const cs = clients[transport]!;
      const pids = cs.map((x) => x.pid);
      const b0 = backendCpuMs(pids);
      const c0 = serverCpuMs();
      const t0 = performance.now();
      let next = 0;
      await Promise.all(
        cs.map(async ({ c }) => {
          while (next < n) await statements[stmt](c, next++);
        }),
      );
      const key = `${stmt} over ${transport}`;
      const t = (totals[key] ??= { clientMs: 0, backendMs: 0, wallMs: 0, n: 0 });
      t.wallMs += performance.now() - t0;
      t.clientMs += serverCpuMs() - c0;
      t.backendMs += backendCpuMs(pids) - b0;
      t.n += n;
    };
    // warm-up (plans, JIT), not counted
    for (const transport of Object.keys(transports)) for (const stmt of Object.keys(statements) as (keyof typeof statements)[]) await round(transport, stmt, 2000);
    for (const k of Object.keys(totals)) delete totals[k];
    console.log(`${ROUNDS} alternating rounds of ${STATEMENTS} statements per transport, ${CONNECTIONS} connections each …`);
    for (let r = 0; r < ROUNDS; r++) {
      for (const stmt of Object.keys(statements) as (keyof typeof statements)[]) {
        const order = r % 2 ? ['tcp', 'socket'] : ['socket', 'tcp'];
        for (const transport of order) await round(transport, stmt, STATEMENTS);
      }
    }
    console.log('');
    for (const stmt of Object.keys(statements)) {
      const s = totals[`${stmt} over socket`]!;
      const t = totals[`${stmt} over tcp`]!;
      const us = (x: Totals, f: 'clientMs' | 'backendMs') => (x[f] * 1000) / x.n;
      for (const [name, x] of [['TCP (127.0.0.1)', t], ['Unix socket', s]] as const)
        console.log(
          `${stmt.padEnd(15)} ${name.padEnd(16)} client ${us(x, 'clientMs').toFixed(1).padStart(5)} µs + PostgreSQL backend ${us(x, 'backendMs').toFixed(1).padStart(5)} µs per statement   (${((x.n / x.wallMs) * 1000).toFixed(0)} statements/s)`,
        );
      const saved = us(t, 'clientMs') + us(t, 'backendMs') - us(s, 'clientMs') - us(s, 'backendMs');
      console.log(`${''.padEnd(15)} socket saves ${saved.toFixed(1)} µs CPU per statement (${((saved / (us(t, 'clientMs') + us(t, 'backendMs'))) * 100).toFixed(0)}%)`);
    }
    console.log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, node ${process.version}, load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  } finally {
    for (const cs of Object.values(clients)) for (const { c } of cs) await c.end().catch(() => {});
    await postgres.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
