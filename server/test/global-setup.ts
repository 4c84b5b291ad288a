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

export default async function setup(project: TestProject) {
  // Browser tests serve web/dist: rebuild a stale one once here, not in several test files at the same time
  // (parallel vite builds empty each other's output directory). `npm test` has built it already.
  await ensureBuilt('checkin.html');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-test-'));
  const pg = await startEmbeddedPostgres({ dataDir: dir, database: 'postgres' });
  const admin = openDatabase(pg.url, null, 2);
  const { sql } = await import('kysely');
  await sql.raw(`create database ${TEMPLATE_DB}`).execute(admin.db);
  const templateUrl = pg.url.replace(/\/postgres$/, `/${TEMPLATE_DB}`);
  const t = openDatabase(templateUrl, null, 2);
  await migrate(t.db, migrationSources(modules));
  await seedGeoDemo(t.db, ['province', 'district', 'commune']);
  await t.close();
  // pg-boss's schema too, so each test database starts its queue without installing it
  const boss = new PgBoss({ connectionString: templateUrl, max: 1, supervise: false, schedule: false });
  await boss.start();
  await boss.stop({ graceful: false, wait: true });
  await admin.close();
  project.provide('pgAdminUrl', pg.url);
  return async () => {
    await pg.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  };
}
