import pg from 'pg';
import { Kysely, PostgresDialect } from 'kysely';
import type { Database, Db } from './types';
import { startEmbeddedPostgres, type PostgresHandle } from './embedded';
import { DatabaseHealth } from './health';

// bigint (int8) columns come back as strings everywhere: one choice, safe for ids beyond 2^53.
// numeric stays a string too; count(*) is cast in SQL where a number is wanted.

export interface DatabaseHandle {
  db: Db;
  pool: pg.Pool;
  url: string;
  postgres: PostgresHandle | null;
  /** Is the database there; restarts the embedded PostgreSQL when its postmaster is gone. */
  health: DatabaseHealth;
  close(): Promise<void>;
}

export interface PoolTimeouts {
  /** Give up connecting after this long (ms): a request fails fast instead of queueing behind a dead server. */
  connectTimeoutMs?: number;
  /** statement_timeout of every pooled connection (ms, 0 = none); the client also gives up 5 s after it. */
  statementTimeoutMs?: number;
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
export const DEFAULT_STATEMENT_TIMEOUT_MS = 60_000;

export interface ConnectOptions {
  databaseUrl?: string;
  dataDir: string;
  embeddedPort?: number;
  poolSize?: number;
  onLog?: (line: string) => void;
  timeouts?: PoolTimeouts;
  /** Restart the embedded PostgreSQL when its postmaster dies (the server; not one-shot CLI commands). */
  supervise?: boolean;
}

/** DATABASE_URL when given, else the embedded PostgreSQL of the data directory (started if not running). */
export async function connectDatabase(opts: ConnectOptions): Promise<DatabaseHandle> {
  const postgres = opts.databaseUrl
    ? null
    : await startEmbeddedPostgres({ dataDir: opts.dataDir, port: opts.embeddedPort, onLog: opts.onLog });
  const url = opts.databaseUrl ?? postgres!.url;
  return openDatabase(url, postgres, opts.poolSize, opts.timeouts, opts.supervise ?? false);
}

export function openDatabase(
  url: string,
  postgres: PostgresHandle | null = null,
  poolSize = 20,
  timeouts: PoolTimeouts = {},
  supervise = false,
): DatabaseHandle {
  const connectTimeoutMs = timeouts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const statementTimeoutMs = timeouts.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS;
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: connectTimeoutMs,
    keepAlive: true,
    ...(statementTimeoutMs > 0 && {
      statement_timeout: statementTimeoutMs,
      // a server that vanished from the network never answers: the client gives up a little after the server would have
      query_timeout: statementTimeoutMs + 5_000,
    }),
  });
  const health = new DatabaseHealth({
    url,
    connectTimeoutMs,
    restart: postgres && supervise ? () => postgres.restartIfStopped() : undefined,
  });
  // An idle client losing its connection (PostgreSQL restarted or killed) must not crash the process; it tells
  // the health watcher, which starts probing (and restarting the embedded server).
  pool.on('error', (err) => health.report(err));
  // A client checked out of the pool (e.g. between the statements of a transaction) has no listener of the pool's:
  // its 'error' (57P01 "terminating connection due to unexpected postmaster exit") would end the process.
  pool.on('connect', (client) => client.on('error', (err) => health.report(err)));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  let closed = false;
  return {
    db,
    pool,
    url,
    postgres,
    health,
    close: async () => {
      if (closed) return;
      closed = true;
      health.close();
      await db.destroy();
      await postgres?.stop(); // stops only a postmaster this process started
    },
  };
}
