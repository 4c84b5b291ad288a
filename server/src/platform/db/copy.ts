// A transaction on one pooled connection that can also stream COPY … FROM STDIN (pg-copy-streams): bulk imports
// stage their lines in a temporary table with COPY, then check and write them with set-based SQL through Kysely
// (`tx`), all on the same connection and in the same transaction.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

const PgClient = pg.Client;
import type { Database, Tx } from './types';

export type CopyIn = (statement: string, rows: Iterable<string> | AsyncIterable<string>) => Promise<number>;

/** One value of COPY's text format: \N for null; backslash, tab, newline, carriage return escaped; NUL dropped. */
export function copyText(v: string | null | undefined): string {
  if (v == null) return '\\N';
  return /[\\\t\n\r\0]/.test(v) ? v.replace(/\0/g, '').replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r') : v;
}

/**
 * `source`: a pool (a connection of it), or a connection string for a connection of its own with these session
 * settings (e.g. temp_buffers, which can only be set before the session's first temporary table), closed after.
 */
export async function copyTransaction<T>(source: pg.Pool | { url: string; settings: Record<string, string> }, fn: (tx: Tx, copyIn: CopyIn) => Promise<T>): Promise<T> {
  let client: pg.PoolClient;
  if ('url' in source) {
    const own = new PgClient({ connectionString: source.url, options: Object.entries(source.settings).map(([k, v]) => `-c ${k}=${v}`).join(' ') });
    await own.connect();
    client = Object.assign(own, { release: (err?: Error | boolean) => void own.end().catch(() => err) }) as unknown as pg.PoolClient;
  } else client = await source.connect();
  // Kysely on this one connection: every query of `tx` and every COPY go through `client`
  const single = { connect: async () => ({ query: (...a: unknown[]) => (client.query as (...b: unknown[]) => unknown)(...a), release() {} }), end: async () => {} } as unknown as pg.Pool;
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: single }) });
  let broken: unknown = null;
  try {
    const tx = await db.startTransaction().execute();
    try {
      const copyIn: CopyIn = async (statement, rows) => {
        const stream = client.query(copyFrom(statement));
        // rows joined into chunks of ~64 kB: one write per row would cost more than the COPY itself
        async function* chunks() {
          let buf = '';
          for await (const r of rows as AsyncIterable<string>) {
            buf += r;
            if (buf.length >= 65_536) {
              yield buf;
              buf = '';
            }
          }
          if (buf) yield buf;
        }
        await pipeline(Readable.from(chunks()), stream);
        return stream.rowCount;
      };
      const out = await fn(tx, copyIn);
      await tx.commit().execute();
      return out;
    } catch (err) {
      await tx.rollback().execute().catch((e) => (broken = e));
      throw err;
    }
  } finally {
    client.release(broken instanceof Error ? broken : undefined);
    await db.destroy();
  }
}
