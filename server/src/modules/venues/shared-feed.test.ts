// One change-feed poller per server process (platform/change-feed): the venues' entrance cache and the people's
// device registry read their feeds (venue_changes, person_device_revocations) in one statement, at most once a
// second while check-ins arrive, and a change made by another process (a venue suspended, a phone revoked) is
// refused within STATUS_TTL_MS (2 s) by the process that cached it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anotherApp, testContext, type TestContext } from '../../../test/helpers';
import { POLL_MS, sharedChangeFeed } from '../../platform/change-feed';
import { communes, createVenue, form, uuid } from './test-fixtures';
import { STATUS_TTL_MS } from './entrances';

let now = new Date('2021-08-03T02:00:00Z');
const clock = () => now;
let t: TestContext;
let b: Awaited<ReturnType<typeof anotherApp>>;

beforeAll(async () => {
  t = await testContext({ clock });
  b = await anotherApp(t, { keys: t.app.vigil.keys });
});
afterAll(async () => {
  await b?.close();
  await t?.close();
});

describe('shared change feed of a server process', () => {
  it('reads both feeds once a second while check-ins arrive, and applies a suspension and a revocation made elsewhere within STATUS_TTL_MS', async () => {
    const c = await communes(t.db);
    const officer = await t.login('cdc_officer', '40');
    const open = await createVenue(t.app, officer.headers, { communeCode: c.a, name: 'Chợ Bến Thuỷ', type: 'market' });
    const closing = await createVenue(t.app, officer.headers, { communeCode: c.a, name: 'Quán cà phê Phố', type: 'restaurant' });
    const postB = (payload: object) => b.app.inject({ method: 'POST', url: '/api/checkins', payload });
    // a phone's first visit (form) on process a, then its device token on process b
    const first = await t.app.inject({ method: 'POST', url: '/api/checkins', payload: { clientId: uuid(), venueToken: open.token, people: [{ ...form({ phone: '0983111222', fullName: 'Trần Thị Lan' }), communeCode: c.a }] } });
    expect(first.statusCode, first.body).toBe(201);
    const token = first.json().results[0].people[0].token as string;
    const other = await t.app.inject({ method: 'POST', url: '/api/checkins', payload: { clientId: uuid(), venueToken: open.token, people: [{ ...form({ phone: '0983111333', fullName: 'Lê Văn Hùng' }), communeCode: c.a }] } });
    const otherToken = other.json().results[0].people[0].token as string;

    const feed = sharedChangeFeed(b.app.vigil);
    expect((await postB({ clientId: uuid(), venueToken: open.token, people: [{ token }] })).statusCode).toBe(201);
    expect((await postB({ clientId: uuid(), venueToken: closing.token, people: [{ token: otherToken }] })).statusCode).toBe(201);
    // 40 check-ins over 10 seconds of the clock (both caches hot): one read of both feeds per second, not one each
    const reads0 = feed.reads;
    for (let i = 0; i < 40; i++) {
      now = new Date(now.getTime() + 250);
      const res = await postB({ clientId: uuid(), venueToken: i % 2 ? open.token : closing.token, people: [{ token: i % 2 ? token : otherToken }] });
      expect(res.statusCode, res.body).toBe(201);
    }
    const reads = feed.reads - reads0;
    expect(reads).toBeGreaterThanOrEqual(9);
    expect(reads).toBeLessThanOrEqual((40 * 250) / POLL_MS + 1);

    // on process a: the venue suspended and the first phone revoked (its owner's "forget this phone")
    const suspend = await t.app.inject({ method: 'POST', url: `/api/venues/${closing.venue.id}/status`, headers: officer.headers, payload: { status: 'suspended', reason: 'vi phạm' } });
    expect(suspend.statusCode, suspend.body).toBe(200);
    expect((await t.app.inject({ method: 'POST', url: '/api/devices/forget', payload: { token } })).statusCode).toBe(204);
    // b's caches hold both for hours; once STATUS_TTL_MS has passed the next check-in waits for one read of both feeds
    now = new Date(now.getTime() + STATUS_TTL_MS + 1);
    const before = feed.reads;
    const suspended = await postB({ clientId: uuid(), venueToken: closing.token, people: [{ token: otherToken }] });
    expect(suspended.statusCode, suspended.body).toBe(403);
    expect(suspended.json().error.code).toBe('VENUE_SUSPENDED');
    const revoked = await postB({ clientId: uuid(), venueToken: open.token, people: [{ token }] });
    expect(revoked.statusCode, revoked.body).toBe(410);
    expect(revoked.json().error.code).toBe('PERSON_TOKEN_EXPIRED');
    expect(feed.reads - before).toBe(1);
    // the other phone at the open venue is untouched
    expect((await postB({ clientId: uuid(), venueToken: open.token, people: [{ token: otherToken }] })).statusCode).toBe(201);
  });
});
