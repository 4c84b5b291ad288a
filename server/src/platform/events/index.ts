// Domain events: a module publishes "something happened" inside the transaction of its change; subscribers in other
// modules run after commit as pg-boss jobs, with retries, once per (event id, subscriber).
//
// How (measured in bench/events.ts, explained in docs/ARCHITECTURE.md "Domain events"):
// - publish() inserts one pg-boss job per subscriber with pg-boss's own insert, on the caller's connection (its
//   `db` option), so the jobs commit or roll back with the change: no outbox table to drain, nothing published
//   by a rolled-back transaction. It also issues pg_notify('vigil_events'), which PostgreSQL delivers only at
//   commit: the worker wakes at once instead of waiting for its next poll (the poll stays as the fallback).
// - The worker runs a subscriber's handler in a transaction that first claims the (event id, subscriber) row of
//   event_deliveries. A second delivery of the same job (expired lease, a duplicate) finds the row and does
//   nothing; a concurrent one waits on the uncommitted row and then does nothing. A handler that throws rolls its
//   claim back and the job is retried with backoff; after the retry limit it stays `failed` in pg-boss.
// - Handlers get that transaction (`trx`): what they write through it happens exactly once with the claim. Side
//   effects outside the database (an SMS) happen at least once; make them idempotent by the event id.
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import pg from 'pg';
import type PgBoss from 'pg-boss';
import { CompiledQuery, sql } from 'kysely';
import type { Db, DbOrTx, Tx } from '../db/types';
import type { Jobs, JobsScope } from '../jobs';

/**
 * Event names and payload types. The publishing module declares its events in its index.ts:
 *   declare module '../../platform/events' { interface DomainEvents { 'person.merged': PersonMerged } }
 * Payloads travel as JSON: use strings for dates and ids.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface DomainEvents {}

export type EventType = keyof DomainEvents & string;

export interface DomainEvent<T extends EventType = EventType> {
  id: string;
  type: T;
  payload: DomainEvents[T];
  /** ISO 8601 */
  occurredAt: string;
}

export interface DeliveryContext {
  /** the delivery's transaction: writes through it happen once per (event, subscriber), with the claim */
  trx: Tx;
  /** 0 on the first try */
  attempt: number;
}

export type EventHandler<T extends EventType> = (event: DomainEvent<T>, delivery: DeliveryContext) => Promise<unknown>;

export const EVENTS_QUEUE = 'vigil.events';
const CHANNEL = 'vigil_events';
const BATCH = 8;
/** the worker looks for due jobs this often when no notification woke it (retries, a missed notify) */
const POLL_MS = 2000;

interface JobData {
  id: string;
  type: string;
  payload: unknown;
  occurredAt: string;
  subscriber: string;
}

export interface EventsOptions {
  db: Db;
  jobs: Jobs;
  url: string;
  clock: () => Date;
  retryLimit: number;
  /** first retry delay; doubled on each retry (pg-boss backoff). 0 retries at once (tests) */
  retryDelaySeconds: number;
  log: { error(o: object, m: string): void; warn(o: object, m: string): void };
  /**
   * Connections in the pool behind `db`. A delivery holds one for its transaction while its handler runs, and a
   * handler may need another (the tracing engine reads through `ctx.db`): with as many deliveries at once as the
   * pool has connections, every handler waits for a connection that only a handler can free, until the connect
   * timeout fails them all. So at most half the pool delivers at once (default: the pool's 20 → BATCH).
   */
  poolSize?: number;
}

export class Events {
  private readonly subscribers = new Map<string, { type: string; handler: EventHandler<EventType> }>();
  private readonly byType = new Map<string, string[]>();
  private readonly progress = new EventEmitter();
  private working = false;
  /** deliveries fetched and run at once: BATCH, or half the pool when that is smaller (see EventsOptions.poolSize) */
  private readonly batch: number;
  /** settled() reports the deliveries that failed for good from this moment on (not an earlier app's on the same
   * database), each once: the ids it reported */
  private readonly since = new Date();
  private readonly reported = new Set<string>();

  constructor(private readonly opts: EventsOptions) {
    this.batch = Math.max(1, Math.min(BATCH, Math.floor((opts.poolSize ?? 2 * BATCH) / 2)));
    opts.jobs.queue(EVENTS_QUEUE, { expireInSeconds: 15 * 60, retryLimit: opts.retryLimit });
    opts.jobs.attach((boss, scope) => this.attachWorker(boss, scope));
  }

  /** Run `handler` after every committed `type` event. `subscriberName` is unique and stable (it keys idempotency). */
  subscribe<T extends EventType>(type: T, subscriberName: string, handler: EventHandler<T>): void {
    if (!/^[a-z][a-z0-9_.-]*$/.test(subscriberName)) throw new Error(`Subscriber name "${subscriberName}": lower-case letters, digits, . _ -`);
    if (this.subscribers.has(subscriberName)) throw new Error(`Subscriber ${subscriberName} registered twice`);
    this.subscribers.set(subscriberName, { type, handler: handler as unknown as EventHandler<EventType> });
    this.byType.set(type, [...(this.byType.get(type) ?? []), subscriberName]);
  }

  /**
   * Publish `type` in `trx` (the caller's Kysely transaction; a plain Db commits at once). The subscribers' jobs
   * commit or roll back with it. Returns the event id.
   */
  async publish<T extends EventType>(trx: DbOrTx, type: T, payload: DomainEvents[T]): Promise<string> {
    return (await this.publishMany(trx, type, [payload]))[0]!;
  }

  /**
   * Publish many events of one type in `trx` with one insert and one notify (a lab file's positives): the same
   * delivery as `publish` for each, a fraction of its cost per event. Returns the event ids in payload order.
   */
  async publishMany<T extends EventType>(trx: DbOrTx, type: T, payloads: DomainEvents[T][]): Promise<string[]> {
    const ids = payloads.map(() => randomUUID());
    const subs = this.byType.get(type);
    if (!subs?.length || !payloads.length) return ids;
    const boss = await this.opts.jobs.started();
    const occurredAt = this.opts.clock().toISOString();
    const retry = { retryLimit: this.opts.retryLimit, retryDelay: this.opts.retryDelaySeconds, retryBackoff: this.opts.retryDelaySeconds > 0 };
    const jobs: PgBoss.JobInsert<JobData>[] = payloads.flatMap((payload, i) =>
      subs.map((subscriber) => ({ name: EVENTS_QUEUE, data: { id: ids[i]!, type, payload, occurredAt, subscriber }, ...retry })),
    );
    const db: PgBoss.Db = {
      executeSql: async (text, values) => ({ rows: (await trx.executeQuery(CompiledQuery.raw(text, values))).rows as unknown[] }),
    };
    // pg-boss sends the jobs as one JSON parameter: a few thousand per statement keeps it small
    for (let i = 0; i < jobs.length; i += 2000) await boss.insert(jobs.slice(i, i + 2000), { db });
    await sql`select pg_notify(${CHANNEL}, '')`.execute(trx);
    return ids;
  }

  /** Subscriber names by event type (docs, diagnostics). */
  subscriptions(): Record<string, string[]> {
    return Object.fromEntries(this.byType);
  }

  /**
   * Resolves when no delivery of the events queue is waiting, running or due for a retry (tests: `await
   * t.events.settled()`). Throws if a delivery failed for good since this instance was made and was not reported
   * by an earlier call, or after `timeoutMs`. Everything is read from pgboss.job, the one truth: the worker's own
   * bookkeeping lags behind it (boss.fail commits `failed` before the worker has finished with the batch), so
   * counting in memory raced on a busy machine.
   */
  async settled(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const r = await sql<{ open: string }>`
        select count(*) as open from pgboss.job where name = ${EVENTS_QUEUE} and state in ('created', 'retry', 'active')`.execute(this.opts.db);
      const open = Number(r.rows[0]!.open);
      if (open === 0) break;
      if (!this.working) throw new Error(`${open} event deliveries are waiting but this process runs no event worker (jobs.start('events'))`);
      if (Date.now() > deadline) throw new Error(`events not settled after ${timeoutMs} ms: ${open} deliveries open`);
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(t);
          this.progress.off('batch', done); // woken by the timer: the listener must not pile up
          resolve();
        };
        const t = setTimeout(done, 25);
        this.progress.once('batch', done);
      });
    }
    const failed = await sql<{ id: string; type: string; subscriber: string; message: string | null }>`
      select id::text, data->>'type' as type, data->>'subscriber' as subscriber,
             coalesce(output->>'message', output->'value'->>'message', output::text) as message
        from pgboss.job
       where name = ${EVENTS_QUEUE} and state = 'failed' and completed_on >= ${this.since}
       order by completed_on, id`.execute(this.opts.db);
    const fresh = failed.rows.filter((f) => !this.reported.has(f.id));
    for (const f of fresh) this.reported.add(f.id);
    if (fresh.length) throw new Error(`event deliveries failed for good: ${fresh.map((f) => `${f.type} → ${f.subscriber}: ${f.message ?? '?'}`).join('; ')}`);
  }

  /**
   * The worker: its own fetch loop rather than pg-boss's work(). work() completes a batch's jobs by id after the
   * handler returns, without waiting; a job this batch failed with a retry left could be fetched again (active, the
   * same id) before that complete ran, and was then marked completed: the retry never ran and the delivery was
   * lost (seen with retries at once, on a busy machine). Here each job is completed or failed, awaited, by the batch
   * that ran it, and nothing touches it after that.
   */
  private async attachWorker(boss: PgBoss, scope: JobsScope): Promise<() => Promise<void>> {
    if (scope === 'send') return async () => undefined;
    let stopped = false;
    let woken = false;
    let wakeUp: (() => void) | null = null;
    const wake = () => {
      woken = true;
      wakeUp?.();
    };
    const loop = (async () => {
      let pause = 0; // after an error: 1 s, doubling to 30 s
      while (!stopped) {
        woken = false;
        let more = false;
        try {
          const jobs = await boss.fetch<JobData>(EVENTS_QUEUE, { batchSize: this.batch, includeMetadata: true });
          if (jobs.length) more = await this.workBatch(boss, jobs);
          pause = 0;
        } catch (err) {
          pause = Math.min(pause ? pause * 2 : 1000, 30_000);
          boss.emit('error', err); // the job system's error path (database health, one log line)
        } finally {
          setImmediate(() => this.progress.emit('batch'));
        }
        if (stopped) break;
        if ((more || woken) && !pause) continue;
        await new Promise<void>((resolve) => {
          const done = () => {
            clearTimeout(t);
            wakeUp = null;
            resolve();
          };
          const t = setTimeout(done, pause || POLL_MS);
          wakeUp = pause ? null : done; // after an error only the timer ends the pause
        });
      }
    })();
    this.working = true;
    const listener = await this.listen(wake);
    return async () => {
      this.working = false;
      stopped = true;
      wake();
      await listener.close();
      await loop;
    };
  }

  /** Runs a batch; each job is completed or failed before it returns. True when the queue may hold more now. */
  private async workBatch(boss: PgBoss, jobs: PgBoss.JobWithMetadata<JobData>[]): Promise<boolean> {
    let again = jobs.length === this.batch;
    const done: string[] = [];
    const outcomes = await Promise.allSettled(
      jobs.map(async (job) => {
        try {
          await this.deliver(job.data, job.retryCount);
          done.push(job.id);
        } catch (err) {
          const message = err instanceof Error ? err.message : String(err);
          await boss.fail(EVENTS_QUEUE, job.id, { message });
          const final = job.retryCount >= job.retryLimit;
          // type and subscriber only: the message may quote personal data (it is kept in the job's output)
          this.opts.log.error({ event: job.data.type, subscriber: job.data.subscriber, attempt: job.retryCount, final }, 'event handler failed');
          if (this.opts.retryDelaySeconds === 0) again = true;
        }
      }),
    );
    if (done.length) await boss.complete(EVENTS_QUEUE, done);
    // boss.fail itself failed (the database went away): those jobs stay active until they expire and are retried
    const broken = outcomes.find((o) => o.status === 'rejected');
    if (broken) throw broken.reason;
    return again;
  }

  private async deliver(data: JobData, attempt: number): Promise<void> {
    const sub = this.subscribers.get(data.subscriber);
    if (!sub) {
      this.opts.log.warn({ event: data.type, subscriber: data.subscriber }, 'event for a subscriber this version does not have: dropped');
      return;
    }
    const event = { id: data.id, type: data.type, payload: data.payload, occurredAt: data.occurredAt } as DomainEvent<EventType>;
    await this.opts.db.transaction().execute(async (trx) => {
      const claimed = await sql`insert into event_deliveries (event_id, subscriber) values (${data.id}, ${data.subscriber})
        on conflict do nothing returning event_id`.execute(trx);
      if (!claimed.rows.length) return; // delivered before: a retried or duplicated job does nothing
      await sub.handler(event, { trx, attempt });
    });
  }

  /** LISTEN on a connection of its own; reconnects after an error. Wakes the worker when a publish commits. */
  private async listen(wake: () => void): Promise<{ close(): Promise<void> }> {
    let client: pg.Client | null = null;
    let closed = false;
    let timer: NodeJS.Timeout | null = null;
    const retryLater = () => {
      if (!closed) timer = setTimeout(() => void connect().catch(retryLater), 1000); // polling covers the gap
    };
    const connect = async () => {
      if (closed) return;
      const c = new pg.Client({ connectionString: this.opts.url, application_name: 'vigil-events' });
      c.on('notification', () => wake());
      c.on('error', () => {
        if (client !== c || closed) return;
        client = null;
        void c.end().catch(() => undefined);
        retryLater();
      });
      await c.connect();
      await c.query(`listen ${CHANNEL}`);
      client = c;
      wake(); // anything committed while not listening
    };
    await connect();
    return {
      close: async () => {
        closed = true;
        if (timer) clearTimeout(timer);
        const c = client;
        client = null;
        await c?.end().catch(() => undefined);
      },
    };
  }
}
