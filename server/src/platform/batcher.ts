/**
 * Group commit: concurrent callers add rows; the batcher writes them together in one statement and resolves each
 * caller with its own results only after that statement has committed.
 *
 * A flush starts when `maxRows` rows are waiting or `maxWaitMs` after the first waiting row, whichever is first,
 * and at most `maxConcurrent` flushes run at once (each holds a database connection); rows arriving while all
 * flush slots are busy wait for the next one, so batches grow with load and the database sees few, large inserts.
 *
 * With `eager`, rows that arrive while nothing is being written are flushed at the end of the current event-loop
 * turn (every request read in that turn joins) instead of after `maxWaitMs`; while a flush is being written, rows
 * wait for it to finish (then they go at once: they have waited a flush already) or for `maxWaitMs`, which opens
 * another slot. So an idle or lightly loaded writer adds no timer delay, and under load the batch is whatever
 * arrived during the previous flush: it grows with the load by itself (self-clocking), as the statement's cost does.
 *
 * Under stress:
 * - The queue is bounded (`maxQueuedRows`): an add() that would exceed it is refused at once with BatcherFullError
 *   (the caller answers 503 + Retry-After) instead of letting memory and latency grow without limit.
 * - A failed write whose error `isolatable` says was caused by a row (bad data, a constraint) is retried in halves
 *   (the rows of one caller are never split), so only the callers whose rows fail are rejected; an error of the
 *   database itself (connection lost, timeout) rejects the whole batch at once. A write is one atomic statement, so
 *   a failed one wrote nothing and retrying it cannot write twice. Nothing is acknowledged that was not written.
 */
export interface BatcherOptions<T, R> {
  /** Writes the rows in one transaction/statement and returns one result per row, in order. */
  write(rows: T[]): Promise<R[]>;
  maxRows?: number;
  maxWaitMs?: number;
  maxConcurrent?: number;
  /** Flush at once when no flush is being written (see above); maxWaitMs then only opens further slots. */
  eager?: boolean;
  /** Most rows waiting (not yet being written) at once; more are refused with BatcherFullError. */
  maxQueuedRows?: number;
  /** Whether a write error may be caused by some rows only (then the batch is retried in halves). Default: no. */
  isolatable?(err: unknown): boolean;
}

/** The queue is full: the caller should come back later (retryAfterSeconds: the time the backlog needs to drain). */
export class BatcherFullError extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super('too many writes waiting; try again shortly');
  }
}

interface Pending<T, R> {
  rows: T[];
  resolve(results: R[]): void;
  reject(err: unknown): void;
}

export class Batcher<T, R> {
  private queue: Pending<T, R>[] = [];
  private queuedRows = 0;
  private inFlight = 0;
  private timer: NodeJS.Timeout | null = null;
  private immediate: NodeJS.Immediate | null = null;
  private readonly maxRows: number;
  private readonly maxWaitMs: number;
  private readonly maxConcurrent: number;
  private readonly maxQueuedRows: number;
  private idleWaiters: (() => void)[] = [];
  /**
   * Figures for metrics and the benchmark. `accepted`: rows taken in by add(); `refused`: rows refused because the
   * queue was full; `retries`: re-writes of parts of a failed batch.
   */
  readonly stats = { flushes: 0, rows: 0, maxBatch: 0, flushMs: 0, refused: 0, retries: 0, accepted: 0 };

  constructor(private readonly opts: BatcherOptions<T, R>) {
    this.maxRows = opts.maxRows ?? 500;
    this.maxWaitMs = opts.maxWaitMs ?? 2;
    this.maxConcurrent = opts.maxConcurrent ?? 4;
    this.maxQueuedRows = opts.maxQueuedRows ?? 20_000;
  }

  /** Rows waiting for a flush slot. */
  get queued(): number {
    return this.queuedRows;
  }

  /** Flushes being written now. */
  get writing(): number {
    return this.inFlight;
  }

  /** Adds rows; resolves with their results once written. Rejects at once with BatcherFullError when the queue is full. */
  add(rows: T[]): Promise<R[]> {
    if (!rows.length) return Promise.resolve([]);
    // (an add larger than the whole limit is still taken when nothing waits, or it could never be written)
    if (this.queuedRows > 0 && this.queuedRows + rows.length > this.maxQueuedRows) {
      this.stats.refused += rows.length;
      return Promise.reject(new BatcherFullError(this.drainSeconds()));
    }
    this.stats.accepted += rows.length;
    return new Promise<R[]>((resolve, reject) => {
      this.queue.push({ rows, resolve, reject });
      this.queuedRows += rows.length;
      this.schedule();
    });
  }

  /** Resolves when nothing is queued or being written (graceful shutdown). */
  drain(): Promise<void> {
    if (!this.queue.length && !this.inFlight) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Seconds the current backlog needs at the write rate measured so far (at least 1, at most 30). */
  private drainSeconds(): number {
    const msPerRow = this.stats.rows ? this.stats.flushMs / this.stats.rows / this.maxConcurrent : 1;
    return Math.min(30, Math.max(1, Math.ceil((this.queuedRows * msPerRow) / 1000)));
  }

  private schedule() {
    if (!this.queue.length || this.inFlight >= this.maxConcurrent) return;
    if (this.queuedRows >= this.maxRows) {
      this.flush();
      return;
    }
    if (this.opts.eager && this.inFlight === 0) {
      this.flushSoon();
      return;
    }
    if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = null;
        this.flush();
      }, this.maxWaitMs);
    }
  }

  /** Flushes at the end of this event-loop turn: the rows of every request read in it go together. */
  private flushSoon() {
    this.immediate ??= setImmediate(() => {
      this.immediate = null;
      this.flush();
    });
  }

  private flush() {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.immediate) {
      clearImmediate(this.immediate);
      this.immediate = null;
    }
    if (!this.queue.length || this.inFlight >= this.maxConcurrent) return;
    // Take whole requests up to maxRows (a request's rows are never split across flushes).
    const batch: Pending<T, R>[] = [];
    let n = 0;
    while (this.queue.length && (n === 0 || n + this.queue[0]!.rows.length <= this.maxRows)) {
      const p = this.queue.shift()!;
      batch.push(p);
      n += p.rows.length;
    }
    this.queuedRows -= n;
    this.inFlight++;
    this.stats.flushes++;
    this.stats.rows += n;
    if (n > this.stats.maxBatch) this.stats.maxBatch = n;
    const started = performance.now();
    void this.writeIsolating(batch).finally(() => {
      this.stats.flushMs += performance.now() - started;
      this.inFlight--;
      if (this.queue.length) {
        // Slot freed: write whatever accumulated meanwhile right away (it already waited).
        // (eager: only when no other flush is being written; otherwise the rows wait for it like any others. Going
        // at once beside it would keep two flushes in flight for good, each holding half the callers, while the
        // caller side idles: measured, the warm check-in bench fell from ≈ 14k to ≈ 8k/s when that happened.)
        if (this.opts.eager) {
          if (this.inFlight === 0) this.flushSoon();
          else this.schedule();
        }
        else if (this.queuedRows >= this.maxRows || this.timer === null) this.flush();
        else this.schedule();
      } else if (!this.inFlight) {
        for (const w of this.idleWaiters.splice(0)) w();
      }
    });
  }

  /**
   * Writes the callers' rows in one statement. If it fails for a reason `isolatable` blames on rows, the batch is
   * written again in two halves (recursively, within this flush slot), so a bad row fails only its own caller.
   */
  private async writeIsolating(batch: Pending<T, R>[]): Promise<void> {
    const rows = batch.length === 1 ? batch[0]!.rows : batch.flatMap((p) => p.rows);
    let results: R[];
    try {
      results = await this.opts.write(rows);
      if (results.length !== rows.length) throw new Error(`batch writer returned ${results.length} results for ${rows.length} rows`);
    } catch (err) {
      if (batch.length > 1 && this.opts.isolatable?.(err)) {
        const half = batch.length >> 1;
        this.stats.retries += 2;
        await this.writeIsolating(batch.slice(0, half));
        await this.writeIsolating(batch.slice(half));
      } else {
        for (const p of batch) p.reject(err);
      }
      return;
    }
    let i = 0;
    for (const p of batch) {
      p.resolve(results.slice(i, i + p.rows.length));
      i += p.rows.length;
    }
  }
}

/**
 * Maps `items` with at most `limit` calls of `fn` running at once (results in input order). For work that holds
 * a scarce resource per call, e.g. a database connection: a gate's batch of 200 scans must not take the whole pool.
 */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, worker));
  return out;
}
