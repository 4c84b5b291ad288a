// One embedded PostgreSQL per test run, in a temp dir; migrations + demo admin units go into a template database
// once; each test file clones it (CREATE DATABASE … TEMPLATE, milliseconds). Everything is removed at the end.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import PgBoss from 'pg-boss';
import { startEmbeddedPostgres } from '../src/platform/db/embedded';
import { openDatabase, migrate } from '../src/platform/db';
import { migrationSources } from '../src/platform/cli';
import { modules } from '../src/modules';
import { seedGeoDemo } from '../src/modules/geo';
import { TEMPLATE_DB } from './constants';
import { ensureBuilt } from '../../web/test/browser';

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
  }
}

/**
 * VIGIL_TEST_DATABASE_URL=postgres://user:pass@host:port/postgres runs the suite against that PostgreSQL instead
 * (a throwaway server: `.ci/run` starts Debian's PostgreSQL 15 for it). The user must be allowed to create databases.
 */
export default async function setup(project: TestProject) {
  // Browser tests serve web/dist: rebuild a stale one once here, not in several test files at the same time
  // (parallel vite builds empty each other's output directory). `npm test` has built it already.
  await ensureBuilt('checkin.html');
  const external = process.env.VIGIL_TEST_DATABASE_URL;
  const dir = external ? null : fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-test-'));
  const pg = external ? null : await startEmbeddedPostgres({ dataDir: dir!, database: 'postgres' });
  const adminUrl = external ?? pg!.url;
  const admin = openDatabase(adminUrl, null, 2);
  const { sql } = await import('kysely');
  await sql.raw(`drop database if exists ${TEMPLATE_DB}`).execute(admin.db);
  await sql.raw(`create database ${TEMPLATE_DB}`).execute(admin.db);
  const templateUrl = adminUrl.replace(/\/[^/?]*(\?.*)?$/, `/${TEMPLATE_DB}$1`);
  const t = openDatabase(templateUrl, null, 2);
  await migrate(t.db, migrationSources(modules));
  await seedGeoDemo(t.db, ['province', 'district', 'commune']);
  const version = (await sql<{ server_version: string }>`show server_version`.execute(t.db)).rows[0]!.server_version;
  await t.close();
  // pg-boss's schema too, so each test database starts its queue without installing it
  const boss = new PgBoss({ connectionString: templateUrl, max: 1, supervise: false, schedule: false });
  await boss.start();
  await boss.stop({ graceful: false, wait: true });
  if (external) process.stderr.write(`Tests run against PostgreSQL ${version} at VIGIL_TEST_DATABASE_URL\n`);
  project.provide('pgAdminUrl', adminUrl);
  return async () => {
    if (pg) await pg.stop();
    else await sql.raw(`drop database if exists ${TEMPLATE_DB}`).execute(admin.db);
    await admin.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  };
}
