// Found by the review: an officer of one province must not move anyone into another province's quarantine or
// isolation place (it fills that place's capacity and shows their person in its occupant list), and venue
// operators must not get exact case stay times from exposure notices (they could match them to their gate log).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testContext, type LoggedIn, type TestContext } from '../../../test/helpers';
import { scenario, type Scenario } from './test-fixtures';

let t: TestContext;
let s: Scenario;
const now = new Date('2021-08-11T05:00:00Z');
let cdc: LoggedIn;
let hanoi: LoggedIn;
let naPlace: string;
let hnCase: string;
let hnContact: string;

const send = (method: 'GET' | 'POST' | 'PATCH', url: string, who: LoggedIn | null, payload?: unknown) =>
  t.app.inject({ method, url, headers: who?.headers ?? {}, ...(payload !== undefined && { payload: payload as object }) });

beforeAll(async () => {
  t = await testContext({ clock: () => now });
  s = await scenario(t.db);
  cdc = await t.login('cdc_officer', '40');
  hanoi = await t.login('cdc_officer', '01');
  const hnUnit = (await t.db.selectFrom('admin_units').select('code').where('path', 'like', '/VN/01/%').where('level', '=', 'commune').executeTakeFirst())?.code ?? '01';
  const place = await send('POST', '/api/places', cdc, { name: 'KTX cách ly', kind: 'concentrated', communeCode: s.commune, capacity: 2 });
  expect(place.statusCode, place.body).toBe(201);
  naPlace = place.json().id;
  // a Hà Nội case with a Hà Nội contact, all inside Hà Nội's own jurisdiction
  const f0 = await s.person('Ngô Văn Hà', { commune: hnUnit });
  const f1 = await s.person('Vũ Thị Nội', { commune: hnUnit });
  const c = await send('POST', '/api/cases', hanoi, { personId: f0, confirmedAt: '2021-08-11T03:00:00Z', source: 'community' });
  expect(c.statusCode, c.body).toBe(201);
  hnCase = c.json().case.id;
  const ct = await send('POST', `/api/cases/${hnCase}/contacts`, hanoi, { personId: f1, relation: 'household', lastExposureDate: '2021-08-10' });
  expect(ct.statusCode, ct.body).toBe(201);
  hnContact = ct.json().items[0].id;
});
afterAll(async () => {
  await t?.close();
});

const occupied = async () => (await send('GET', `/api/places/${naPlace}`, cdc)).json().place.occupied as number;

describe("another province's quarantine places", () => {
  it('a Hà Nội officer cannot put their contacts into a Nghệ An place by a bulk action', async () => {
    const res = await send('POST', '/api/contacts/bulk', hanoi, { ids: [hnContact], action: 'place', placeId: naPlace });
    expect(res.statusCode, res.body).toBe(403);
    expect(await occupied()).toBe(0);
  });

  it('a Hà Nội officer cannot set a Nghệ An place as their case\'s isolation place', async () => {
    const res = await send('PATCH', `/api/cases/${hnCase}`, hanoi, { placeId: naPlace });
    expect(res.statusCode, res.body).toBe(403);
    const c = await t.db.selectFrom('cases').select('place_id').where('id', '=', hnCase).executeTakeFirstOrThrow();
    expect(c.place_id).toBeNull();
  });

  it('a Hà Nội officer cannot confirm a case straight into a Nghệ An place', async () => {
    const hnUnit = (await t.db.selectFrom('cases').select('commune_code').where('id', '=', hnCase).executeTakeFirstOrThrow()).commune_code;
    const p = await s.person('Đinh Văn Khác', { commune: hnUnit });
    const res = await send('POST', '/api/cases', hanoi, { personId: p, confirmedAt: '2021-08-11T03:00:00Z', source: 'community', isolation: 'facility', placeId: naPlace });
    expect(res.statusCode, res.body).toBe(403);
    expect(await t.db.selectFrom('cases').select('id').where('person_id', '=', p).executeTakeFirst()).toBeUndefined();
  });

  it("the place's own province still can", async () => {
    const na0 = await s.person('Cao Văn Nghệ');
    const nc = await send('POST', '/api/cases', cdc, { personId: na0, confirmedAt: '2021-08-11T03:00:00Z', source: 'community' });
    const res = await send('PATCH', `/api/cases/${nc.json().case.id}`, cdc, { placeId: naPlace });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().case.place.id).toBe(naPlace);
  });
});

describe('exposure notices', () => {
  it("show half-hour windows, not the case's exact check-in and check-out seconds", async () => {
    const f0 = await s.person('Lương Văn Tám');
    const v = await s.venue('QUANCOM', 60);
    await s.stay(f0, v, '2021-08-10T02:07:13.517Z', '2021-08-10T02:52:41.204Z');
    const op = await t.login('venue_operator', '40');
    await t.db.insertInto('venue_operators').values({ user_id: op.id, venue_id: v }).execute();
    const c = await send('POST', '/api/cases', cdc, { personId: f0, confirmedAt: '2021-08-11T03:00:00Z', onsetDate: '2021-08-10', source: 'community' });
    expect(c.statusCode, c.body).toBe(201);
    await t.events.settled();
    for (const [url, who] of [['/api/exposure-notices', op], ['/api/public/exposure-notices', null]] as const) {
      const items = (await send('GET', url, who)).json().items.filter((n: { venueId: string }) => n.venueId === v);
      expect(items.map((n: { from: string; to: string }) => [n.from, n.to]), url).toEqual([['2021-08-10T02:00:00.000Z', '2021-08-10T03:00:00.000Z']]);
    }
  });
});

describe('case timeline', () => {
  it("tells a check-in's length of stay, not raw UTC instants an officer would read as local times", async () => {
    const f0 = await s.person('Kiều Văn Mười');
    const v = await s.venue('SIEUTHI', 60);
    await s.stay(f0, v, '2021-08-10T02:07:00Z', '2021-08-10T02:52:00Z');
    const c = await send('POST', '/api/cases', cdc, { personId: f0, confirmedAt: '2021-08-11T03:00:00Z', onsetDate: '2021-08-10', source: 'community' });
    const items = (await send('GET', `/api/cases/${c.json().case.id}/timeline`, cdc)).json().items as { kind: string; at: string; detail: string }[];
    const checkin = items.find((i) => i.kind === 'checkin')!;
    expect(checkin.at).toBe('2021-08-10T02:07:00.000Z');
    expect(checkin.detail).toMatch(/^SIEUTHI-\d+ · 45′$/);
  });

  it('names the venue (name and code) of a declaration made there, and the form kind, not a bare form code', async () => {
    const f0 = await s.person('Kiều Thị Khai');
    const v = await s.venue('BENHVIEN', 60);
    const code = (await t.db.selectFrom('venues').select('code').where('id', '=', v).executeTakeFirstOrThrow()).code;
    await s.declareAt(f0, v, '2021-08-10T04:00:00Z');
    const c = await send('POST', '/api/cases', cdc, { personId: f0, confirmedAt: '2021-08-11T03:00:00Z', onsetDate: '2021-08-10', source: 'community' });
    const items = (await send('GET', `/api/cases/${c.json().case.id}/timeline`, cdc)).json().items as { kind: string; title: string; venue?: { name: string; code: string } }[];
    const d = items.find((i) => i.kind === 'declaration')!;
    expect(d).toMatchObject({ title: 'venue', venue: { name: 'Venue BENHVIEN', code } });
  });
});
