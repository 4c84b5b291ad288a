// Receipts applied while the dispatcher applies its own (centre.ts: each sending loop applies the receipts that came
// before its parts were stored, the receipt flush applies what it just stored): both UPDATE the same notifications,
// and without one lock order they deadlocked ("deadlock detected … SMS receipts not recorded" while seeding the
// demo). Many rounds of the same rows applied side by side, by notification ids and by message ids.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testContext, type TestContext } from '../../../test/helpers';
import { applyReceipts, insertReceipts } from './queries';

let t: TestContext;
beforeAll(async () => {
  t = await testContext();
});
afterAll(() => t?.close());

const N = 400;

describe('receipts applied concurrently', () => {
  it('by notification ids and by message ids, side by side on the same rows: every round completes, none deadlocks', async () => {
    const ids = (
      await sql<{ id: string }>`insert into notifications (purpose, subject, recipient, body, status, provider, parts)
        select 'test.result', 'race-' || g, '+8491' || lpad(g::text, 7, '0'), 'x', 'accepted', 'console', 1 from generate_series(1, ${N}) g returning id::text`.execute(t.db)
    ).rows.map((r) => r.id);
    const messageIds = ids.map((id) => `race-${id}`);
    await sql`insert into sms_parts (message_id, provider, notification_id, part, submitted_at)
      select 'race-' || n, 'console', n, 0, now() - interval '1 minute' from unnest(${ids}::bigint[]) n`.execute(t.db);
    await insertReceipts(t.db, 'console', messageIds.map((m) => ({ messageId: m, state: 'delivered', detail: 'DELIVRD', at: new Date() })));
    const shuffled = <T,>(a: T[]) => a.map((x) => [Math.random(), x] as const).sort((p, q) => p[0] - q[0]).map((p) => p[1]);
    for (let round = 0; round < 25; round++) {
      await sql`update notifications set status = 'accepted', final_at = null where id = any(${ids}::bigint[])`.execute(t.db);
      // as the three sending loops and the receipt flush do: overlapping halves, in different orders
      const calls = [
        applyReceipts(t.db, 'console', { ids: shuffled(ids.slice(0, (N * 3) / 4)) }),
        applyReceipts(t.db, 'console', { ids: shuffled(ids.slice(N / 4)) }),
        applyReceipts(t.db, 'console', { messageIds: shuffled(messageIds) }),
        applyReceipts(t.db, 'console', { messageIds: shuffled(messageIds.slice(N / 2)) }),
      ];
      const results = await Promise.allSettled(calls);
      const failed = results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason));
      expect(failed, `round ${round}`).toEqual([]);
      const changed = results.reduce((n, r) => n + (r as PromiseFulfilledResult<number>).value, 0);
      expect(changed).toBe(N);
    }
    const left = (await sql<{ n: number }>`select count(*)::int as n from notifications where id = any(${ids}::bigint[]) and status <> 'delivered'`.execute(t.db)).rows[0]!.n;
    expect(left).toBe(0);
  });

  it('one batch reporting an id twice (enroute, then delivered) is stored, the newest word kept', async () => {
    const at = new Date();
    await insertReceipts(t.db, 'console', [
      { messageId: 'twice-1', state: 'enroute', detail: 'ENROUTE', at },
      { messageId: 'twice-1', state: 'delivered', detail: 'DELIVRD', at: new Date(at.getTime() + 1000) },
    ]);
    const r = (await sql<{ state: string }>`select state from sms_receipts where message_id = 'twice-1'`.execute(t.db)).rows;
    expect(r).toEqual([{ state: 'delivered' }]);
  });
});
