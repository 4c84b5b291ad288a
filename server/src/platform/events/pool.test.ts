// A small pool and handlers that read through the app's pool besides their delivery's transaction (as the tracing
// engine does): the worker must never run as many deliveries at once as the pool has connections, or every handler
// waits for a connection only a handler can free (the bench's pool of 6 stalled this way behind 8 deliveries).
import { afterAll, beforeAll, expect, it } from 'vitest';
import { sql } from 'kysely';
import { testContext, type TestContext } from '../../../test/helpers';

declare module './index' {
  interface DomainEvents {
    'test.pool': { n: number };
  }
}

let t: TestContext;
const attempts: number[] = [];

beforeAll(async () => {
  t = await testContext({ poolSize: 4, config: { eventRetryLimit: 3 } });
  t.events.subscribe('test.pool', 'test.pool-reader', async (e, { trx, attempt }) => {
    attempts.push(attempt);
    await sql`select 1`.execute(trx); // the delivery's connection is held from here to the commit
    await sql`select pg_sleep(0.05)`.execute(t.db); // and the handler needs one more, as runCaseTrace does
  });
});
afterAll(() => t?.close());

it('delivers a burst of events whose handlers need a second connection without one failing for want of a connection', async () => {
  await t.db.transaction().execute((trx) => t.events.publishMany(trx, 'test.pool', Array.from({ length: 12 }, (_, n) => ({ n }))));
  await t.events.settled(120_000);
  expect(attempts).toHaveLength(12);
  expect(attempts.every((a) => a === 0)).toBe(true);
});
