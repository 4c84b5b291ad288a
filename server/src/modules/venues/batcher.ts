/**
 * Group commit: concurrent callers add rows; the batcher writes them together in one statement and resolves each
 * caller with its own results only after that statement has committed.
 *
 * A flush starts when `maxRows` rows are waiting or `maxWaitMs` after the first waiting row, whichever is first,
 * and at most `maxConcurrent` flushes run at once (each holds a database connection); rows arriving while all
 * flush slots are busy wait for the next one, so batches grow with load and the database sees few, large inserts.
 * A failed flush rejects exactly the callers whose rows were in it; nothing is acknowledged that was not written.
 */
export interface BatcherOptions<T, R> {
  /** Writes the rows in one transaction/statement and returns one result per row, in order. */
  write(rows: T[]): Promise<R[]>;
  maxRows?: number;
  maxWaitMs?: number;
  maxConcurrent?: number;
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
  private readonly maxRows: number;
  private readonly maxWaitMs: number;
  private readonly maxConcurrent: number;
  private idleWaiters: (() => void)[] = [];
  /** Figures for metrics and the benchmark. */
  readonly stats = { flushes: 0, rows: 0, maxBatch: 0, flushMs: 0 };

  constructor(private readonly opts: BatcherOptions<T, R>) {
    this.maxRows = opts.maxRows ?? 500;
    this.maxWaitMs = opts.maxWaitMs ?? 2;
    this.maxConcurrent = opts.maxConcurrent ?? 4;
  }

  /** Adds rows; resolves with their results once written. */
  add(rows: T[]): Promise<R[]> {
    if (!rows.length) return Promise.resolve([]);
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

  private schedule() {
    if (!this.queue.length || this.inFlight >= this.maxConcurrent) return;
    if (this.queuedRows >= this.maxRows) {
      this.flush();
      return;
    }
    if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = null;
        this.flush();
      }, this.maxWaitMs);
    }
  }

  private flush() {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
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
    const rows = batch.flatMap((p) => p.rows);
    const started = performance.now();
    this.opts
      .write(rows)
      .then(
        (results) => {
          if (results.length !== rows.length) throw new Error(`batch writer returned ${results.length} results for ${rows.length} rows`);
          let i = 0;
          for (const p of batch) {
            p.resolve(results.slice(i, i + p.rows.length));
            i += p.rows.length;
          }
        },
        (err: unknown) => {
          for (const p of batch) p.reject(err);
        },
      )
      .catch((err: unknown) => {
        for (const p of batch) p.reject(err);
      })
      .finally(() => {
        this.stats.flushMs += performance.now() - started;
        this.inFlight--;
        if (this.queue.length) {
          // Slot freed: write whatever accumulated meanwhile right away (it already waited).
          if (this.queuedRows >= this.maxRows || this.timer === null) this.flush();
          else this.schedule();
        } else if (!this.inFlight) {
          for (const w of this.idleWaiters.splice(0)) w();
        }
      });
  }
}
