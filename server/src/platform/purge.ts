// Retention, the one way: the cut-off of a retention period, and deletion in chunks (each chunk its own short
// statement, so a large purge neither holds locks for long nor builds one huge transaction).
import { sql, type RawBuilder } from 'kysely';
import type { Db, DbOrTx, Tx } from './db/types';

const DAY_MS = 86_400_000;

/** The moment before which data kept `days` days is due for deletion. */
export function retentionCutoff(now: Date, days: number): Date {
  return new Date(now.getTime() - days * DAY_MS);
}

export interface ChunkedPurgeOptions {
  /** Rows per DELETE (default 10,000). */
  chunk?: number;
  /** Columns identifying a row (default id); on a partitioned table they must include the partition key. */
  key?: string[];
  /** Runs first in each chunk's transaction (e.g. to allow deletion past an append-only trigger). */
  prelude?: (tx: Tx) => Promise<void>;
}

/**
 * Deletes the rows of `table` matching `where`, `chunk` rows per statement, until none is left; returns how many.
 * With a prelude, each chunk runs in its own transaction (needs a Db, not a transaction).
 */
export async function purgeInChunks(db: DbOrTx, table: string, where: RawBuilder<unknown>, opts: ChunkedPurgeOptions = {}): Promise<number> {
  const chunk = opts.chunk ?? 10_000;
  const key = sql.join((opts.key ?? ['id']).map((k) => sql.ref(k)));
  const t = sql.table(table);
  const once = (x: DbOrTx) => sql`delete from ${t} where (${key}) in (select ${key} from ${t} where ${where} limit ${chunk})`.execute(x);
  let total = 0;
  for (;;) {
    const r = opts.prelude
      ? await (db as Db).transaction().execute(async (tx) => {
          await opts.prelude!(tx);
          return once(tx);
        })
      : await once(db);
    const n = Number(r.numAffectedRows ?? 0);
    total += n;
    if (n < chunk) return total;
  }
}
