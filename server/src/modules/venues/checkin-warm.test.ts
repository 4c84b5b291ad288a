// The warm path of a citizen's check-in (checkins.ts warmSingle): a poster and a device token seen before are
// checked from cache in one pass, and a created check-in is answered as JSON text written directly. Each test
// starts from warm caches and changes what a cached answer depends on (a key retired, a phone revoked by another
// process, a person merged, a venue suspended, time passing): the answer must be the general path's.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testContext, type TestContext } from '../../../test/helpers';
import { POLL_MS, sharedChangeFeed } from '../../platform/change-feed';
import { DEVICE_TOUCH_MS as TOUCH_MS } from '../people';
import { STATUS_TTL_MS } from './entrances';
import { signVenueToken } from './tokens';
import { communes, createVenue, form, uuid } from './test-fixtures';

let now = new Date('2021-08-04T02:00:00Z');
const clock = () => now;
const tick = (ms = 1000) => (now = new Date(now.getTime() + ms));
let t: TestContext;
let c: Awaited<ReturnType<typeof communes>>;
let officer: { headers: Record<string, string> };
let venue: Awaited<ReturnType<typeof createVenue>>;
let venue2: Awaited<ReturnType<typeof createVenue>>;

const warmCount = (ctx: TestContext = t) => (ctx.app as unknown as { vigilCheckinStats(): { warm: number } }).vigilCheckinStats().warm;
const post = (payload: object, ctx: TestContext = t) => ctx.app.inject({ method: 'POST', url: '/api/checkins', payload });
const checkIn = (token: string, venueToken = venue.token, extra: object = {}, ctx: TestContext = t) => post({ clientId: uuid(), venueToken, people: [{ token }], ...extra }, ctx);

/**
 * Waits until this process has read the venue change feed after every change made so far (any venue's change
 * voids the warm path's cached entrances once: the next check-in of each poster takes the general path).
 */
async function settle(ctx: TestContext = t) {
  const feed = sharedChangeFeed(ctx.app.vigil);
  await feed.within(0); // the read under way, if any
  await feed.within(0); // and one begun after it
}

/** A phone's first visit (form) and its device token, then one check-in with the token (caches its checks). */
async function warmPhone(phone: string, fullName: string, venueToken = venue.token, ctx: TestContext = t, commune = c.a) {
  const first = await post({ clientId: uuid(), venueToken, people: [{ ...form({ phone, fullName }), communeCode: commune }] }, ctx);
  expect(first.statusCode, first.body).toBe(201);
  const person = first.json().results[0].people[0] as { personId: string; token: string };
  tick();
  await settle(ctx);
  const second = await checkIn(person.token, venueToken, {}, ctx);
  expect(second.statusCode, second.body).toBe(201);
  return person;
}

beforeAll(async () => {
  t = await testContext({ clock });
  c = await communes(t.db);
  officer = await t.login('cdc_officer', '40');
  venue = await createVenue(t.app, officer.headers, { communeCode: c.a, name: 'Chợ "Vinh" \\ Bến Thuỷ' });
  venue2 = await createVenue(t.app, officer.headers, { communeCode: c.b, name: 'Siêu thị Vinh', type: 'supermarket' });
});
afterAll(() => t?.close());

describe('the warm path of a citizen check-in', () => {
  it('answers byte for byte as the general path does, and writes the same row', async () => {
    const first = await post({ clientId: uuid(), venueToken: venue.token, people: [{ ...form({ phone: '0915000001', fullName: 'Đặng Văn Nam' }), communeCode: c.a }] });
    const token = first.json().results[0].people[0].token as string;
    tick();
    await settle();
    const before = warmCount();
    const general = await checkIn(token); // the token's first use: the general path verifies and caches it
    expect(warmCount()).toBe(before);
    tick();
    const warm = await checkIn(token);
    expect(warmCount()).toBe(before + 1);
    expect(warm.statusCode).toBe(201);
    expect(warm.headers['content-type']).toBe(general.headers['content-type']);
    // the same text but for what differs between two check-ins (client id, check-in id, times)
    const shape = (r: typeof warm) => {
      const j = r.json();
      const x = j.results[0];
      return r.body.replace(x.clientId, 'C').replace(x.checkinIds[0], 'I').replace(x.at, 'A').replace(x.autoCheckoutAt, 'O');
    };
    expect(shape(warm)).toBe(shape(general));
    const body = warm.json();
    expect(body).toMatchObject({ accepted: 1, duplicates: 0, rejected: 0 });
    expect(body.results[0]).toMatchObject({ status: 'created', action: 'in', venue: { id: venue.venue.id, name: 'Chợ "Vinh" \\ Bến Thuỷ' }, people: [{ token, name: null, created: false }] });
    const row = await t.db.selectFrom('checkins').select(['person_id', 'venue_id', 'entrance_id', 'source', 'checkin_at', 'auto_checkout_at']).where('id', '=', body.results[0].checkinIds[0]).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ person_id: body.results[0].people[0].personId, venue_id: venue.venue.id, entrance_id: venue.entrances[0]!.id, source: 'qr' });
    expect(row.checkin_at.toISOString()).toBe(body.results[0].at);
    expect(row.auto_checkout_at.toISOString()).toBe(body.results[0].autoCheckoutAt);
  });

  it('answers a re-sent client id as a duplicate and refuses it at another venue (409), as the general path does', async () => {
    const p = await warmPhone('0915000002', 'Võ Thị Hạnh');
    const clientId = uuid();
    const before = warmCount();
    const a = await post({ clientId, venueToken: venue.token, people: [{ token: p.token }] });
    expect(a.statusCode, a.body).toBe(201);
    tick();
    const again = await post({ clientId, venueToken: venue.token, people: [{ token: p.token }] });
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json()).toMatchObject({ accepted: 0, duplicates: 1, results: [{ status: 'duplicate', at: a.json().results[0].at, checkinIds: a.json().results[0].checkinIds }] });
    expect(warmCount()).toBe(before + 2);
    await checkIn(p.token, venue2.token); // the second venue's poster verified and cached (the general path)
    const elsewhere = await post({ clientId, venueToken: venue2.token, people: [{ token: p.token }] });
    expect(elsewhere.statusCode, elsewhere.body).toBe(409);
    expect(elsewhere.json().error).toMatchObject({ code: 'CLIENT_ID_REUSED', details: [{ path: 'body.clientId' }] });
    expect(warmCount()).toBe(before + 3);
    expect(await t.db.selectFrom('checkins').select('venue_id').where('client_id', '=', clientId).execute()).toEqual([{ venue_id: venue.venue.id }]);
  });

  it('refuses a time out of the window with the general path’s error', async () => {
    const p = await warmPhone('0915000003', 'Lý Văn Tài');
    const before = warmCount();
    const old = await checkIn(p.token, venue.token, { at: new Date(now.getTime() - 2 * 3600_000).toISOString() });
    expect(old.statusCode).toBe(400);
    expect(old.json().error.details[0]).toMatchObject({ path: 'body.at', message: 'is too far in the past' });
    const ahead = await checkIn(p.token, venue.token, { at: new Date(now.getTime() + 3600_000).toISOString() });
    expect(ahead.json().error.details[0]).toMatchObject({ path: 'body.at', message: 'is in the future' });
    const earlier = await checkIn(p.token, venue.token, { at: new Date(now.getTime() - 10 * 60_000).toISOString() });
    expect(earlier.statusCode).toBe(201);
    expect(earlier.json().results[0].at).toBe(new Date(now.getTime() - 10 * 60_000).toISOString());
    expect(warmCount()).toBe(before + 1);
  });

  it('follows a person merged into another: the check-in is the surviving record’s', async () => {
    const merged = await warmPhone('0915000004', 'Trịnh Văn Long');
    const kept = await warmPhone('0915000005', 'Trịnh Văn Long');
    const m = await t.app.inject({ method: 'POST', url: `/api/people/${kept.personId}/merge`, headers: officer.headers, payload: { mergeId: merged.personId, reason: 'cùng một người' } });
    expect(m.statusCode, m.body).toBe(200);
    tick();
    const before = warmCount();
    const res = await checkIn(merged.token);
    expect(res.statusCode, res.body).toBe(201);
    expect(warmCount()).toBe(before + 1);
    expect(res.json().results[0].people[0]).toMatchObject({ personId: kept.personId, token: merged.token });
    const row = await t.db.selectFrom('checkins').select('person_id').where('id', '=', res.json().results[0].checkinIds[0]).executeTakeFirstOrThrow();
    expect(row.person_id).toBe(kept.personId);
  });

  it('refuses a venue suspended here at once, and one suspended by another process within STATUS_TTL_MS', async () => {
    const v = await createVenue(t.app, officer.headers, { communeCode: c.a, name: 'Quán Phở Hà', type: 'restaurant' });
    const p = await warmPhone('0915000006', 'Mai Thị Thu', v.token);
    const before = warmCount();
    expect((await checkIn(p.token, v.token)).statusCode).toBe(201);
    expect(warmCount()).toBe(before + 1);
    const s = await t.app.inject({ method: 'POST', url: `/api/venues/${v.venue.id}/status`, headers: officer.headers, payload: { status: 'suspended', reason: 'vi phạm' } });
    expect(s.statusCode, s.body).toBe(200);
    const here = await checkIn(p.token, v.token);
    expect(here.statusCode).toBe(403);
    expect(here.json().error.code).toBe('VENUE_SUSPENDED');
    // approved again here, warm again; then suspended by a direct write (another process: no call reaches this one)
    expect((await t.app.inject({ method: 'POST', url: `/api/venues/${v.venue.id}/status`, headers: officer.headers, payload: { status: 'approved', reason: 'đã khắc phục' } })).statusCode).toBe(200);
    tick();
    await settle();
    expect((await checkIn(p.token, v.token)).statusCode).toBe(201);
    const warmBefore = warmCount();
    expect((await checkIn(p.token, v.token)).statusCode).toBe(201);
    expect(warmCount()).toBe(warmBefore + 1);
    await t.db.updateTable('venues').set({ status: 'suspended' }).where('id', '=', v.venue.id).execute();
    tick(STATUS_TTL_MS + 1);
    const elsewhere = await checkIn(p.token, v.token);
    expect(elsewhere.statusCode, elsewhere.body).toBe(403);
    expect(elsewhere.json().error.code).toBe('VENUE_SUSPENDED');
    // the venue's validity window, checked on the warm path itself: ended by the clock, no change anywhere
    const w = await createVenue(t.app, officer.headers, { communeCode: c.a, name: 'Hội chợ Xuân', type: 'other' });
    await t.db.updateTable('venues').set({ valid_until: new Date(now.getTime() + 10 * 60_000) }).where('id', '=', w.venue.id).execute();
    tick(STATUS_TTL_MS + 1);
    await warmPhone('0915000007', 'Cao Văn Minh', w.token);
    const q = await warmPhone('0915000008', 'Cao Thị Na', w.token);
    tick(11 * 60_000);
    const n = warmCount();
    await checkIn(q.token, w.token); // the feed read after the clock's jump (a check-in waits for it)
    const over = await checkIn(q.token, w.token);
    expect(over.statusCode).toBe(410);
    expect(over.json().error.code).toBe('VENUE_QR_EXPIRED');
    expect(warmCount()).toBe(n);
  });

  it('refuses a phone revoked by another process once this one has read the feed', async () => {
    const p = await warmPhone('0915000009', 'Bùi Văn Sơn');
    const before = warmCount();
    expect((await checkIn(p.token)).statusCode).toBe(201);
    expect(warmCount()).toBe(before + 1);
    // revoked by a direct write (the feed's trigger records it), as another server process does
    await t.db.updateTable('person_devices').set({ revoked_at: now }).where('person_id', '=', p.personId).execute();
    tick(POLL_MS + 1);
    await sharedChangeFeed(t.app.vigil).within(0); // this process has read the feed (the check-ins' poller)
    const n = warmCount();
    const res = await checkIn(p.token);
    expect(res.statusCode, res.body).toBe(410);
    expect(res.json().error.code).toBe('PERSON_TOKEN_EXPIRED');
    expect(warmCount()).toBe(n);
  });

  it('writes the last use of a phone not used for TOUCH_MS (the general path), then is warm again', async () => {
    const p = await warmPhone('0915000010', 'Đỗ Thị Yến');
    const used = await t.db.selectFrom('person_devices').select('last_used_at').where('person_id', '=', p.personId).executeTakeFirstOrThrow();
    // shortly before TOUCH_MS: the entrance read again (its cache aged out), the feed read, no last-use write due
    tick(TOUCH_MS - 5 * 60_000);
    await settle();
    expect((await checkIn(p.token)).statusCode).toBe(201);
    // past TOUCH_MS, everything else still warm: the last use is written (general path), and the check-in answered
    tick(6 * 60_000);
    await settle();
    const n = warmCount();
    expect((await checkIn(p.token)).statusCode).toBe(201);
    expect(warmCount()).toBe(n);
    const d = await t.db.selectFrom('person_devices').select('last_used_at').where('person_id', '=', p.personId).executeTakeFirstOrThrow();
    expect(d.last_used_at.getTime()).toBeGreaterThan(used.last_used_at.getTime());
    expect(d.last_used_at.getTime()).toBe(now.getTime());
    tick();
    expect((await checkIn(p.token)).statusCode).toBe(201);
    expect(warmCount()).toBe(n + 1);
  });
});

describe('the warm path and key retirement', () => {
  it('refuses a cached device token and a cached poster once their key is retired', async () => {
    const k = await testContext({ clock });
    try {
      const cc = await communes(k.db);
      const op = await k.login('cdc_officer', '40');
      const v = await createVenue(k.app, op.headers, { communeCode: cc.a, name: 'Chợ Hưng Dũng' });
      const ring = k.app.vigil.keys;
      const old = ring.activeKid;
      const p = await warmPhone('0915000011', 'Lương Văn Phúc', v.token, k, cc.a);
      await ring.rotate();
      // a poster of the new key, and a phone whose token is of the new key: both warm
      const poster = signVenueToken(ring, v.entrances[0]!.id, v.venue.id, null);
      const q = await warmPhone('0915000012', 'Lương Thị Quế', poster, k, cc.a);
      await checkIn(p.token, poster, {}, k);
      const n = warmCount(k);
      expect((await checkIn(p.token, poster, {}, k)).statusCode).toBe(201);
      expect((await checkIn(q.token, v.token, {}, k)).statusCode).toBe(201);
      expect(warmCount(k)).toBe(n + 2);
      await ring.retire(old);
      const token = await checkIn(p.token, poster, {}, k);
      expect(token.statusCode, token.body).toBe(410);
      expect(token.json().error).toMatchObject({ code: 'PERSON_TOKEN_EXPIRED', details: [{ path: 'body.people.0.token' }] });
      const oldPoster = await checkIn(q.token, v.token, {}, k);
      expect(oldPoster.statusCode, oldPoster.body).toBe(410);
      expect(oldPoster.json().error.code).toBe('VENUE_QR_REVOKED');
      expect(warmCount(k)).toBe(n + 2);
      expect((await checkIn(q.token, poster, {}, k)).statusCode).toBe(201); // the new key's pair still works
    } finally {
      await k.close();
    }
  });
});
