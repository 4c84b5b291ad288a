/**
 * One poller for every change feed of a process. A change feed is a table a trigger writes one row to per change
 * (a key and its time: venues' `venue_changes`, people's `person_device_revocations`); caches of the hot paths keep
 * what they read for hours and learn of changes made by other server processes by reading the feed. Each cache used
 * to poll its feed on its own; here all feeds are read by ONE statement, at most once per POLL_MS (one second), and
 * only while someone asks (`fresh`/`within`: a check-in arriving), so an idle process costs the database nothing.
 *
 * Rules each subscriber relies on:
 * - `fresh(maxAgeMs)` (no await) says whether the last completed read began less than maxAgeMs ago, and starts the
 *   next read when one is due; `within(maxAgeMs)` waits for a read when the last one is older than that. A cache
 *   trusts its entries only while the feed is that fresh (venues: 2 s; devices: 5 s), so a change committed
 *   anywhere applies everywhere within that time.
 * - Every read returns the changes from a little before the previous read (FEED_OVERLAP: a changing transaction may
 *   commit after its timestamp); a subscriber is handed each change ("key" + its time) once: those of the overlap
 *   window it was handed before are left out.
 * - A subscriber's first delivery has `first` set: it knows of no earlier state (venues drop their whole cache).
 * - A clock set back counts as stale (a read is awaited), never as fresh for longer.
 *
 * The app shares one feed per database (`sharedChangeFeed`); a cache built on its own (tests standing in for another
 * server process) gets a private one.
 */
import { sql, type RawBuilder } from 'kysely';
import type { Db } from './db/types';

/** The feeds are read at most this often (one statement for all of them), while someone asks. */
export const POLL_MS = 1_000;
/** Changes are read from this long before the previous read: a changing transaction may commit after its timestamp. */
export const FEED_OVERLAP = '30 seconds';

/** A feed table: the column naming what changed (rows where it is null are not this subscriber's) and the column of
 * when (indexed). Identifiers from code only. One table may feed several subscribers by different key columns. */
export interface FeedTable {
  table: string;
  key: string;
  at: string;
}

export type FeedHandler = (keys: string[], first: boolean) => void;

interface Subscriber {
  source: FeedTable;
  apply: FeedHandler;
  /** "key time" of the changes of the last read's overlap window already handed over; null before the first. */
  seen: Set<string> | null;
}

const IDENT = /^[a-z_][a-z0-9_]*$/;

export class ChangeFeed {
  private readonly subscribers: Subscriber[] = [];
  /** database time of the last read, when (clock) it began, and the read in flight */
  private since: Date | null = null;
  private readAt = -Infinity;
  private reading: Promise<void> | null = null;
  /** statements run (tests and the benchmark check the one-read-per-second rule) */
  reads = 0;

  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
  ) {}

  /** Hands `apply` the keys changed from now on (each once). Returns what ends the subscription (a cache closing:
   * the shared feed outlives an app built on the same database, and must neither call nor query for it after). */
  subscribe(source: FeedTable, apply: FeedHandler): () => void {
    for (const v of [source.table, source.key, source.at]) if (!IDENT.test(v)) throw new Error(`change feed: bad identifier ${v}`);
    const sub: Subscriber = { source, apply, seen: null };
    this.subscribers.push(sub);
    return () => {
      const i = this.subscribers.indexOf(sub);
      if (i >= 0) this.subscribers.splice(i, 1);
    };
  }

  /** Subscriptions open (diagnostics, tests). */
  get subscriberCount(): number {
    return this.subscribers.length;
  }

  /** Whether the last read began less than maxAgeMs ago (no await); starts the next read when one is due. */
  fresh(maxAgeMs: number): boolean {
    const age = this.now() - this.readAt;
    if (age >= POLL_MS || age < 0) this.start();
    return age < maxAgeMs && age >= 0;
  }

  /** Resolves once the last read began less than maxAgeMs ago (waiting for a read when needed). */
  async within(maxAgeMs: number): Promise<void> {
    if (!this.fresh(maxAgeMs)) await this.start();
  }

  /** The next `fresh`/`within` waits for a read (this process changed something it cannot name to its subscribers). */
  stale(): void {
    this.readAt = -Infinity;
  }

  private start(): Promise<void> {
    if (!this.reading) {
      this.reading = this.read().finally(() => {
        this.reading = null;
      });
      // a failed background read is retried by the next caller; one that must wait sees the error itself
      this.reading.catch(() => {});
    }
    return this.reading;
  }

  private query(): RawBuilder<unknown> {
    const subs = this.subscribers;
    const since = sql`coalesce(${this.since}::timestamptz, statement_timestamp()) - ${FEED_OVERLAP}::interval`;
    const cols = subs.map(
      (s, i) =>
        sql`coalesce((select array_agg(distinct ${sql.ref(s.source.key)}::text || ' ' || ${sql.ref(s.source.at)}::text) from ${sql.table(s.source.table)}
                      where ${sql.ref(s.source.at)} >= ${since} and ${sql.ref(s.source.key)} is not null), '{}') as ${sql.ref(`f${i}`)}`,
    );
    return sql`select statement_timestamp() as now${cols.length ? sql`, ${sql.join(cols)}` : sql``}`;
  }

  private async read(): Promise<void> {
    const startedAt = this.now();
    const subs = [...this.subscribers];
    const r = await this.query().execute(this.db);
    this.reads++;
    const row = r.rows[0] as Record<string, unknown> & { now: Date };
    subs.forEach((s, i) => {
      if (!this.subscribers.includes(s)) return; // unsubscribed while the read ran
      const changes = (row[`f${i}`] as string[] | null) ?? [];
      const first = s.seen === null;
      const fresh: string[] = [];
      for (const c of changes) if (first || !s.seen!.has(c)) fresh.push(c.slice(0, c.indexOf(' ')));
      // the overlap window's changes: the next read returns these (and newer) only
      s.seen = new Set(changes);
      if (fresh.length || first) s.apply(fresh, first);
    });
    this.since = row.now;
    this.readAt = startedAt;
  }
}

const shared = new WeakMap<Db, ChangeFeed>();

/** The process's change feed for this database (one per app: every cache of the app subscribes to it). */
export function sharedChangeFeed(ctx: { db: Db; config: { clock: () => Date } }): ChangeFeed {
  let f = shared.get(ctx.db);
  if (!f) shared.set(ctx.db, (f = new ChangeFeed(ctx.db, () => ctx.config.clock().getTime())));
  return f;
}
