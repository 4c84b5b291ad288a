/**
 * Ed25519 signature math off the event loop: a small pool of worker threads (verify-worker.ts) that check the
 * signatures of first-seen QR codes (posters, personal cards) for verifyAsync (payload.ts), so a burst of cold
 * check-ins does not hold the server's one thread for ≈ 45 µs a signature. A turn with a single check (a quiet
 * server) does it on the event loop: a round trip would cost the loop as much (minBatch).
 *
 * - Batches: the checks asked for during one event-loop turn go to one worker in one message (setImmediate after the
 *   first), a transferred ArrayBuffer of records (public key, signature, signing input; verify-worker.ts); the answer
 *   is one byte a record. Nothing else crosses: no personal data beyond the token's own bytes being checked.
 * - Only the math moves: the token's shape, canonical form, key (unknown, retired), payload, type and expiry are
 *   checked by the same code on the event loop (payload.ts), before and after.
 * - Failure: a worker that exits or errors (crash, out of memory, killed) is replaced, and the checks it held are
 *   done on the event loop with the key ring's own backend — never a "valid" that was not computed, never a request
 *   left waiting; after MAX_CRASHES crashes within CRASH_WINDOW_MS no more are started (a fault every batch
 *   meets). A worker that has said nothing for `timeoutMs` while a batch waited that long is ended the same way (one
 *   working through a backlog answers batch after batch). Workers that cannot start (no worker_threads, no
 *   TypeScript loader, a resource limit) leave the pool empty after MAX_START_FAILURES tries in a row: every check
 *   then runs on the event loop, as with `size` 0.
 * - `close()` ends the workers (the app's onClose): the process exits without waiting for them; checks still in
 *   flight are done on the event loop. Idle workers do not keep the process alive (unref while nothing is pending).
 *
 * Size: VIGIL_SIGNATURE_WORKERS (default 1; 0 = on the event loop). On the 2-core box one worker suffices: the event
 * loop is the server's bottleneck, and a second core is shared with PostgreSQL and the clients.
 */
import { Worker } from 'node:worker_threads';
import { PUBLIC_KEY_BYTES, SIGNATURE_BYTES } from './ed25519';

/** A record's fixed part: u16 length of the signing input, the public key, the signature (verify-worker.ts). */
export const RECORD_HEAD = 2 + PUBLIC_KEY_BYTES + SIGNATURE_BYTES;
/** A worker that has not answered a batch within this time is ended and its checks done on the event loop. */
export const DEFAULT_TIMEOUT_MS = 5_000;
/** Workers that crash more than this many times within CRASH_WINDOW_MS are not replaced: checks stay on the loop. */
export const MAX_CRASHES = 5;
export const CRASH_WINDOW_MS = 60_000;
/** VerifyPool.minBatch's default. */
export const DEFAULT_MIN_BATCH = 2;
/**
 * Checks a worker may hold unanswered (≈ 90 ms of its work): a turn that finds it that far behind does its checks on the
 * event loop instead. Without it a flood of first-seen tokens that the event loop hands over faster than the worker
 * checks them (many tokens a request: prefetched personal QR codes, gate batches) queues without bound: memory
 * grows, and every first scan behind the backlog waits for it. On the loop the flood slows the loop itself, which is
 * the back pressure (as with VIGIL_SIGNATURE_WORKERS=0); the answers are the same.
 */
export const DEFAULT_MAX_BACKLOG = 2048;
/** Workers that fail to start this many times in a row (none ever answered) are given up: checks stay on the loop. */
export const MAX_START_FAILURES = 3;

/** One signature to check: the token (its first `inputEnd` characters are the signing input, the rest after the dot the signature). */
interface Check {
  rawPublicKey: Uint8Array;
  token: string;
  inputEnd: number;
  /** the same check on the event loop (the key ring's backend), when the worker cannot answer */
  onLoop: () => boolean;
  resolve: (ok: boolean) => void;
  reject: (err: unknown) => void;
}

interface Batch {
  id: number;
  checks: Check[];
  sentAt: number;
}

interface PoolWorker {
  worker: Worker;
  pending: Map<number, Batch>;
  /** checks in `pending` (DEFAULT_MAX_BACKLOG) */
  backlog: number;
  /** answered at least once (or said it is ready): a later exit is a crash, not a failure to start */
  started: boolean;
  ended: boolean;
  /** when it last answered (performance.now()): a worker busy with a backlog answers batch after batch, a hung one not */
  heardAt: number;
}

export interface VerifyPoolOptions {
  /** worker threads (0: none, every check on the event loop) */
  size: number;
  /** the key ring's Ed25519 backend, which the workers load too ('libsodium' falls back to node:crypto there as here) */
  backend: 'libsodium' | 'node:crypto';
  log?: { info(msg: string): void; warn(msg: string): void };
  timeoutMs?: number;
  /** checks a worker may hold unanswered before a turn's checks are done on the event loop (DEFAULT_MAX_BACKLOG) */
  maxBacklog?: number;
  /** How a worker is made (tests: one that fails to start). */
  spawn?: (workerData: { backend: string }) => Worker;
}

export interface VerifyPoolStats {
  /** messages sent to workers, and the checks in them */
  batches: number;
  checks: number;
  /** checks done on the event loop because a worker crashed, hung or the pool closed with them in flight */
  onLoop: number;
  /** checks done on the event loop because their turn asked for fewer than `minBatch` (not worth a round trip) */
  inline: number;
  /** workers started to replace one that ended */
  restarts: number;
  /** checks done on the event loop because every worker held maxBacklog checks unanswered */
  overflow: number;
}

/**
 * A worker running verify-worker.ts. The server runs TypeScript through tsx (bin/vigil.js, the benches, vitest), and
 * a worker thread does not inherit the main thread's loader: its entry (verify-worker-boot.mjs) registers tsx first.
 */
export function spawnVerifyWorker(workerData: { backend: string }): Worker {
  return new Worker(new URL('./verify-worker-boot.mjs', import.meta.url), { workerData, stdout: false, stderr: false });
}

export class VerifyPool {
  private readonly workers: PoolWorker[] = [];
  private queue: Check[] = [];
  private flushScheduled = false;
  private nextId = 1;
  private next = 0;
  private startFailures = 0;
  /** when started workers crashed lately (performance.now()), for MAX_CRASHES */
  private crashes: number[] = [];
  private closed = false;
  private started = false;
  private gaveUp = false;
  private watchdog: NodeJS.Timeout | null = null;
  readonly stats: VerifyPoolStats = { batches: 0, checks: 0, onLoop: 0, inline: 0, restarts: 0, overflow: 0 };
  /**
   * A turn that asks for fewer checks than this does them on the event loop: a round trip costs each thread ≈ 40 µs
   * when it wakes it from sleep (bench signatures: one check a batch costs the event loop ≈ 46 µs, as much as the
   * check itself, and the worker ≈ 78), while from 4 a batch up the event loop pays ≈ 4–14 µs a check. Under load
   * the turns of a busy server gather 25–30 (bench checkin, cold); a lone first scan on a quiet server stays here.
   */
  minBatch = DEFAULT_MIN_BATCH;
  private readonly timeoutMs: number;
  private readonly maxBacklog: number;
  private readonly spawn: (workerData: { backend: string }) => Worker;

  constructor(private readonly o: VerifyPoolOptions) {
    this.timeoutMs = o.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.maxBacklog = o.maxBacklog ?? DEFAULT_MAX_BACKLOG;
    this.spawn = o.spawn ?? spawnVerifyWorker;
  }

  /**
   * Workers this pool runs (0: configured so, closed, or they could not start: verifyAsync checks on the event loop).
   * They start with the first check (an app that never sees a first-seen QR code starts none).
   */
  get size(): number {
    return this.closed || this.gaveUp ? 0 : this.o.size;
  }

  /** The worker threads running now (diagnostics; tests end one to see its checks redone on the event loop). */
  get threads(): readonly Worker[] {
    return this.workers.map((w) => w.worker);
  }

  /**
   * Whether the signature of `token` (characters [0, inputEnd) signed, the signature after the dot at inputEnd)
   * matches the key: computed by a worker, or by `onLoop` on the event loop when no worker can answer.
   */
  check(rawPublicKey: Uint8Array, token: string, inputEnd: number, onLoop: () => boolean): Promise<boolean> {
    this.start();
    if (!this.workers.length) return Promise.resolve().then(onLoop);
    return new Promise<boolean>((resolve, reject) => {
      this.queue.push({ rawPublicKey, token, inputEnd, onLoop, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(this.flush);
      }
    });
  }

  /** Each running worker's thread CPU so far (ms; null off Linux): what the checks cost on the workers' side. */
  workerCpuMs(): Promise<(number | null)[]> {
    return Promise.all(
      this.workers.map(
        (w) =>
          new Promise<number | null>((resolve) => {
            const on = (m: { cpuMs?: number | null }) => {
              if (!('cpuMs' in m)) return;
              w.worker.off('message', on);
              if (w.pending.size === 0) w.worker.unref();
              resolve(m.cpuMs ?? null);
            };
            w.worker.on('message', on);
            w.worker.ref(); // (an idle worker is unreferenced: the answer must keep the process alive)
            w.worker.postMessage({ cpu: true });
          }),
      ),
    );
  }

  /**
   * Starts the workers now rather than with the first check (`vigil start` does, so a worker that cannot start is
   * reported at start); idempotent.
   */
  start(): void {
    if (!this.started) this.startAll();
  }

  /** Ends the workers; checks in flight are done on the event loop. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.watchdog) clearInterval(this.watchdog);
    const workers = this.workers.splice(0);
    for (const w of workers) {
      w.ended = true;
      this.retryOnLoop(w);
    }
    this.flush();
    await Promise.all(workers.map((w) => w.worker.terminate().catch(() => undefined)));
  }

  // ── internals ─────────────────────────────────────────────────────────────

  /** Sends the turn's checks to one worker (the one with the fewest batches in flight, round robin among equals). */
  private readonly flush = () => {
    this.flushScheduled = false;
    const checks = this.queue;
    if (!checks.length) return;
    this.queue = [];
    const w = this.pick();
    if (!w) {
      for (const c of checks) this.runOnLoop(c);
      return;
    }
    if (checks.length < this.minBatch) {
      this.stats.inline += checks.length;
      for (const c of checks) this.runOnLoop(c, false);
      return;
    }
    if (w.backlog >= this.maxBacklog) {
      this.stats.overflow += checks.length;
      for (const c of checks) this.runOnLoop(c, false);
      return;
    }
    let bytes = 0;
    for (const c of checks) bytes += RECORD_HEAD + c.inputEnd;
    const buf = Buffer.from(new ArrayBuffer(bytes));
    let pos = 0;
    for (const c of checks) {
      buf.writeUInt16LE(c.inputEnd, pos);
      buf.set(c.rawPublicKey, pos + 2);
      buf.write(c.token.slice(c.inputEnd + 1), pos + 2 + PUBLIC_KEY_BYTES, SIGNATURE_BYTES, 'base64url');
      buf.write(c.token, pos + RECORD_HEAD, c.inputEnd, 'latin1');
      pos += RECORD_HEAD + c.inputEnd;
    }
    const batch: Batch = { id: this.nextId++, checks, sentAt: performance.now() };
    if (w.pending.size === 0) w.worker.ref();
    w.pending.set(batch.id, batch);
    w.backlog += checks.length;
    this.stats.batches++;
    this.stats.checks += checks.length;
    try {
      w.worker.postMessage({ id: batch.id, n: checks.length, buf: buf.buffer }, [buf.buffer as ArrayBuffer]);
    } catch {
      this.lost(w, 'could not be sent a batch');
    }
  };

  private startAll() {
    this.started = true;
    if (this.closed || this.o.size === 0) return;
    for (let i = 0; i < this.o.size; i++) this.startOne();
    this.watchdog = setInterval(() => this.endHung(), Math.max(50, Math.min(1000, this.timeoutMs / 2)));
    this.watchdog.unref();
  }

  private pick(): PoolWorker | undefined {
    const n = this.workers.length;
    let best: PoolWorker | undefined;
    for (let i = 0; i < n; i++) {
      const w = this.workers[(this.next + i) % n]!;
      if (!best || w.pending.size < best.pending.size) best = w;
    }
    this.next = (this.next + 1) % Math.max(1, n);
    return best;
  }

  private startOne(): void {
    let worker: Worker;
    try {
      worker = this.spawn({ backend: this.o.backend });
    } catch (err) {
      this.startFailed(`could not be started (${firstLine(err)})`);
      return;
    }
    const w: PoolWorker = { worker, pending: new Map(), backlog: 0, started: false, ended: false, heardAt: 0 };
    worker.unref();
    worker.on('message', (m: { id?: number; results?: Uint8Array; ready?: string }) => this.answer(w, m));
    worker.on('error', (err) => this.lost(w, `failed (${firstLine(err)})`));
    worker.on('exit', (code) => this.lost(w, `exited (code ${code})`));
    this.workers.push(w);
  }

  private answer(w: PoolWorker, m: { id?: number; results?: Uint8Array; ready?: string }) {
    w.heardAt = performance.now();
    if (!w.started) {
      w.started = true;
      this.startFailures = 0;
    }
    if (m.id === undefined) return;
    const batch = w.pending.get(m.id);
    if (!batch) return;
    w.pending.delete(m.id);
    w.backlog -= batch.checks.length;
    if (w.pending.size === 0) w.worker.unref();
    const results = m.results;
    if (!(results instanceof Uint8Array) || results.length !== batch.checks.length) {
      for (const c of batch.checks) this.runOnLoop(c);
      return;
    }
    for (let i = 0; i < results.length; i++) batch.checks[i]!.resolve(results[i] === 1);
  }

  /** A worker is gone (or no longer trusted): its checks run on the event loop, and another worker takes its place. */
  private lost(w: PoolWorker, why: string) {
    if (w.ended) return;
    w.ended = true;
    const i = this.workers.indexOf(w);
    if (i >= 0) this.workers.splice(i, 1);
    this.retryOnLoop(w);
    void w.worker.terminate().catch(() => undefined);
    if (this.closed) return;
    if (!w.started) {
      this.startFailed(why);
      return;
    }
    // workers that keep dying (a fault that every batch meets) are not restarted for ever: each start costs ≈ 0.3 s of CPU
    const now = performance.now();
    this.crashes = this.crashes.filter((t) => now - t < CRASH_WINDOW_MS);
    this.crashes.push(now);
    if (this.crashes.length > MAX_CRASHES) {
      this.o.log?.warn(`signature worker ${why}; ${this.crashes.length} in ${CRASH_WINDOW_MS / 1000} s: QR signatures are checked on the event loop from now on`);
      if (!this.workers.length) this.giveUp();
      return;
    }
    this.o.log?.warn(`signature worker ${why}; its checks were done on the event loop; starting another`);
    this.stats.restarts++;
    this.startOne();
  }

  /** No worker left and none to start: every check on the event loop (size 0). */
  private giveUp() {
    this.gaveUp = true;
    if (this.watchdog) clearInterval(this.watchdog);
    this.queue.splice(0).forEach((c) => this.runOnLoop(c));
  }

  private startFailed(why: string) {
    this.startFailures++;
    if (this.startFailures >= MAX_START_FAILURES) {
      if (!this.workers.length) {
        this.o.log?.warn(`signature worker ${why}, ${this.startFailures} times in a row: QR signatures are checked on the event loop`);
        this.giveUp();
      }
      return;
    }
    this.stats.restarts++;
    this.startOne();
  }

  private retryOnLoop(w: PoolWorker) {
    const batches = [...w.pending.values()];
    w.pending.clear();
    w.backlog = 0;
    for (const b of batches) for (const c of b.checks) this.runOnLoop(c);
  }

  private runOnLoop(c: Check, redone = true) {
    if (redone) this.stats.onLoop++;
    try {
      c.resolve(c.onLoop());
    } catch (err) {
      c.reject(err);
    }
  }

  /**
   * Ends a worker that has said nothing for timeoutMs while its oldest batch waited that long (its checks then run on
   * the event loop). A worker working through a backlog answers batch after batch and is left alone.
   */
  private endHung() {
    const now = performance.now();
    for (const w of [...this.workers]) {
      for (const b of w.pending.values()) {
        if (now - Math.max(b.sentAt, w.heardAt) > this.timeoutMs) this.lost(w, `did not answer within ${this.timeoutMs} ms`);
        break; // the oldest batch is the first
      }
    }
  }
}

function firstLine(err: unknown): string {
  return String((err as Error)?.message ?? err).split('\n')[0]!.slice(0, 200);
}
