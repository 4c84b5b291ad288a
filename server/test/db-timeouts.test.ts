// The pool gives up: a statement past VIGIL_DB_STATEMENT_TIMEOUT_MS is cancelled, and a server that accepts TCP but
// never answers fails the connection after VIGIL_DB_CONNECT_TIMEOUT_MS instead of holding the request forever.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { testContext, type TestContext } from './helpers';
import { loadConfig } from '../src/config';
import { DatabaseHealth, isConnectionError, isStatementTimeout, openDatabase } from '../src/platform/db';
import { connectionErrorKind } from '../src/platform/db/health';

let t: TestContext;
beforeAll(async () => {
  t = await testContext({ config: { dbStatementTimeoutMs: 300 } });
});
afterAll(() => t?.close());

describe('database client timeouts', () => {
  it('reads both from the environment, with defaults', () => {
    const c = loadConfig({ VIGIL_DB_CONNECT_TIMEOUT_MS: '1500', VIGIL_DB_STATEMENT_TIMEOUT_MS: '0' });
    expect([c.dbConnectTimeoutMs, c.dbStatementTimeoutMs]).toEqual([1500, 0]);
    const d = loadConfig({});
    expect([d.dbConnectTimeoutMs, d.dbStatementTimeoutMs]).toEqual([5000, 60000]);
    expect(() => loadConfig({ VIGIL_DB_CONNECT_TIMEOUT_MS: 'soon' })).toThrow(/VIGIL_DB_CONNECT_TIMEOUT_MS/);
  });

  it('cancels a statement that runs past the statement timeout (and the pool stays usable)', async () => {
    const err = await sql`select pg_sleep(5)`.execute(t.db).then(() => null, (e: unknown) => e);
    expect(isStatementTimeout(err)).toBe(true);
    expect(isConnectionError(err)).toBe(false);
    expect((await sql<{ one: number }>`select 1 as one`.execute(t.db)).rows[0]!.one).toBe(1);
  });

  it('fails a connection to a server that never answers after the connect timeout', async () => {
    const silent = net.createServer(() => {}); // accepts, never speaks
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const { port } = silent.address() as net.AddressInfo;
    const h = openDatabase(`postgres://x:y@127.0.0.1:${port}/db`, null, 1, { connectTimeoutMs: 300 });
    try {
      const err = await sql`select 1`.execute(h.db).then(() => null, (e: unknown) => e);
      expect(err).not.toBeNull();
      expect(isConnectionError(err)).toBe(true);
    } finally {
      await h.close();
      silent.close();
    }
  });
});

describe('database connection errors', () => {
  it('tells the database being gone from a statement failing or an unrelated error', () => {
    expect(connectionErrorKind(Object.assign(new Error('terminating connection due to unexpected postmaster exit'), { code: '57P01' }))).toBe('database');
    expect(connectionErrorKind(new Error('timeout exceeded when trying to connect'))).toBe('pool'); // no free pooled connection
    expect(connectionErrorKind(new Error('Connection terminated due to connection timeout'))).toBe('database');
    expect(connectionErrorKind(new Error('Connection terminated unexpectedly'))).toBe('database');
    expect(connectionErrorKind(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }))).toBe('socket');
    expect(connectionErrorKind(Object.assign(new Error('duplicate key'), { code: '23505' }))).toBeNull();
    expect(connectionErrorKind(Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' }))).toBeNull();
    expect(connectionErrorKind(Object.assign(new Error("ENOENT: no such file or directory, open 'x.csv'"), { code: 'ENOENT' }))).toBeNull();
  });

  it('a socket error from elsewhere does not mark a database that answers as down; a database error does', async () => {
    const h = new DatabaseHealth({ url: t.database.url, connectTimeoutMs: 5_000 });
    const changes: string[] = [];
    h.onChange((s) => changes.push(s.status));
    try {
      expect(h.report(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }))).toBe(true); // still a 503 for that request
      await (h as unknown as { confirming: Promise<void> | null }).confirming;
      expect(h.up).toBe(true);
      expect(changes).toEqual([]);
      expect(h.report(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }))).toBe(true);
      expect(h.state).toMatchObject({ status: 'down', reason: expect.stringMatching(/57P01/) });
      // the probe finds it answering and marks it up again
      await new Promise<void>((resolve) => h.onChange((s) => s.status === 'up' && resolve()));
      expect(changes).toEqual(['down', 'up']);
    } finally {
      h.close();
    }
  });
});

describe('a pool with every connection busy', () => {
  it('answers 503 DATABASE_BUSY and does not call the database down', async () => {
    // the default connect timeout: a shorter one would also fail the connections this test holds on a loaded box
    const busy = await testContext();
    const changes: string[] = [];
    busy.database.health.onChange((s) => changes.push(s.status));
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const max = busy.database.pool.options.max;
    let holding = 0;
    const held = Array.from({ length: max }, () =>
      busy.db
        .connection()
        .execute(async () => {
          holding++;
          await gate;
        })
        .then(() => null, (e: unknown) => e),
    );
    try {
      await expect.poll(() => holding, { timeout: 60_000 }).toBe(max);
      const login = () => busy.app.inject({ method: 'POST', url: '/api/auth/login', headers: { 'x-requested-with': 'vigil' }, payload: { username: 'nobody', password: 'not-the-password' } });
      const r = await login();
      expect(r.statusCode, r.body).toBe(503);
      expect(r.json().error.code).toBe('DATABASE_BUSY');
      expect(r.headers['retry-after']).toBe('5');
      // the watcher probes on a connection of its own, finds the database answering, and never marks it down
      await (busy.database.health as unknown as { confirming: Promise<void> | null }).confirming;
      expect(busy.database.health.up).toBe(true);
      release();
      expect(await Promise.all(held)).toEqual(Array(max).fill(null));
      expect((await login()).statusCode).toBe(401);
      expect(changes).toEqual([]);
    } finally {
      release();
      await Promise.all(held);
      await busy.close();
    }
  }, 180_000);
});
