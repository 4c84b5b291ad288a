// Forward-only SQL migrations per module: <module>/migrations/NNNN_description.sql, applied in module order then
// file order, each file in its own transaction, recorded in vigil_migrations with a checksum so an edited,
// already-applied file is caught instead of silently diverging.
import fs from 'node:fs/promises';
import path from 'node:path';
import crypto from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from './types';

export interface MigrationSource {
  module: string;
  dir: string;
}

export interface MigrationResult {
  applied: string[];
  alreadyApplied: number;
}

const FILE_RE = /^(\d{4})_[a-z0-9_]+\.sql$/;

export async function listMigrations(sources: MigrationSource[]) {
  const out: { module: string; name: string; file: string }[] = [];
  for (const src of sources) {
    let files: string[];
    try {
      files = await fs.readdir(src.dir);
    } catch {
      continue; // a module without migrations
    }
    for (const f of files.filter((f) => f.endsWith('.sql')).sort()) {
      if (!FILE_RE.test(f)) throw new Error(`Migration file name must look like 0001_description.sql: ${src.module}/${f}`);
      out.push({ module: src.module, name: f, file: path.join(src.dir, f) });
    }
  }
  return out;
}

export async function migrate(
  db: Db,
  sources: MigrationSource[],
  onApply?: (module: string, name: string) => void,
): Promise<MigrationResult> {
  const migrations = await listMigrations(sources);
  const result: MigrationResult = { applied: [], alreadyApplied: 0 };
  await db.connection().execute(async (conn) => {
    // One migrator at a time per database (server and CLI may start together).
    await sql`select pg_advisory_lock(7411001)`.execute(conn);
    try {
      await sql`create table if not exists vigil_migrations (
        module text not null, name text not null, checksum text not null,
        applied_at timestamptz not null default now(), primary key (module, name))`.execute(conn);
      const done = await sql<{ module: string; name: string; checksum: string }>`
        select module, name, checksum from vigil_migrations`.execute(conn);
      const seen = new Map(done.rows.map((r) => [`${r.module}/${r.name}`, r.checksum]));
      for (const m of migrations) {
        const text = await fs.readFile(m.file, 'utf8');
        const checksum = crypto.createHash('sha256').update(text).digest('hex');
        const prior = seen.get(`${m.module}/${m.name}`);
        if (prior) {
          if (prior !== checksum) throw new Error(`Migration ${m.module}/${m.name} was changed after it was applied`);
          result.alreadyApplied++;
          continue;
        }
        await conn.transaction().execute(async (tx) => {
          await sql`set local statement_timeout = 0`.execute(tx); // a migration of a big table may take long
          await sql.raw(text).execute(tx);
          await sql`insert into vigil_migrations (module, name, checksum) values (${m.module}, ${m.name}, ${checksum})`.execute(tx);
        });
        result.applied.push(`${m.module}/${m.name}`);
        onApply?.(m.module, m.name);
      }
    } finally {
      await sql`select pg_advisory_unlock(7411001)`.execute(conn);
    }
  });
  return result;
}
