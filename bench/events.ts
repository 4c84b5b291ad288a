// Domain events: what publish() adds to the caller's transaction, beside the alternative (an outbox row drained
// later), and the delivery path (publish → handler start latency, deliveries per second) on the real pg-boss queue.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { buildApp } from '../server/src/app';
import { loadConfig, type Config } from '../server/src/config';
import { connectDatabase, migrate } from '../server/src/platform/db';
import { migrationSources } from '../server/src/platform/cli';
import { KeyRing } from '../server/src/platform/signing';
import { modules } from '../server/src/modules';

declare module '../server/src/platform/events' {
  interface DomainEvents {
    'bench.one': { i: number; t: number };
    'bench.three': { i: number; t: number };
    'bench.flow': { i: number; t: number };
  }
}

const N = Number(process.env.BENCH_EVENTS_N ?? 2000);
const pct = (a: number[], p: number) => [...a].sort((x, y) => x - y)[Math.min(a.length - 1, Math.floor((p / 100) * a.length))]!;

export default async function main() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-bench-events-'));
  const handle = await connectDatabase({ dataDir, poolSize: 8 });
  let app: Awaited<ReturnType<typeof buildApp>> | null = null;
  try {
    await migrate(handle.db, migrationSources(modules));
    await sql`create table bench_changes (id bigint generated always as identity primary key, v int not null)`.execute(handle.db);
    await sql`create table bench_outbox (id uuid primary key default gen_random_uuid(), type text not null, payload jsonb not null, at timestamptz not null default now())`.execute(handle.db);
    const config = loadConfig({}, { dataDir, jobs: false, logLevel: 'silent', publicUrl: 'http://bench.local', eventRetryDelaySeconds: 0 } as Partial<Config>);
    app = await buildApp(config, { database: handle, logger: false, keys: KeyRing.inMemory(), webDist: null });
    const { events, jobs } = app.vigil;
    const seen: number[] = [];
    events.subscribe('bench.one', 'bench.one-a', async () => undefined);
    for (const s of ['a', 'b', 'c']) events.subscribe('bench.three', `bench.three-${s}`, async () => undefined);
    events.subscribe('bench.flow', 'bench.flow', async (e) => {
      seen.push(Date.now() - e.payload.t);
    });
    await jobs.start('send'); // cost of publish alone: nothing works the queue yet
    const db = handle.db;

    const run = async (label: string, body: (trx: typeof db, i: number) => Promise<unknown>) => {
      for (let i = 0; i < 200; i++) await db.transaction().execute((trx) => body(trx, i)); // warm-up
      const times: number[] = [];
      for (let i = 0; i < N; i++) {
        const t0 = performance.now();
        await db.transaction().execute((trx) => body(trx, i));
        times.push(performance.now() - t0);
      }
      return { label, ms: pct(times, 50), p90: pct(times, 90) };
    };
    const change = (trx: typeof db, i: number) => sql`insert into bench_changes (v) values (${i})`.execute(trx);
    const rows = [
      await run('change alone (1 insert, commit)', change),
      await run('+ outbox row (alternative, not drained)', async (trx, i) => {
        await change(trx, i);
        await sql`insert into bench_outbox (type, payload) values ('bench.one', ${JSON.stringify({ i })}::jsonb)`.execute(trx);
      }),
      await run('+ publish, 1 subscriber', async (trx, i) => {
        await change(trx, i);
        await events.publish(trx, 'bench.one', { i, t: 0 });
      }),
      await run('+ publish, 3 subscribers', async (trx, i) => {
        await change(trx, i);
        await events.publish(trx, 'bench.three', { i, t: 0 });
      }),
    ];
    const base = rows[0]!.ms;
    console.log(`${N} serial transactions each (embedded PostgreSQL, same box), median (p90) per transaction:`);
    for (const r of rows) console.log(`  ${r.label.padEnd(42)} ${r.ms.toFixed(3)} ms (${r.p90.toFixed(2)})   median added: ${(r.ms - base).toFixed(3)} ms`);
    // the statements alone (no commit in the figure): N in one transaction, rolled back
    const inOne = async (body: (trx: typeof db, i: number) => Promise<unknown>) => {
      let us = 0;
      await db
        .transaction()
        .execute(async (trx) => {
          const t0 = performance.now();
          for (let i = 0; i < N; i++) await body(trx, i);
          us = ((performance.now() - t0) * 1000) / N;
          throw new Error('rollback');
        })
        .catch(() => undefined);
      return us;
    };
    const outboxUs = await inOne((trx, i) => sql`insert into bench_outbox (type, payload) values ('bench.one', ${JSON.stringify({ i })}::jsonb)`.execute(trx));
    const pub1Us = await inOne((trx, i) => events.publish(trx, 'bench.one', { i, t: 0 }));
    const pub3Us = await inOne((trx, i) => events.publish(trx, 'bench.three', { i, t: 0 }));
    console.log(`statements alone, ${N} in one transaction: outbox insert ${outboxUs.toFixed(0)} µs, publish (1 subscriber) ${pub1Us.toFixed(0)} µs, publish (3 subscribers) ${pub3Us.toFixed(0)} µs`);
    await sql`delete from pgboss.job where name = 'vigil.events'`.execute(db);

    // delivery: the worker in this process, woken by the commit's NOTIFY
    await jobs.stop();
    await jobs.start('events');
    const t0 = performance.now();
    for (let i = 0; i < N; i++) await db.transaction().execute((trx) => events.publish(trx, 'bench.flow', { i, t: Date.now() }));
    await events.settled(600_000);
    const s = (performance.now() - t0) / 1000;
    console.log(`delivery of ${N} events published one per transaction: ${(N / s).toFixed(0)} handled/s; publish → handler start p50 ${pct(seen, 50)} ms, p99 ${pct(seen, 99)} ms`);
  } finally {
    await app?.close();
    await handle.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
