// The shared change-feed poller on a real database: one statement per read for every feed, at most one read per
// POLL_MS however often it is asked, each change handed to its subscriber once (across the overlap window), a read
// awaited only when the last one is too old, and a clock set back counted as stale.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { testContext, type TestContext } from '../../test/helpers';
import { ChangeFeed, POLL_MS } from './change-feed';

let t: TestContext;
let venueIds: string[];
let deviceIds: string[];

beforeAll(async () => {
  t = await testContext();
  const commune = (await t.db.selectFrom('admin_units').select('code').where('level', '=', 'commune').limit(1).executeTakeFirstOrThrow()).code;
  venueIds = (
    await sql<{ id: string }>`insert into venues (code, name, type, commune_code, status, default_stay_minutes)
      select 'CF-' || g, 'Điểm ' || g, 'market', ${commune}, 'approved', 60 from generate_series(1, 3) g returning id::text`.execute(t.db)
  ).rows.map((r) => r.id);
  const person = (
    await sql<{ id: string }>`insert into persons (full_name, name_key, phone, commune_code, source)
      values ('Người Một', 'nguoi mot', '+84901234567', ${commune}, 'checkin') returning id::text`.execute(t.db)
  ).rows[0]!.id;
  deviceIds = (
    await sql<{ id: string }>`insert into person_devices (person_id, origin, created_at, last_used_at)
      select ${person}::uuid, 'form', now(), now() from generate_series(1, 3) returning id::text`.execute(t.db)
  ).rows.map((r) => r.id);
});
afterAll(() => t?.close());

function feedWithCounter() {
  let statements = 0;
  const counting = t.db.withPlugin({
    transformQuery: (a) => {
      statements++;
      return a.node;
    },
    transformResult: async (a) => a.result,
  });
  let ms = 5_000_000;
  const feed = new ChangeFeed(counting, () => ms);
  const venues: { ids: string[]; first: boolean }[] = [];
  const devices: { ids: string[]; first: boolean }[] = [];
  feed.subscribe({ table: 'venue_changes', key: 'venue_id', at: 'changed_at' }, (ids, first) => venues.push({ ids: [...ids].sort(), first }));
  feed.subscribe({ table: 'person_device_revocations', key: 'device_id', at: 'revoked_at' }, (ids, first) => devices.push({ ids: [...ids].sort(), first }));
  return { feed, venues, devices, statements: () => statements, advance: (by: number) => (ms += by), setBack: () => (ms -= 10 * POLL_MS) };
}

describe('shared change feed', () => {
  it('reads every feed in one statement, at most once a second however often asked, each change handed over once', async () => {
    const f = feedWithCounter();
    expect(f.feed.fresh(2_000)).toBe(false); // never read: not fresh, and a read starts
    await f.feed.within(2_000);
    expect(f.statements()).toBe(1);
    expect(f.venues).toEqual([{ ids: expect.any(Array), first: true }]);
    expect(f.devices).toEqual([{ ids: expect.any(Array), first: true }]);
    // asked a thousand times within the second: no further read
    for (let i = 0; i < 1000; i++) expect(f.feed.fresh(2_000)).toBe(true);
    f.advance(POLL_MS - 1);
    for (let i = 0; i < 100; i++) await f.feed.within(2_000);
    expect(f.statements()).toBe(1);

    // changes in both feeds, made by "another process"
    await t.db.updateTable('venues').set({ status: 'suspended' }).where('id', '=', venueIds[0]!).execute();
    await t.db.updateTable('person_devices').set({ revoked_at: new Date() }).where('id', 'in', [deviceIds[0]!, deviceIds[1]!]).execute();
    f.advance(1);
    expect(f.feed.fresh(2_000)).toBe(true); // still fresh: the read due runs in the background, nobody waits
    await f.feed.within(0);
    expect(f.statements()).toBe(2); // the caller that must wait joins the read already under way
    expect(f.venues.slice(1)).toEqual([{ ids: [venueIds[0]], first: false }]);
    expect(f.devices.slice(1)).toEqual([{ ids: [deviceIds[0], deviceIds[1]].sort(), first: false }]);

    // later reads return the same rows (the overlap window) but hand nothing over twice; a new change once
    f.advance(POLL_MS);
    await f.feed.within(0);
    await t.db.updateTable('person_devices').set({ revoked_at: new Date() }).where('id', '=', deviceIds[2]!).execute();
    f.advance(POLL_MS);
    await f.feed.within(0);
    expect(f.venues.slice(2)).toEqual([]);
    expect(f.devices.slice(2)).toEqual([{ ids: [deviceIds[2]], first: false }]);
  });

  it('counts a clock set back as stale (a read is awaited), not as fresh for longer', async () => {
    const f = feedWithCounter();
    await f.feed.within(2_000);
    f.setBack();
    expect(f.feed.fresh(2_000)).toBe(false);
    await f.feed.within(2_000);
    expect(f.statements()).toBe(2);
    expect(f.feed.fresh(2_000)).toBe(true);
  });
});
