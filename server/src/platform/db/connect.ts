import pg from 'pg';
import { Kysely, PostgresDialect } from 'kysely';
import type { Database, Db } from './types';
import { startEmbeddedPostgres, type PostgresHandle } from './embedded';

// bigint (int8) columns come back as strings everywhere: one choice, safe for ids beyond 2^53.
// numeric stays a string too; count(*) is cast in SQL where a number is wanted.
// date columns come back as the 'YYYY-MM-DD' text PostgreSQL sends (pg's default turns them into a Date at local
// midnight of the Node process, which shifts days across time zones).
pg.types.setTypeParser(pg.types.builtins.DATE, (v: string) => v);

export interface DatabaseHandle {
  db: Db;
  pool: pg.Pool;
  url: string;
  postgres: PostgresHandle | null;
  close(): Promise<void>;
}

export interface ConnectOptions {
  databaseUrl?: string;
  dataDir: string;
  embeddedPort?: number;
  poolSize?: number;
  onLog?: (line: string) => void;
}

/** DATABASE_URL when given, else the embedded PostgreSQL of the data directory (started if not running). */
export async function connectDatabase(opts: ConnectOptions): Promise<DatabaseHandle> {
  const postgres = opts.databaseUrl
    ? null
    : await startEmbeddedPostgres({ dataDir: opts.dataDir, port: opts.embeddedPort, onLog: opts.onLog });
  const url = opts.databaseUrl ?? postgres!.url;
  return openDatabase(url, postgres, opts.poolSize);
}

export function openDatabase(url: string, postgres: PostgresHandle | null = null, poolSize = 20): DatabaseHandle {
  const pool = new pg.Pool({ connectionString: url, max: poolSize, idleTimeoutMillis: 30_000 });
  // An idle client losing its connection (e.g. PostgreSQL restarted) must not crash the process.
  pool.on('error', () => {});
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  let closed = false;
  return {
    db,
    pool,
    url,
    postgres,
    close: async () => {
      if (closed) return;
      closed = true;
      await db.destroy();
      if (postgres?.startedHere) await postgres.stop();
    },
  };
}
