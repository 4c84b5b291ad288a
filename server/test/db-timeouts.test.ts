// The pool gives up: a statement past VIGIL_DB_STATEMENT_TIMEOUT_MS is cancelled, and a server that accepts TCP but
// never answers fails the connection after VIGIL_DB_CONNECT_TIMEOUT_MS instead of holding the request forever.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { testContext, type TestContext } from './helpers';
import { loadConfig } from '../src/config';
import { isConnectionError, isStatementTimeout, openDatabase } from '../src/platform/db';

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
