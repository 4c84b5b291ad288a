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
}

export interface DeliveryFailure {
  eventId: string;
  type: string;
  subscriber: string;
  message: string;
}

export class Events {
  private readonly subscribers = new Map<string, { type: string; handler: EventHandler<EventType> }>();
  private readonly byType = new Map<string, string[]>();
  private readonly progress = new EventEmitter();
  private failures: DeliveryFailure[] = [];
  private working = false;
  /** batches this process's worker is handling: their jobs may already look finished in pg-boss (a failure is
   * committed by boss.fail) before the batch has noted the failure here */
  private inflight = 0;

  constructor(private readonly opts: EventsOptions) {
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
   * Resolves when no published event has a handler waiting, running or due for a retry (tests: `await
   * t.events.settled()`). Throws if a delivery failed for good since the last call, or after `timeoutMs`.
   */
  async settled(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const r = await sql<{ open: string; active: string }>`
        select count(*) as open from pgboss.job where name = ${EVENTS_QUEUE} and state < 'completed'`.execute(this.opts.db);
      const open = Number(r.rows[0]!.open);
      // a batch still in hand may have failed a job for good (the row says `failed`) without having noted it yet
      if (open === 0 && this.inflight === 0) break;
      if (!this.working) throw new Error(`${open} event deliveries are waiting but this process runs no event worker (jobs.start('events'))`);
      if (Date.now() > deadline) throw new Error(`events not settled after ${timeoutMs} ms: ${open} deliveries open, ${this.inflight} batches in hand`);
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
    const failures = this.failures;
    this.failures = [];
    if (failures.length) throw new Error(`event deliveries failed for good: ${failures.map((f) => `${f.type} → ${f.subscriber}: ${f.message}`).join('; ')}`);
  }

  private async attachWorker(boss: PgBoss, scope: JobsScope): Promise<() => Promise<void>> {
    if (scope === 'send') return async () => undefined;
    const workerId = await boss.work<JobData>(EVENTS_QUEUE, { batchSize: BATCH, includeMetadata: true }, async (jobs) => {
      this.inflight++;
      try {
        await this.workBatch(boss, workerId, jobs);
      } finally {
        this.inflight--;
        setImmediate(() => this.progress.emit('batch'));
      }
    });
    this.working = true;
    const listener = await this.listen(() => boss.notifyWorker(workerId));
    return async () => {
      this.working = false;
      await listener.close();
    };
  }

  private async workBatch(boss: PgBoss, workerId: string, jobs: PgBoss.JobWithMetadata<JobData>[]): Promise<void> {
    let again = jobs.length === BATCH;
    await Promise.all(
      jobs.map(async (job) => {
        try {
          await this.deliver(job.data, job.retryCount);
        } catch (err) {
          const message = err instanceof Error ? err.message : String(err);
          await boss.fail(EVENTS_QUEUE, job.id, { message });
          const final = job.retryCount >= job.retryLimit;
          // type and subscriber only: the message may quote personal data (it is kept in the job's output)
          this.opts.log.error({ event: job.data.type, subscriber: job.data.subscriber, attempt: job.retryCount, final }, 'event handler failed');
          if (final) this.failures.push({ eventId: job.data.id, type: job.data.type, subscriber: job.data.subscriber, message });
          if (this.opts.retryDelaySeconds === 0) again = true;
        }
      }),
    );
    if (again) boss.notifyWorker(workerId);
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
