// Test harness: a real app on a fresh database cloned from the migrated template (see global-setup.ts).
import crypto from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';
import { sql } from 'kysely';
import type { FastifyInstance } from 'fastify';
import { buildApp, WEB_DIST } from '../src/app';
import { loadConfig, type Config } from '../src/config';
import { openDatabase, type DatabaseHandle } from '../src/platform/db';
import type { Db } from '../src/platform/db/types';
import { createUser as createUserRow } from '../src/platform/auth/service';
import type { Role } from '../src/platform/auth/roles';
import { KeyRing } from '../src/platform/signing';
import type { Events } from '../src/platform/events';
import { TEMPLATE_DB, TEST_PASSWORD } from './constants';

export { TEST_PASSWORD };

export interface TestUser {
  username: string;
  password?: string;
  role: Role | string;
  jurisdictionCode: string;
  personId?: string | null;
  displayName?: string;
}

export interface LoggedIn {
  id: string;
  username: string;
  /** cookie + X-Requested-With: pass as `headers` to app.inject */
  headers: Record<string, string>;
}

export interface TestContext {
  app: FastifyInstance;
  db: Db;
  config: Config;
  database: DatabaseHandle;
  /** the app's domain events; `await t.events.settled()` waits until every published event's handlers have finished */
  events: Events;
  createUser(u: TestUser): Promise<string>;
  login(role: Role, jurisdictionCode?: string, extra?: Partial<TestUser>): Promise<LoggedIn>;
  close(): Promise<void>;
}

export interface TestOptions {
  clock?: () => Date;
  config?: Partial<Config>;
  /** serve web/dist (browser tests) */
  web?: boolean;
  logger?: boolean;
  /** log lines go here (with logger: true) */
  logStream?: { write(line: string): void };
  /** the signing key ring (default: in memory); several apps sharing a directory share their keys */
  keys?: KeyRing;
  /** connections in the app's pool (default 10) */
  poolSize?: number;
}

async function createDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const adminUrl = inject('pgAdminUrl');
  const name = `t_${crypto.randomBytes(6).toString('hex')}`;
  const admin = openDatabase(adminUrl, null, 1);
  try {
    await sql.raw(`create database ${name} template ${TEMPLATE_DB}`).execute(admin.db);
  } finally {
    await admin.close();
  }
  return {
    url: adminUrl.replace(/\/postgres$/, `/${name}`),
    drop: async () => {
      const a = openDatabase(adminUrl, null, 1);
      try {
        await sql.raw(`drop database if exists ${name} with (force)`).execute(a.db);
      } finally {
        await a.close();
      }
    },
  };
}

let userSeq = 0;

export async function testContext(opts: TestOptions = {}): Promise<TestContext> {
  const created = await createDatabase();
  const config = loadConfig(
    {},
    {
      databaseUrl: created.url,
      dataDir: path.join(os.tmpdir(), 'vigil-test-unused'),
      jobs: false,
      eventRetryDelaySeconds: 0,
      logLevel: 'silent',
      publicUrl: 'http://vigil.test',
      clock: opts.clock,
      ...opts.config,
    } as Partial<Config>,
  );
  const database = openDatabase(created.url, null, opts.poolSize ?? 10, { connectTimeoutMs: config.dbConnectTimeoutMs, statementTimeoutMs: config.dbStatementTimeoutMs });
  const app = await buildApp(config, { database, logger: opts.logger ?? false, logStream: opts.logStream, keys: opts.keys ?? KeyRing.inMemory(), webDist: opts.web ? WEB_DIST : null });
  await app.ready();
  // events go through the real pg-boss queue, as in production; module jobs run with runNow (pinned clocks)
  await app.vigil.jobs.start('events');

  const createUser = async (u: TestUser) => {
    const row = await createUserRow(database.db, app.vigil.access.resolver, null, {
      username: u.username,
      displayName: u.displayName ?? u.username,
      password: u.password ?? TEST_PASSWORD,
      role: u.role,
      jurisdictionCode: u.jurisdictionCode,
      personId: u.personId ?? null,
    });
    return String(row.id);
  };

  const login = async (role: Role, jurisdictionCode = role === 'national_admin' ? 'VN' : '40', extra: Partial<TestUser> = {}) => {
    const username = extra.username ?? `${role.replace(/_/g, '-')}-${process.pid}-${++userSeq}`;
    const id = await createUser({ username, role, jurisdictionCode, ...extra });
    const res = await app.inject({
      method: 'POST',
      url: '/api/auth/login',
      headers: { 'x-requested-with': 'vigil' },
      payload: { username, password: extra.password ?? TEST_PASSWORD },
    });
    if (res.statusCode !== 200) throw new Error(`login failed: ${res.statusCode} ${res.body}`);
    const cookie = String(res.headers['set-cookie']).split(';')[0];
    return { id, username, headers: { cookie, 'x-requested-with': 'vigil' } };
  };

  return {
    app,
    db: database.db,
    config,
    database,
    events: app.vigil.events,
    createUser,
    login,
    close: async () => {
      await app.close();
      await database.close();
      await created.drop();
    },
  };
}

/**
 * A second app (another server process, as behind a load balancer) on the database of `t`, with its own pool,
 * clock and configuration; it works no jobs. Close it before `t`.
 */
export async function anotherApp(t: TestContext, opts: { keys: KeyRing; clock?: () => Date; config?: Partial<Config> }): Promise<{ app: FastifyInstance; close(): Promise<void> }> {
  const config = { ...t.config, ...opts.config, clock: opts.clock ?? t.config.clock };
  const database = openDatabase(t.config.databaseUrl!, null, 4, { connectTimeoutMs: config.dbConnectTimeoutMs, statementTimeoutMs: config.dbStatementTimeoutMs });
  const app = await buildApp(config, { database, logger: false, keys: opts.keys, webDist: null });
  await app.ready();
  return {
    app,
    close: async () => {
      await app.close();
      await database.close();
    },
  };
}

/** A listening server (for browser tests and load-style tests) on 127.0.0.1 with a random port. */
export async function startTestServer(opts: TestOptions = {}) {
  const ctx = await testContext({ web: true, ...opts });
  await ctx.app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = ctx.app.server.address() as { port: number };
  const url = `http://127.0.0.1:${port}`;
  ctx.config.publicUrl = url; // QR URLs and the CSRF origin check follow the real address
  return {
    ...ctx,
    url,
    createUser: async (u: TestUser) => {
      await ctx.createUser(u);
    },
  };
}

/** `token` with the character at `at` replaced by another one: a tampered token that is always really altered. */
export function alterChar(token: string, at: number): string {
  return token.slice(0, at) + (token[at] === 'A' ? 'B' : 'A') + token.slice(at + 1);
}
