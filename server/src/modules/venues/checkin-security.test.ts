// Issue 13, the check-in parts: client ids re-sent elsewhere (item 10) and what a phone's device token may learn
// (item 3: expiry after inactivity, revocation, the current stay told only to the device that made the check-in).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testContext, type TestContext } from '../../../test/helpers';
import { signMac } from '../../platform/signing';
import { communes, createVenue, form, uuid } from './test-fixtures';

let now = new Date('2021-08-02T02:00:00Z');
const clock = () => now;
let t: TestContext;
let c: Awaited<ReturnType<typeof communes>>;
let officer: { headers: Record<string, string> };
let venue: Awaited<ReturnType<typeof createVenue>>;
let venue2: Awaited<ReturnType<typeof createVenue>>;

const post = (payload: unknown, headers: Record<string, string> = {}) => t.app.inject({ method: 'POST', url: '/api/checkins', payload: payload as object, headers });

beforeAll(async () => {
  t = await testContext({ clock });
  c = await communes(t.db);
  officer = await t.login('cdc_officer', '40');
  venue = await createVenue(t.app, officer.headers, { communeCode: c.a, name: 'Chợ Vinh' });
  venue2 = await createVenue(t.app, officer.headers, { communeCode: c.b, name: 'Siêu thị Vinh', type: 'supermarket' });
});
afterAll(() => t?.close());

describe('a client id re-sent at another venue (item 10)', () => {
  it('answers 409 naming the venue and time stored for that client id, and writes nothing', async () => {
    const clientId = uuid();
    const first = await post({ clientId, venueToken: venue.token, people: [{ ...form({ phone: '0912000010' }), communeCode: c.a }] });
    expect(first.statusCode, first.body).toBe(201);
    const token = first.json().results[0].people[0].token as string;
    now = new Date(now.getTime() + 5 * 60_000);
    const elsewhere = await post({ clientId, venueToken: venue2.token, people: [{ token }] });
    expect(elsewhere.statusCode, elsewhere.body).toBe(409);
    expect(elsewhere.json().error.code).toBe('CLIENT_ID_REUSED');
    expect(elsewhere.json().error.details[0].path).toBe('body.clientId');
    expect(elsewhere.json().error.message).toContain('Chợ Vinh');
    expect(elsewhere.json().error.message).not.toContain('Siêu thị');
    const rows = await t.db.selectFrom('checkins').select(['venue_id']).where('client_id', '=', clientId).execute();
    expect(rows).toEqual([{ venue_id: venue.venue.id }]);
    // the same venue again is a retry: duplicate, with the time stored (not the time of the retry)
    const retry = await post({ clientId, venueToken: venue.token, people: [{ token }] });
    expect(retry.statusCode).toBe(200);
    expect(retry.json().results[0]).toMatchObject({ status: 'duplicate', at: first.json().results[0].at, venue: { name: 'Chợ Vinh' } });
  });

  it('rejects only that item of a gate batch, naming the stored venue', async () => {
    const operator = await t.login('vaccination_staff', '40'); // gate staff of the area
    const clientId = uuid();
    const a = await post({ clientId, venueToken: venue.token, people: [{ ...form({ phone: '0912000011' }), communeCode: c.a }] });
    const token = a.json().results[0].people[0].token as string;
    const batch = await post({ items: [{ clientId, entranceId: venue2.entrances[0]!.id, people: [{ token }] }, { clientId: uuid(), entranceId: venue2.entrances[0]!.id, people: [{ token }] }] }, operator.headers);
    expect(batch.statusCode, batch.body).toBe(200);
    const [bad, ok] = batch.json().results;
    expect(bad).toMatchObject({ status: 'rejected', venue: { name: 'Chợ Vinh' }, error: { code: 'CLIENT_ID_REUSED', path: 'body.items.0.clientId' } });
    expect(ok.status).toBe('created');
  });
});

describe('device tokens (item 3)', () => {
  const status = (tokens: string[], checkinClientIds?: string[]) =>
    t.app.inject({ method: 'POST', url: '/api/checkin/people', payload: { tokens, ...(checkinClientIds && { checkinClientIds }) } }).then((r) => {
      expect(r.statusCode, r.body).toBe(200);
      return r.json().people as { valid: boolean; name: string | null; openCheckin: { venueName: string } | null }[];
    });
  const checkIn = (token: string, venueToken = venue.token) => post({ clientId: uuid(), venueToken, people: [{ token }] });

  it('tell the current stay only to the phone that started it, never to a token got by typing the same details', async () => {
    const details = { ...form({ fullName: 'Hoàng Thị Mơ', phone: '0912000020', birthYear: 1990 }), communeCode: c.a };
    const stay = uuid();
    const victim = await post({ clientId: stay, venueToken: venue2.token, people: [details] });
    expect(victim.statusCode, victim.body).toBe(201);
    const victimToken = victim.json().results[0].people[0].token as string;

    // a stranger types the same details on the check-in form of another venue (anonymous form, the one way to get a token)
    now = new Date(now.getTime() + 60_000);
    const stranger = await post({ clientId: uuid(), venueToken: venue.token, people: [{ ...details, fullName: 'hoang thi mo' }] });
    const strangerToken = stranger.json().results[0].people[0].token as string;
    expect(strangerToken).not.toBe(victimToken);
    // … which checked the "person" in at the stranger's venue; put the victim back where they are
    now = new Date(now.getTime() + 60_000);
    const back = uuid();
    expect((await post({ clientId: back, venueToken: venue2.token, people: [{ token: victimToken }] })).statusCode).toBe(201);

    const [seen] = await status([strangerToken], [uuid(), stranger.json().results[0].clientId]);
    expect(seen).toMatchObject({ valid: true, openCheckin: null });
    // the stranger cannot end the victim's stay, nor learn from the answer whether there is one
    const noProof = await t.app.inject({ method: 'POST', url: '/api/checkouts', payload: { clientId: uuid(), people: [{ token: strangerToken }] } });
    expect(noProof.statusCode).toBe(400);
    expect(noProof.json().error.details[0].path).toBe('body.checkinClientId');
    const guess = await t.app.inject({ method: 'POST', url: '/api/checkouts', payload: { clientId: uuid(), people: [{ token: strangerToken }], checkinClientId: uuid() } });
    expect(guess.statusCode).toBe(409);
    expect(guess.json().error.code).toBe('NO_OPEN_CHECKIN');

    // the victim's phone knows its check-in
    const [own] = await status([victimToken], [back]);
    expect(own.openCheckin?.venueName).toBe('Siêu thị Vinh');
    const out = await t.app.inject({ method: 'POST', url: '/api/checkouts', payload: { clientId: uuid(), people: [{ token: victimToken }], checkinClientId: back } });
    expect(out.statusCode, out.body).toBe(200);
  });

  it(`expire after ${30} days without use (VIGIL_DEVICE_TOKEN_IDLE_DAYS), and tokens from before device expiry are refused`, async () => {
    expect(t.config.deviceTokenIdleDays).toBe(30);
    const first = await post({ clientId: uuid(), venueToken: venue.token, people: [{ ...form({ fullName: 'Bùi Văn Khoa', phone: '0912000021' }), communeCode: c.a }] });
    const token = first.json().results[0].people[0].token as string;
    now = new Date(now.getTime() + 29 * 86400_000);
    expect((await checkIn(token)).statusCode).toBe(201); // used: 30 more days
    now = new Date(now.getTime() + 29 * 86400_000);
    expect((await checkIn(token)).statusCode).toBe(201);
    now = new Date(now.getTime() + 31 * 86400_000);
    const idle = await checkIn(token);
    expect(idle.statusCode).toBe(410);
    expect(idle.json().error).toMatchObject({ code: 'PERSON_TOKEN_EXPIRED', details: [{ path: 'body.people.0.token' }] });
    expect((await status([token]))[0]!.valid).toBe(false);

    const legacy = signMac(t.app.vigil.keys, 'p', { p: first.json().results[0].people[0].personId });
    expect((await checkIn(legacy)).statusCode).toBe(410);
  });

  it('are revoked at once by the phone itself, by the citizen’s account and by an officer of the area only', async () => {
    const issue = async (phone: string) => {
      const r = await post({ clientId: uuid(), venueToken: venue.token, people: [{ ...form({ fullName: 'Cao Văn Lâm', phone }), communeCode: c.a }] });
      return { token: r.json().results[0].people[0].token as string, personId: r.json().results[0].people[0].personId as string };
    };

    // the phone forgets the person: that token ends, the person's other phones do not
    const a = await issue('0912000030');
    const b = await issue('0912000030');
    expect(b.personId).toBe(a.personId);
    expect((await t.app.inject({ method: 'POST', url: '/api/devices/forget', payload: { token: a.token } })).statusCode).toBe(204);
    expect((await t.app.inject({ method: 'POST', url: '/api/devices/forget', payload: { token: 'garbage' } })).statusCode).toBe(204);
    expect((await checkIn(a.token)).statusCode).toBe(410);
    expect((await checkIn(b.token)).statusCode).toBe(201);

    // an officer ends every phone of a person in their area; nobody else may
    const url = `/api/people/${a.personId}/devices/revoke`;
    expect((await t.app.inject({ method: 'POST', url })).statusCode).toBe(401);
    const citizen = await t.login('citizen', '40');
    expect((await t.app.inject({ method: 'POST', url, headers: citizen.headers })).statusCode).toBe(403);
    const operator = await t.login('venue_operator', '40');
    expect((await t.app.inject({ method: 'POST', url, headers: operator.headers })).statusCode).toBe(403);
    const hanoi = await t.login('cdc_officer', '01');
    expect((await t.app.inject({ method: 'POST', url, headers: hanoi.headers })).statusCode).toBe(403);
    const area = await t.login('commune_officer', c.a);
    expect((await t.app.inject({ method: 'POST', url: `/api/people/${uuid()}/devices/revoke`, headers: area.headers })).statusCode).toBe(404);
    const revoked = await t.app.inject({ method: 'POST', url, headers: area.headers });
    expect(revoked.statusCode, revoked.body).toBe(200);
    expect(revoked.json().revoked).toBe(1);
    expect((await checkIn(b.token)).statusCode).toBe(410);

    // a citizen ends every phone of their household from their account
    const person = { fullName: 'Cao Thị Mai', phone: '0912000031', birthYear: 1985, communeCode: c.a };
    const reg = await t.app.inject({ method: 'PUT', url: '/api/me/person', headers: citizen.headers, payload: person });
    expect(reg.statusCode, reg.body).toBe(200);
    const phone = await post({ clientId: uuid(), venueToken: venue.token, people: [person] });
    expect(phone.json().results[0].people[0].personId).toBe(reg.json().person.id);
    expect((await t.app.inject({ method: 'DELETE', url: '/api/me/devices' })).statusCode).toBe(401);
    const mine = await t.app.inject({ method: 'DELETE', url: '/api/me/devices', headers: citizen.headers });
    expect(mine.json()).toEqual({ revoked: 1 });
    expect((await checkIn(phone.json().results[0].people[0].token)).statusCode).toBe(410);
  });
});

describe('VIGIL_DEVICE_TOKEN_IDLE_DAYS', () => {
  it('sets the idle limit, 30 by default; a bad value stops the program naming the variable', async () => {
    const { loadConfig, ConfigError } = await import('../../config');
    expect(loadConfig({}).deviceTokenIdleDays).toBe(30);
    expect(loadConfig({ VIGIL_DEVICE_TOKEN_IDLE_DAYS: '7' }).deviceTokenIdleDays).toBe(7);
    expect(() => loadConfig({ VIGIL_DEVICE_TOKEN_IDLE_DAYS: '0' })).toThrow(ConfigError);
    expect(() => loadConfig({ VIGIL_DEVICE_TOKEN_IDLE_DAYS: 'a month' })).toThrow(/VIGIL_DEVICE_TOKEN_IDLE_DAYS/);
  });
});
