// Saved-filter campaigns over the cases module's data (F1/F2 of a commune under monitoring; everyone at an exposure
// notice's venue in its window), dry run first; uploaded lists scoped to the officer's jurisdiction; refusals.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testContext, type LoggedIn, type TestContext } from './helpers';
import { scenario, type Scenario } from '../src/modules/cases/test-fixtures';

let t: TestContext;
let s: Scenario;
const now = new Date('2021-08-11T05:00:00Z');
let cdc: LoggedIn;
let hanoi: LoggedIn;
const P: Record<string, string> = {};
const phone: Record<string, string> = {};
let hanoiCommune: string;

const send = (who: LoggedIn | null, payload: object) => t.app.inject({ method: 'POST', url: '/api/messaging/campaigns', headers: who?.headers ?? {}, payload });
const text = { name: 'Cảnh báo', textVi: 'Vigil: {name} hay o nha va goi 1900 9095 neu sot.' };

beforeAll(async () => {
  t = await testContext({ clock: () => now });
  s = await scenario(t.db);
  // the deepest Hà Nội unit the test geography has (the demo geography details Nghệ An only)
  hanoiCommune = (await t.db.selectFrom('admin_units').select('code').where('path', 'like', '/VN/01%').orderBy('depth', 'desc').orderBy('code').executeTakeFirstOrThrow()).code;
  P.F0 = await s.person('Trần Văn Ca');
  P.A = await s.person('Lê Thị A'); // commune A
  P.B = await s.person('Phạm Văn B', { commune: s.otherCommune });
  P.H = await s.person('Nguyễn Hà Nội', { commune: hanoiCommune });
  for (const [k, id] of Object.entries(P)) phone[k] = (await t.db.selectFrom('persons').select('phone').where('id', '=', id).executeTakeFirstOrThrow()).phone!;
  const V = await s.venue('CHO', 60);
  await s.stay(P.F0!, V, '2021-08-10T02:00:00Z', '2021-08-10T03:00:00Z');
  await s.stay(P.A!, V, '2021-08-10T02:30:00Z', '2021-08-10T03:30:00Z');
  await s.stay(P.B!, V, '2021-08-10T02:45:00Z', '2021-08-10T03:15:00Z');
  cdc = await t.login('cdc_officer', '40');
  hanoi = await t.login('cdc_officer', '01');
  const c = await t.app.inject({ method: 'POST', url: '/api/cases', headers: cdc.headers, payload: { personId: P.F0, confirmedAt: '2021-08-11T03:00:00Z', onsetDate: '2021-08-10', source: 'community' } });
  expect(c.statusCode, c.body).toBe(201);
  await t.events.settled();
});
afterAll(async () => {
  await t?.close();
});

describe('saved-filter campaigns', () => {
  it('the F1/F2 of a commune under monitoring: dry run count and sample, then sent', async () => {
    const body = { ...text, unitCode: s.commune, source: { kind: 'commune_contacts', communeCode: s.commune } };
    const dry = await send(cdc, { ...body, dryRun: true });
    expect(dry.statusCode, dry.body).toBe(200);
    expect(dry.json()).toMatchObject({ count: 1, optedOut: 0, invalidCount: 0 });
    expect(dry.json().sample).toEqual([{ phone: expect.stringMatching(/^•+\d{3}$/), text: 'Vigil: Lê Thị A hay o nha va goi 1900 9095 neu sot.', parts: expect.any(Number) }]);
    const other = await send(cdc, { ...body, unitCode: s.otherCommune, source: { kind: 'commune_contacts', communeCode: s.otherCommune, levels: [1] }, dryRun: true });
    expect(other.json().count).toBe(1); // B
    const sent = await send(cdc, body);
    expect(sent.statusCode, sent.body).toBe(201);
    const rows = await t.db.selectFrom('notifications').select(['recipient', 'person_id']).where('campaign_id', '=', sent.json().id).execute();
    expect(rows).toEqual([{ recipient: phone.A, person_id: P.A }]);
  });

  it('everyone at an exposure notice’s venue in its window', async () => {
    const notices = (await t.app.inject({ method: 'GET', url: '/api/exposure-notices', headers: cdc.headers })).json().items as { id: string }[];
    expect(notices.length).toBe(1);
    const dry = await send(cdc, { ...text, unitCode: s.commune, source: { kind: 'exposure_notice', noticeId: notices[0]!.id }, dryRun: true });
    expect(dry.statusCode, dry.body).toBe(200);
    expect(dry.json().count).toBe(3); // the case, A and B were there
    const unknown = await send(cdc, { ...text, unitCode: s.commune, source: { kind: 'exposure_notice', noticeId: '00000000-0000-4000-8000-000000000000' }, dryRun: true });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error.details[0].path).toBe('body.source.noticeId');
    // another province may not send to this venue's visitors
    expect((await send(hanoi, { ...text, unitCode: '01', source: { kind: 'exposure_notice', noticeId: notices[0]!.id }, dryRun: true })).statusCode).toBe(403);
  });

  it('refuses another province, citizens and no session', async () => {
    const body = { ...text, unitCode: s.commune, source: { kind: 'commune_contacts', communeCode: s.commune }, dryRun: true };
    expect((await send(hanoi, { ...body, unitCode: '01' })).statusCode).toBe(403); // the filter reaches Nghệ An
    expect((await send(await t.login('citizen', '40'), body)).statusCode).toBe(403);
    expect((await send(await t.login('venue_operator', '40'), body)).statusCode).toBe(403);
    expect((await send(null, body)).statusCode).toBe(401);
    expect((await send(cdc, { ...body, source: { kind: 'commune_contacts', communeCode: s.commune, levels: [0] } })).statusCode).toBe(400);
    expect((await send(cdc, { ...body, source: { kind: 'commune_contacts', communeCode: 'x\u0000' } })).statusCode).toBeLessThan(500);
  });
});

describe('uploaded lists are scoped', () => {
  it('a phone of people living outside the officer’s jurisdiction is left out with a per-row error', async () => {
    const fresh = '0987000111'; // unknown to the registry: the officer's own list
    const rows = [{ phone: phone.A! }, { phone: fresh }, { phone: phone.H! }];
    const dry = await send(hanoi, { ...text, unitCode: '01', source: { kind: 'list', rows }, dryRun: true });
    expect(dry.statusCode, dry.body).toBe(200);
    expect(dry.json()).toMatchObject({ count: 2, invalidCount: 1 });
    expect(dry.json().invalid).toEqual([{ row: 1, phone: expect.stringMatching(/^•+\d{3}$/), message: expect.stringMatching(/outside your jurisdiction/) }]);
    const sent = await send(hanoi, { ...text, unitCode: '01', source: { kind: 'list', rows } });
    expect(sent.statusCode, sent.body).toBe(201);
    const to = (await t.db.selectFrom('notifications').select('recipient').where('campaign_id', '=', sent.json().id).execute()).map((r) => r.recipient).sort();
    expect(to).toEqual(['+84987000111', phone.H].sort());
    expect(to).not.toContain(phone.A);
    // the province's own CDC reaches the same phone
    const own = await send(cdc, { ...text, unitCode: '40', source: { kind: 'list', rows: [{ phone: phone.A! }] }, dryRun: true });
    expect(own.json()).toMatchObject({ count: 1, invalidCount: 0 });
  });
});
