// A revocation that reaches a process (through the change feed) while that process is reading the device's row for
// the first time: the row was read before the revocation committed, so it says "live"; the revocation must win, or
// the phone keeps checking in on this process for the row's cache time (hours) instead of REVOCATION_STALE_MS.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { sql } from 'kysely';
import { testContext, type TestContext } from '../../../test/helpers';
import { SignatureError } from '../../platform/signing';
import { DeviceRegistry } from './devices';

let t: TestContext;
let personId: string;
const now = new Date('2021-08-10T03:00:00Z');

beforeAll(async () => {
  t = await testContext();
  const commune = (await t.db.selectFrom('admin_units').select('code').where('level', '=', 'commune').limit(1).executeTakeFirstOrThrow()).code;
  const r = await sql<{ id: string }>`
    insert into persons (full_name, name_key, phone, commune_code, source)
    values ('Người Thử', 'nguoi thu', '+84901234567', ${commune}, 'checkin') returning id::text`.execute(t.db);
  personId = r.rows[0]!.id;
});
afterAll(async () => {
  await t?.close();
});

it('a revocation delivered while the first read of the row is under way wins over the row read before it', async () => {
  const ms = 1_000_000;
  const issuer = new DeviceRegistry(t.db, t.app.vigil.keys, 30, { ms: () => ms });
  const token = await issuer.issue(personId, 'form', now);
  const deviceId = (await t.db.selectFrom('person_devices').select('id').where('person_id', '=', personId).executeTakeFirstOrThrow()).id;
  // another process: its feed read once (so verify goes straight to the row), nothing of this device cached
  const other = new DeviceRegistry(t.db, t.app.vigil.keys, 30, { ms: () => ms });
  const internals = other as unknown as { reading: boolean; markRevoked(id: string): void; feed: { within(ms: number): Promise<void> } };
  await internals.feed.within(0);
  const verdict = other.verify(token, now).then(
    () => 'accepted',
    (e: unknown) => (e instanceof SignatureError ? e.reason : String(e)),
  );
  // the row's read is under way (its answer needs at least one more turn of the event loop) when the feed delivers
  // a revocation (what the feed's subscriber does with it); the row in the database is left live here: it stands for
  // the row that statement read before the other process's revocation committed
  while (!internals.reading) await new Promise((r) => setImmediate(r));
  internals.markRevoked(deviceId);
  expect(await verdict).toBe('expired');
  // and it stays refused: the row is not cached as live
  await expect(other.verify(token, now)).rejects.toSatisfy((e) => e instanceof SignatureError && e.reason === 'expired');
});
