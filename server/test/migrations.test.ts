// Migrations from an empty database, idempotent re-runs, and detection of edited migration files.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { sql } from 'kysely';
import { migrate, openDatabase } from '../src/platform/db';
import { migrationSources } from '../src/platform/cli';
import { modules } from '../src/modules';

const adminUrl = inject('pgAdminUrl');
const name = `m_${crypto.randomBytes(5).toString('hex')}`;
const cleanup: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanup.reverse()) await c();
});

describe('migrator', () => {
  it('builds every module’s tables on an empty database, then has nothing left to do', async () => {
    const admin = openDatabase(adminUrl, null, 1);
    await sql.raw(`create database ${name}`).execute(admin.db);
    cleanup.push(async () => {
      await sql.raw(`drop database if exists ${name} with (force)`).execute(admin.db);
      await admin.close();
    });
    const h = openDatabase(adminUrl.replace(/\/postgres$/, `/${name}`), null, 2);
    cleanup.push(() => h.close());
    const first = await migrate(h.db, migrationSources(modules));
    expect(first.applied[0]).toBe('platform/0001_auth_audit.sql');
    expect(first.applied).toContain('geo/0001_admin_units.sql');
    const tables = await sql<{ tablename: string }>`select tablename from pg_tables where schemaname = 'public'`.execute(h.db);
    const names = tables.rows.map((r) => r.tablename);
    for (const tbl of ['users', 'sessions', 'audit_log', 'admin_units', 'vigil_migrations']) expect(names).toContain(tbl);
    const second = await migrate(h.db, migrationSources(modules));
    expect(second.applied).toEqual([]);
    expect(second.alreadyApplied).toBe(first.applied.length);
  });

  it('refuses to run when an applied migration file was edited, and rolls back a failing one', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-mig-'));
    cleanup.push(async () => fs.rmSync(dir, { recursive: true, force: true }));
    const h = openDatabase(adminUrl.replace(/\/postgres$/, `/${name}`), null, 2);
    cleanup.push(() => h.close());
    fs.writeFileSync(path.join(dir, '0001_a.sql'), 'create table mig_a (id int);');
    await migrate(h.db, [{ module: 'scratch', dir }]);
    fs.writeFileSync(path.join(dir, '0001_a.sql'), 'create table mig_a (id bigint);');
    await expect(migrate(h.db, [{ module: 'scratch', dir }])).rejects.toThrow(/scratch\/0001_a.sql was changed/);
    fs.writeFileSync(path.join(dir, '0001_a.sql'), 'create table mig_a (id int);');
    fs.writeFileSync(path.join(dir, '0002_b.sql'), 'create table mig_b (id int); select no_such_function();');
    await expect(migrate(h.db, [{ module: 'scratch', dir }])).rejects.toThrow(/no_such_function/);
    const b = await sql`select to_regclass('mig_b') as t`.execute(h.db);
    expect((b.rows[0] as { t: string | null }).t).toBeNull();
  });
});
