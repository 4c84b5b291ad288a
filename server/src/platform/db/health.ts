// Is the database there? One watcher per database handle: requests that fail because PostgreSQL went away mark it
// down (one log line), a probe loop then tries it every `probeMs` (restarting the embedded PostgreSQL first when
// its postmaster is gone) and marks it up again (one log line). While it is down, database-backed routes answer
// 503 with Retry-After at once instead of waiting for a connection (see platform/http).
import pg from 'pg';

export type DatabaseStatus = 'up' | 'down' | 'restarting';

export interface DatabaseState {
  status: DatabaseStatus;
  /** Why it is not up, in words an operator can act on (no personal data: connection errors only). */
  reason: string | null;
  /** When the current status began. */
  since: Date;
}

interface Logger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface HealthOptions {
  /** Connects with a fresh client (not from the pool, which may be exhausted by waiting requests) and runs `select 1`. */
  url: string;
  connectTimeoutMs: number;
  /** Embedded PostgreSQL: start the postmaster again when it is gone. Resolves true when it started one. */
  restart?: () => Promise<boolean>;
  probeMs?: number;
}

// SQLSTATE classes and codes that mean "the server is not there" rather than "this statement is wrong":
// 08 connection exception, 57P01 admin shutdown, 57P02 crash shutdown, 57P03 cannot connect now (starting up,
// in recovery), 53300 too many connections is not here (the server is up).
const CONNECTION_SQLSTATES = /^(08...|57P0[123])$/;
// Socket errors: from the database client, or from any other network call a route makes; so they mark the database
// down only once a probe confirms it.
const CONNECTION_ERRNOS = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
const CONNECTION_MESSAGES =
  /Connection terminated|Client has encountered a connection error|Connection terminated due to connection timeout|terminating connection due to|the database system is (starting up|shutting down|in recovery mode|not yet accepting connections)|Client was closed and is not queryable|Query read timeout/i;

// pg-pool's error when no pooled connection came free within the connect timeout: every connection is busy (a
// loaded server), which is not the database being gone (a new connection that times out is "Connection terminated
// due to connection timeout")
const POOL_WAIT_MESSAGE = /^timeout exceeded when trying to connect$/;

/**
 * 'database' when `err` comes from PostgreSQL or its client saying the server is gone; 'socket' for a bare socket
 * error (the database's, or another peer's); 'pool' when the pool had no free connection in time (busy, or a hung
 * database holding every connection); null for anything else (a statement that failed, a bug).
 */
export function connectionErrorKind(err: unknown): 'database' | 'socket' | 'pool' | null {
  let socket = false;
  let pool = false;
  for (let e = err as { code?: unknown; message?: unknown; cause?: unknown; errors?: unknown } | undefined, depth = 0; e && depth < 4; depth++) {
    if (typeof e.code === 'string' && CONNECTION_SQLSTATES.test(e.code)) return 'database';
    if (typeof e.message === 'string' && CONNECTION_MESSAGES.test(e.message)) return 'database';
    if (typeof e.message === 'string' && POOL_WAIT_MESSAGE.test(e.message)) pool = true;
    if (typeof e.code === 'string' && CONNECTION_ERRNOS.has(e.code)) socket = true;
    // a Unix socket that is not there (its PostgreSQL stopped cleanly and removed it): ENOENT from connect(), not a file
    if (e.code === 'ENOENT' && (e as { syscall?: unknown }).syscall === 'connect') socket = true;
    if (Array.isArray(e.errors) && e.errors.some((x) => connectionErrorKind(x))) socket = true; // AggregateError (IPv4 + IPv6)
    e = e.cause as typeof e;
  }
  return socket ? 'socket' : pool ? 'pool' : null;
}

/** Every pooled connection was busy for the whole connect timeout: the database is there but the server is loaded. */
export function isPoolWait(err: unknown): boolean {
  return connectionErrorKind(err) === 'pool';
}

/** True when `err` (from pg, Kysely or pg-boss) says a connection failed, not that a statement failed. */
export function isConnectionError(err: unknown): boolean {
  return connectionErrorKind(err) !== null;
}

/** SQLSTATE 57014: a statement ran past statement_timeout (or was cancelled). The database is there but slow. */
export function isStatementTimeout(err: unknown): boolean {
  return !!err && typeof err === 'object' && (err as { code?: unknown }).code === '57014';
}

const quiet: Logger = { info() {}, warn() {}, error() {} };

/** How long an outage's error line waits for a shutdown that may explain it (see markDown). */
export const DOWN_LOG_DELAY_MS = 250;

function describe(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown } | undefined;
  const code = typeof e?.code === 'string' ? `${e.code}: ` : '';
  const msg = typeof e?.message === 'string' && e.message ? e.message : String(err);
  return `${code}${msg}`.slice(0, 200);
}

export class DatabaseHealth {
  private current: DatabaseState = { status: 'up', reason: null, since: new Date() };
  private timer: NodeJS.Timeout | null = null;
  private probing = false;
  private closed = false;
  private log: Logger = quiet;
  private readonly probeMs: number;
  private restartFailures = 0;
  private downSince = 0;
  private listeners = new Set<(s: DatabaseState) => void>();

  constructor(private readonly opts: HealthOptions) {
    this.probeMs = opts.probeMs ?? 500;
  }

  /** Where state changes are written (the server's logger); quiet until set. */
  setLogger(log: Logger) {
    this.log = log;
  }

  get state(): DatabaseState {
    return this.current;
  }

  get up(): boolean {
    return this.current.status === 'up';
  }

  /** Seconds a client should wait before trying again. */
  get retryAfterSeconds(): number {
    return this.current.status === 'restarting' ? 2 : 5;
  }

  /** Called on every state change (tests, metrics). */
  onChange(fn: (s: DatabaseState) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /**
   * Report a failed call. True when it was a connection error (answer 503). A database error marks the database
   * down at once; a bare socket error or a wait for a pooled connection only when a probe of the database (on a
   * connection of its own) fails too.
   */
  report(err: unknown): boolean {
    const kind = connectionErrorKind(err);
    if (!kind) return false;
    if (kind === 'database' || !this.up) this.markDown(describe(err));
    else this.confirm(describe(err));
    return true;
  }

  private confirming: Promise<void> | null = null;

  /** A socket error while up: probe once (concurrent reports share it) and mark down if the database does not answer. */
  private confirm(reason: string) {
    this.confirming ??= this.check()
      .catch(() => this.markDown(reason))
      .finally(() => (this.confirming = null));
  }

  markDown(reason: string) {
    if (this.closed) return; // shutting down: the database going away is expected
    if (this.current.status === 'up') {
      this.downSince = Date.now();
      this.set('down', reason);
      // logged DOWN_LOG_DELAY_MS later, not at once: a Ctrl-C reaches the server and its embedded postmaster at
      // once, and the postmaster's goodbye (57P01) may be read before the server's own SIGINT handler has run (on a
      // busy machine, even some turns of the event loop later); by then the shutdown has closed this watcher and the
      // line is not an error. A real outage is logged as one, a moment late (and before its "back" line).
      const timer = setTimeout(() => this.logDown(), DOWN_LOG_DELAY_MS);
      timer.unref();
      this.pendingDown = { timer, reason };
    }
    this.scheduleProbe(0);
  }

  private pendingDown: { timer: NodeJS.Timeout; reason: string } | null = null;

  /** Writes the line of the outage marked last, if not written yet: an error, or an info line when shutting down. */
  private logDown() {
    const p = this.pendingDown;
    if (!p) return;
    clearTimeout(p.timer);
    this.pendingDown = null;
    if (this.closed) this.log.info({ database: 'stopping', reason: p.reason }, 'database stopped with the server');
    else this.log.error({ database: 'down', reason: p.reason }, 'database unavailable; answering 503 until it is back');
  }

  /** Stops the probe loop (shutdown). */
  close() {
    this.closed = true;
    this.logDown();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private set(status: DatabaseStatus, reason: string | null) {
    this.current = { status, reason, since: new Date() };
    for (const fn of this.listeners) fn(this.current);
  }

  private scheduleProbe(ms: number) {
    if (this.closed || this.timer || this.probing) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.probe();
    }, ms);
    this.timer.unref(); // never keeps a CLI command or a finished test alive
  }

  private async probe() {
    if (this.closed || this.current.status === 'up') return;
    this.probing = true;
    try {
      if (this.opts.restart) {
        let started = false;
        try {
          started = await this.opts.restart();
        } catch (err) {
          // e.g. the killed postmaster's backends still hold its shared memory for a moment: try again shortly
          if (this.restartFailures++ === 0) this.log.warn({ database: 'restarting', reason: describe(err) }, 'embedded PostgreSQL did not start yet; retrying');
        }
        if (started) {
          this.set('restarting', 'embedded PostgreSQL restarted after it stopped; crash recovery done');
          this.log.warn({ database: 'restarting' }, 'embedded PostgreSQL was not running; started it again');
        }
      }
      await this.check();
      const downMs = Date.now() - this.downSince;
      this.restartFailures = 0;
      this.logDown(); // the outage's own line first, if its delay has not passed yet
      this.set('up', null);
      this.log.info({ database: 'up', downMs }, 'database is back');
    } catch (err) {
      if (this.current.status === 'down') this.current = { ...this.current, reason: describe(err) };
    } finally {
      this.probing = false;
    }
    if (this.current.status !== 'up') this.scheduleProbe(this.probeMs);
  }

  /** One `select 1` on a fresh connection; throws when the database does not answer. */
  async check(): Promise<void> {
    const client = new pg.Client({ connectionString: this.opts.url, connectionTimeoutMillis: this.opts.connectTimeoutMs, statement_timeout: this.opts.connectTimeoutMs });
    client.on('error', () => {});
    try {
      await client.connect();
      await client.query('select 1');
    } finally {
      await client.end().catch(() => {});
    }
  }
}
