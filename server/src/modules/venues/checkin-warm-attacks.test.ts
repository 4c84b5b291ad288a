// Attacks on the warm path of a citizen's check-in (checkins.ts warmSingle): each test warms the caches with a
// poster and a phone's device token, then changes or forges what a cached answer depends on, or sends the body
// as someone else, and expects the general path's answer (and, where the warm path must not apply, no warm
// check-in counted). Complements checkin-warm.test.ts.
import crypto from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testContext, type TestContext } from '../../../test/helpers';
import { sharedChangeFeed } from '../../platform/change-feed';
import { tokenKey } from '../../platform/cache';
import { personalQrToken, personDeviceToken } from '../people';
import { STATUS_TTL_MS } from './entrances';
import { signVenueToken } from './tokens';
import { approvedVenue, communes, createVenue, form, uuid } from './test-fixtures';

let now = new Date('2021-08-04T02:00:00Z');
const clock = () => now;
const tick = (ms = 1000) => (now = new Date(now.getTime() + ms));
let t: TestContext;
let c: Awaited<ReturnType<typeof communes>>;
let officer: { headers: Record<string, string> };
let op: { id: string; headers: Record<string, string> };
let venue: Awaited<ReturnType<typeof createVenue>>;

const warmCount = (ctx: TestContext = t) => (ctx.app as unknown as { vigilCheckinStats(): { warm: number } }).vigilCheckinStats().warm;
/** A request from its own loopback address (this file sends more than the per-address limit), except to another context. */
let addr = 0;
const post = (payload: object, headers: Record<string, string> = {}, ctx: TestContext = t) =>
  ctx.app.inject({ method: 'POST', url: '/api/checkins', headers, payload, remoteAddress: ctx === t ? `127.0.${(++addr >> 8) & 255}.${addr & 255}` : '127.0.0.1' });
const checkIn = (token: string, venueToken = venue.token, extra: object = {}, headers: Record<string, string> = {}) =>
  post({ clientId: uuid(), venueToken, people: [{ token }], ...extra }, headers);

/** This process has read the change feed after every change made so far. */
async function settle(ctx: TestContext = t) {
  const feed = sharedChangeFeed(ctx.app.vigil);
  await feed.within(0);
  await feed.within(0);
}

/** A phone's first visit, then two check-ins with its token: the second one taken by the warm path. */
async function warmPhone(phone: string, fullName: string, venueToken = venue.token, ctx: TestContext = t) {
  const first = await post({ clientId: uuid(), venueToken, people: [{ ...form({ phone, fullName }), communeCode: c.a }] }, {}, ctx);
  expect(first.statusCode, first.body).toBe(201);
  const person = first.json().results[0].people[0] as { personId: string; token: string };
  tick();
  await settle(ctx);
  expect((await post({ clientId: uuid(), venueToken, people: [{ token: person.token }] }, {}, ctx)).statusCode).toBe(201);
  const n = warmCount(ctx);
  const warm = await post({ clientId: uuid(), venueToken, people: [{ token: person.token }] }, {}, ctx);
  expect(warm.statusCode, warm.body).toBe(201);
  expect(warmCount(ctx)).toBe(n + 1);
  return person;
}

/** The token with one character of its payload changed: the same signature, hence the same tokenKey. */
function tampered(token: string): string {
  const i = 3;
  const ch = token[i] === 'A' ? 'B' : 'A';
  const forged = token.slice(0, i) + ch + token.slice(i + 1);
  expect(tokenKey(forged)).toBe(tokenKey(token));
  return forged;
}

const sourceOf = async (id: string) => t.db.selectFrom('checkins').select(['source', 'recorded_by', 'person_id']).where('id', '=', id).executeTakeFirstOrThrow();

beforeAll(async () => {
  t = await testContext({ clock });
  c = await communes(t.db);
  officer = await t.login('cdc_officer', '40');
  op = await t.login('venue_operator', c.a);
  venue = await approvedVenue(t.app, op.headers, officer.headers, { communeCode: c.a, name: 'Nhà máy May Minh Anh', type: 'factory' });
  tick();
  await settle();
});
afterAll(() => t?.close());

describe('forged and colliding tokens on the warm path', () => {
  it('refuses a tampered device token and a tampered poster sharing the cached ones’ key; the real ones stay warm', async () => {
    const p = await warmPhone('0916000001', 'Hồ Văn Khải');
    const n = warmCount();
    const badPerson = await checkIn(tampered(p.token));
    expect(badPerson.statusCode, badPerson.body).toBe(400);
    expect(badPerson.json().error.code).toBe('PERSON_TOKEN_INVALID');
    const badPoster = await checkIn(p.token, tampered(venue.token));
    expect(badPoster.statusCode, badPoster.body).toBe(400);
    expect(badPoster.json().error.details[0].path).toBe('body.venueToken');
    expect(warmCount()).toBe(n);
    expect((await checkIn(p.token)).statusCode).toBe(201);
    expect(warmCount()).toBe(n + 1);
  });

  it('two genuine device tokens of two people with the same key: each check-in lands on its own person', async () => {
    const a = await warmPhone('0916000002', 'Tạ Văn Bình');
    const b = await warmPhone('0916000003', 'Tạ Thị Cúc');
    // device tokens of a and of b for fresh device ids until one of a's and one of b's share a tokenKey
    const ring = t.app.vigil.keys;
    const seen = new Map<number, { person: string; device: string; token: string }>();
    let pair: [{ person: string; device: string; token: string }, { person: string; device: string; token: string }] | null = null;
    for (let i = 0; !pair && i < 2_000_000; i++) {
      const person = i % 2 ? a.personId : b.personId;
      const device = crypto.randomUUID();
      const token = personDeviceToken(ring, person, device);
      const k = tokenKey(token);
      const other = seen.get(k);
      if (other && other.person !== person) pair = [other, { person, device, token }];
      else seen.set(k, { person, device, token });
    }
    expect(pair).not.toBeNull();
    const [x, y] = pair!;
    expect(tokenKey(x.token)).toBe(tokenKey(y.token));
    for (const d of [x, y])
      await t.db.insertInto('person_devices').values({ id: d.device, person_id: d.person, origin: 'form', created_at: now, last_used_at: now, revoked_at: null }).execute();
    const answers: string[] = [];
    // x warm, then y (verified, replacing x's entry), then x again, several rounds: never the other's person
    for (let round = 0; round < 3; round++) {
      for (const d of [x, x, y, y]) {
        const res = await checkIn(d.token);
        expect(res.statusCode, res.body).toBe(201);
        const r = res.json().results[0];
        expect(r.people).toEqual([{ personId: d.person, token: d.token, name: null, created: false }]);
        expect((await sourceOf(r.checkinIds[0])).person_id).toBe(d.person);
        answers.push(r.people[0].personId);
      }
    }
    expect(new Set(answers)).toEqual(new Set([x.person, y.person]));
  });
});

describe('a swapped or unusual body is the general path’s', () => {
  it('a device token as the poster and the poster as the person: refused, nothing warm', async () => {
    const p = await warmPhone('0916000010', 'Kiều Văn Dũng');
    const n = warmCount();
    const swapped = await post({ clientId: uuid(), venueToken: p.token, people: [{ token: venue.token }] });
    expect(swapped.statusCode, swapped.body).toBeGreaterThanOrEqual(400);
    expect(swapped.statusCode).toBeLessThan(500);
    expect(swapped.json().error.details[0].path).toBe('body.venueToken');
    const personIsPoster = await checkIn(venue.token);
    expect(personIsPoster.statusCode, personIsPoster.body).toBe(400);
    expect(personIsPoster.json().error.code).toBe('PERSON_TOKEN_INVALID');
    expect(warmCount()).toBe(n);
  });

  it('a printed personal QR as the person’s token goes through the general path, for that person', async () => {
    const p = await warmPhone('0916000011', 'Kiều Thị Hoa');
    const printed = personalQrToken(t.app.vigil.keys, p.personId);
    const n = warmCount();
    for (let i = 0; i < 2; i++) {
      const res = await checkIn(printed);
      expect(res.statusCode, res.body).toBe(201);
      expect(res.json().results[0].people[0]).toMatchObject({ personId: p.personId, token: printed });
    }
    expect(warmCount()).toBe(n);
  });

  it('an upper-case client id is the lower-case one (a duplicate); the same id for another person is their own check-in', async () => {
    const p = await warmPhone('0916000012', 'Lã Văn Hùng');
    const q = await warmPhone('0916000013', 'Lã Thị Huệ');
    const clientId = uuid();
    const n = warmCount();
    const a = await post({ clientId: clientId.toUpperCase(), venueToken: venue.token, people: [{ token: p.token }] });
    expect(a.statusCode, a.body).toBe(201);
    expect(a.json().results[0].clientId).toBe(clientId);
    tick();
    const again = await post({ clientId, venueToken: venue.token, people: [{ token: p.token }] });
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json()).toMatchObject({ duplicates: 1, results: [{ status: 'duplicate', checkinIds: a.json().results[0].checkinIds, people: [{ personId: p.personId }] }] });
    // another person, same client id: their own row (the key is (client id, person)), never p's data
    const other = await post({ clientId, venueToken: venue.token, people: [{ token: q.token }] });
    expect(other.statusCode, other.body).toBe(201);
    expect(other.json().results[0].people).toEqual([{ personId: q.personId, token: q.token, name: null, created: false }]);
    expect(other.json().results[0].checkinIds).not.toEqual(a.json().results[0].checkinIds);
    expect(warmCount()).toBe(n + 3);
  });

  it('a check-out, dependants, extra fields, NUL bytes and a huge body get the general path’s answers', async () => {
    const p = await warmPhone('0916000014', 'Quách Văn Lâm');
    const n = warmCount();
    const dep = await checkIn(p.token, venue.token, { dependants: [uuid()] });
    expect(dep.statusCode, dep.body).toBe(403);
    expect(dep.json().error.details[0].path).toBe('body.dependants.0');
    const extra = await checkIn(p.token, venue.token, { isAdmin: true });
    expect(extra.statusCode).toBe(400);
    const extraPerson = await post({ clientId: uuid(), venueToken: venue.token, people: [{ token: p.token, role: 'x' }] });
    expect(extraPerson.statusCode).toBe(400);
    const nul = await post({ clientId: `${uuid().slice(0, 35)}\u0000`, venueToken: venue.token, people: [{ token: p.token }] });
    expect(nul.statusCode).toBe(400);
    expect(nul.json().error).toHaveProperty('code');
    const nulToken = await checkIn(`${p.token}\u0000`);
    expect(nulToken.statusCode).toBe(400);
    const huge = await checkIn(p.token, venue.token, { pad: 'x'.repeat(256 * 1024) });
    expect(huge.statusCode).toBe(413);
    expect(warmCount()).toBe(n);
    // a check-out of the warm stay with the same tokens: the general path ends it
    const clientId = uuid();
    expect((await post({ clientId, venueToken: venue.token, people: [{ token: p.token }] })).statusCode).toBe(201);
    tick();
    const out = await post({ clientId: uuid(), action: 'out', venueToken: venue.token, people: [{ token: p.token }] });
    expect(out.statusCode, out.body).toBe(200);
    expect(out.json().results[0]).toMatchObject({ action: 'out', status: 'checked_out' });
    expect(warmCount()).toBe(n + 1);
  });
});

describe('concurrent replays and odd text on the warm path', () => {
  it('one client id sent five times at once: stored once, every answer naming that row (warm, and signed in)', async () => {
    const p = await warmPhone('0916000050', 'Vương Văn Xuân');
    const citizen = await t.login('citizen', c.a);
    for (const headers of [{}, citizen.headers]) {
      const clientId = uuid();
      const n = warmCount();
      const same = await Promise.all(Array.from({ length: 5 }, () => post({ clientId, venueToken: venue.token, people: [{ token: p.token }] }, headers)));
      for (const r of same) expect([200, 201], r.body).toContain(r.statusCode);
      expect(new Set(same.map((r) => r.json().results[0].checkinIds[0])).size).toBe(1);
      expect(warmCount()).toBe(n + (headers === citizen.headers ? 0 : 5));
      expect(await t.db.selectFrom('checkins').select('id').where('client_id', '=', clientId).execute()).toHaveLength(1);
    }
  });

  it('one client id sent at once for two venues: one check-in, the other refused (409), as when sent one after the other', async () => {
    const p = await warmPhone('0916000052', 'Vương Thị Yến');
    const citizen = await t.login('citizen', c.a);
    const v2 = await approvedVenue(t.app, op.headers, officer.headers, { communeCode: c.a, name: 'Kho Hàng Xuân', type: 'factory' });
    tick();
    await settle();
    await checkIn(p.token, v2.token);
    await checkIn(p.token, venue.token);
    for (const headers of [{}, citizen.headers]) {
      const clientId = uuid();
      const two = await Promise.all([venue.token, v2.token].map((vt) => post({ clientId, venueToken: vt, people: [{ token: p.token }] }, headers)));
      const rows = await t.db.selectFrom('checkins').select(['id', 'venue_id']).where('client_id', '=', clientId).execute();
      expect(rows).toHaveLength(1);
      const kept = two[rows[0]!.venue_id === venue.venue.id ? 0 : 1]!;
      const other = two[rows[0]!.venue_id === venue.venue.id ? 1 : 0]!;
      expect(kept.statusCode, kept.body).toBe(201);
      expect(kept.json().results[0].checkinIds).toEqual([rows[0]!.id]);
      // never "created" at a venue where nothing was written
      expect(other.statusCode, other.body).toBe(409);
      expect(other.json().error).toMatchObject({ code: 'CLIENT_ID_REUSED', details: [{ path: 'body.clientId' }] });
    }
  });

  it('a venue and entrance renamed (by another process) to odd text: the warm answer is the general one, character for character', async () => {
    const v = await approvedVenue(t.app, op.headers, officer.headers, { communeCode: c.a, name: 'Quán Cà Phê', type: 'restaurant' });
    tick();
    await settle();
    const p = await warmPhone('0916000051', 'Yên Thị Ánh', v.token);
    const odd = 'Quán "A"\\ \u0007\t\u2028\u2029 😀 </script> \u00ad\u200b';
    const entrance = 'Cổng "B" \u0001';
    await t.db.updateTable('venues').set({ name: odd }).where('id', '=', v.venue.id).execute();
    await t.db.updateTable('venue_entrances').set({ name: entrance }).where('id', '=', v.entrances[0]!.id).execute();
    tick(STATUS_TTL_MS + 1);
    await settle();
    const n = warmCount();
    const general = await checkIn(p.token, v.token);
    expect(warmCount()).toBe(n);
    tick();
    const warm = await checkIn(p.token, v.token);
    expect(warmCount()).toBe(n + 1);
    const shape = (r: typeof warm) => {
      const x = r.json().results[0];
      return r.body.replace(x.clientId, 'C').replace(x.checkinIds[0], 'I').replace(x.at, 'A').replace(x.autoCheckoutAt, 'O');
    };
    expect(warm.json().results[0].venue).toEqual({ id: v.venue.id, name: odd, entrance });
    expect(shape(warm)).toBe(shape(general));
  });
});

describe('someone signed in sending a phone’s warm body gets their own rules', () => {
  it('the venue’s operator and area gate staff record a gate scan; a citizen and another province’s officer are phones (and their time window)', async () => {
    const p = await warmPhone('0916000020', 'Mạc Văn Nhân');
    const citizen = await t.login('citizen', c.a);
    const gateStaff = await t.login('vaccination_staff', c.a);
    const hanoi = await t.login('cdc_officer', '01');
    const n = warmCount();
    for (const [who, headers, source, by] of [
      ['operator', op.headers, 'gate', op.id],
      ['gate staff', gateStaff.headers, 'gate', gateStaff.id],
      ['citizen', citizen.headers, 'qr', null],
      ['another province', hanoi.headers, 'qr', null],
    ] as const) {
      const res = await checkIn(p.token, venue.token, {}, headers);
      expect(res.statusCode, `${who}: ${res.body}`).toBe(201);
      const row = await sourceOf(res.json().results[0].checkinIds[0]);
      expect(row, who).toEqual({ source, recorded_by: by === null ? null : String(by), person_id: p.personId });
      const old = await checkIn(p.token, venue.token, { at: new Date(now.getTime() - 3 * 3600_000).toISOString() }, headers);
      expect(old.statusCode, who).toBe(source === 'gate' ? 201 : 400);
    }
    expect(warmCount()).toBe(n);
  });
});

describe('state changed behind a cached poster or phone', () => {
  it('a person deleted after their token was cached: refused (404), nothing written', async () => {
    const p = await warmPhone('0916000030', 'Ninh Văn Phong');
    await t.db.deleteFrom('checkins').where('person_id', '=', p.personId).execute();
    await sql`delete from checkin_keys where person_id = ${p.personId}`.execute(t.db); // (not in the typed schema)
    await t.db.deleteFrom('persons').where('id', '=', p.personId).execute();
    tick();
    const clientId = uuid();
    const n = warmCount();
    const res = await post({ clientId, venueToken: venue.token, people: [{ token: p.token }] });
    expect(res.statusCode, res.body).toBe(404);
    expect(res.json().error).toMatchObject({ code: 'PERSON_UNKNOWN', details: [{ path: 'body.people.0' }] });
    expect(warmCount()).toBe(n + 1); // taken warm (its device row still cached), answered from the batch's result
    expect(await t.db.selectFrom('checkins').select('id').where('client_id', '=', clientId).execute()).toEqual([]);
  });

  it('a cached phone forgotten by its holder, or ended by an officer, here: refused at once (no feed read needed)', async () => {
    const a = await warmPhone('0916000036', 'Thái Văn Vĩnh');
    const b = await warmPhone('0916000037', 'Thái Thị Xuyến');
    const f = await t.app.inject({ method: 'POST', url: '/api/devices/forget', payload: { token: a.token } });
    expect(f.statusCode, f.body).toBe(204);
    const r = await t.app.inject({ method: 'POST', url: `/api/people/${b.personId}/devices/revoke`, headers: officer.headers });
    expect(r.json().revoked).toBe(1);
    const n = warmCount();
    for (const token of [a.token, b.token]) {
      const res = await checkIn(token);
      expect(res.statusCode, res.body).toBe(410);
      expect(res.json().error.code).toBe('PERSON_TOKEN_EXPIRED');
    }
    expect(warmCount()).toBe(n);
  });

  it('a person merged twice (M into K, then K into J) while M’s phone is cached: the check-in is J’s', async () => {
    const m = await warmPhone('0916000038', 'Tôn Văn Yên');
    const k = await warmPhone('0916000039', 'Tôn Văn Yên');
    const j = await warmPhone('0916000040', 'Tôn Văn Yên');
    for (const [kept, merged] of [[k, m], [j, k]] as const) {
      const r = await t.app.inject({ method: 'POST', url: `/api/people/${kept.personId}/merge`, headers: officer.headers, payload: { mergeId: merged.personId, reason: 'cùng một người' } });
      expect(r.statusCode, r.body).toBe(200);
    }
    tick();
    const n = warmCount();
    for (const p of [m, k]) {
      const res = await checkIn(p.token);
      expect(res.statusCode, res.body).toBe(201);
      expect(res.json().results[0].people[0].personId).toBe(j.personId);
      expect((await sourceOf(res.json().results[0].checkinIds[0])).person_id).toBe(j.personId);
    }
    expect(warmCount()).toBe(n + 2);
  });

  it('an officer ending every phone of a person ends those of the records merged into it (no check-in as them)', async () => {
    const merged = await warmPhone('0916000034', 'Thân Văn Út');
    const kept = await warmPhone('0916000035', 'Thân Văn Út');
    const m = await t.app.inject({ method: 'POST', url: `/api/people/${kept.personId}/merge`, headers: officer.headers, payload: { mergeId: merged.personId, reason: 'cùng một người' } });
    expect(m.statusCode, m.body).toBe(200);
    tick();
    expect((await checkIn(merged.token)).json().results[0].people[0].personId).toBe(kept.personId);
    // the person's phone was lost: the officer ends every phone of the (kept, visible) record
    const r = await t.app.inject({ method: 'POST', url: `/api/people/${kept.personId}/devices/revoke`, headers: officer.headers });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json().revoked).toBe(2);
    for (const token of [kept.token, merged.token]) {
      const res = await checkIn(token);
      expect(res.statusCode, res.body).toBe(410);
      expect(res.json().error.code).toBe('PERSON_TOKEN_EXPIRED');
    }
  });

  it('an entrance closed by another process: refused once the feed is read, warm again once reopened', async () => {
    const v = await approvedVenue(t.app, op.headers, officer.headers, { communeCode: c.a, name: 'Xưởng Mộc Hưng', type: 'factory' });
    tick();
    await settle();
    const p = await warmPhone('0916000031', 'Ông Văn Quý', v.token);
    await t.db.updateTable('venue_entrances').set({ active: false }).where('id', '=', v.entrances[0]!.id).execute();
    tick(STATUS_TTL_MS + 1);
    await settle();
    const n = warmCount();
    const closed = await checkIn(p.token, v.token);
    expect(closed.statusCode, closed.body).toBe(410);
    expect(closed.json().error.code).toBe('ENTRANCE_CLOSED');
    await t.db.updateTable('venue_entrances').set({ active: true }).where('id', '=', v.entrances[0]!.id).execute();
    tick(STATUS_TTL_MS + 1);
    await settle();
    expect((await checkIn(p.token, v.token)).statusCode).toBe(201);
    expect((await checkIn(p.token, v.token)).statusCode).toBe(201);
    expect(warmCount()).toBe(n + 1);
  });

  it('a poster with an expiry: refused once it passes, though cached', async () => {
    const ring = t.app.vigil.keys;
    const poster = signVenueToken(ring, venue.entrances[0]!.id, venue.venue.id, new Date(now.getTime() + 30 * 60_000));
    const p = await warmPhone('0916000032', 'Phí Văn Sáng', poster);
    tick(31 * 60_000);
    await settle();
    const n = warmCount();
    const res = await checkIn(p.token, poster);
    expect(res.statusCode, res.body).toBe(410);
    expect(res.json().error.code).toBe('VENUE_QR_EXPIRED');
    expect(warmCount()).toBe(n);
  });

  it('a phone idle past the limit: refused though its token and row were cached', async () => {
    const p = await warmPhone('0916000033', 'Sầm Văn Tú');
    tick(31 * 86400_000);
    await settle();
    const n = warmCount();
    const res = await checkIn(p.token);
    expect(res.statusCode, res.body).toBe(410);
    expect(res.json().error.code).toBe('PERSON_TOKEN_EXPIRED');
    expect(warmCount()).toBe(n);
  });
});

describe('the public limit applies to warm check-ins', () => {
  it('counts warm check-ins per address and refuses past the limit (429)', async () => {
    const k = await testContext({ clock, config: { publicCheckinsPerMinute: 10 } });
    try {
      const cc = await communes(k.db);
      const o = await k.login('cdc_officer', '40');
      const v = await createVenue(k.app, o.headers, { communeCode: cc.a, name: 'Chợ Ga' });
      const first = await post({ clientId: uuid(), venueToken: v.token, people: [{ ...form({ phone: '0916000040' }), communeCode: cc.a }] }, {}, k);
      const token = first.json().results[0].people[0].token as string;
      await settle(k);
      const codes: number[] = [];
      for (let i = 0; i < 12; i++) codes.push((await post({ clientId: uuid(), venueToken: v.token, people: [{ token }] }, {}, k)).statusCode);
      expect(codes.slice(0, 9)).toEqual(Array(9).fill(201));
      expect(codes.slice(9)).toEqual([429, 429, 429]);
      expect(warmCount(k)).toBeGreaterThan(0);
      const other = await k.app.inject({ method: 'POST', url: '/api/checkins', remoteAddress: '127.0.0.9', payload: { clientId: uuid(), venueToken: v.token, people: [{ token }] } });
      expect(other.statusCode).toBe(201);
    } finally {
      await k.close();
    }
  });
});
