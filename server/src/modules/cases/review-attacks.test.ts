// Attacks found in the review of cases, contacts, follow-ups and places (session 6): each test fails without its fix.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testContext, type LoggedIn, type TestContext } from '../../../test/helpers';
import { scenario, type Scenario } from './test-fixtures';

let t: TestContext;
let s: Scenario;
const now = new Date('2021-08-12T05:00:00Z');
let cdc: LoggedIn;
let caseCode: string;
let caseId: string;

const send = (url: string, who: LoggedIn | null, payload?: unknown) => t.app.inject({ method: 'POST', url, headers: who?.headers ?? {}, payload: (payload ?? {}) as object });
const get = (url: string, who: LoggedIn | null) => t.app.inject({ method: 'GET', url, headers: who?.headers ?? {} });
const upload = (body: string, who: LoggedIn) => t.app.inject({ method: 'POST', url: '/api/contacts/import', headers: { ...who.headers, 'content-type': 'text/csv' }, payload: body });
const contactsOfCase = async () =>
  (await get(`/api/cases/${caseId}/contacts`, cdc)).json().items as { person: { id: string; fullName: string }; level: number }[];

beforeAll(async () => {
  t = await testContext({ clock: () => now });
  s = await scenario(t.db);
  cdc = await t.login('cdc_officer', '40');
  const f0 = await s.person('Ca Gốc Rà Soát');
  const res = await send('/api/cases', cdc, { personId: f0, confirmedAt: '2021-08-11T03:00:00Z', source: 'community' });
  expect(res.statusCode, res.body).toBe(201);
  caseCode = res.json().case.code;
  caseId = res.json().case.id;
  await t.events.settled();
});
afterAll(() => t?.close());

describe('contact lists against typed-in details of someone else', () => {
  it('an F1 list naming a national ID does not land on a dependant a citizen typed with that ID', async () => {
    const attacker = await t.login('citizen', '40', { personId: await s.person('Kẻ Tò Mò Một') });
    const victim = { fullName: 'Nạn Nhân Ba', nationalId: '040085009101', birthDate: '1985-06-07', sex: 'male', communeCode: s.commune };
    const dep = await send('/api/me/dependants', attacker, { person: { ...victim, phone: '0913000911' }, relationship: 'other' });
    expect(dep.statusCode, dep.body).toBe(201);
    const depId = dep.json().items[0].id as string;
    const csv = ['full_name,phone,national_id,address,relation,last_exposure_date,case_code', `${victim.fullName},0913000912,${victim.nationalId},Số 1,workplace,2021-08-10,${caseCode}`].join('\n');
    const r = await upload(csv, cdc);
    expect(r.json()).toMatchObject({ imported: 1, review: 0, errors: [] });
    const c = (await contactsOfCase()).find((k) => k.person.fullName === victim.fullName)!;
    expect(c).toBeTruthy();
    expect(c.person.id).not.toBe(depId);
  });

  it('an F1 list naming a phone and name does not land on (nor offer for review) a record a citizen typed', async () => {
    const attacker = await t.login('citizen', '40', { personId: await s.person('Kẻ Tò Mò Hai') });
    const dep = await send('/api/me/dependants', attacker, { person: { fullName: 'Nạn Nhân Bốn', phone: '0913000921', birthDate: '1990-01-02', sex: 'female', communeCode: s.commune }, relationship: 'other' });
    expect(dep.statusCode, dep.body).toBe(201);
    const depId = dep.json().items[0].id as string;
    const dep2 = await send('/api/me/dependants', attacker, { person: { fullName: 'Nạn Nhân Năm', phone: '0913000922', birthDate: '1991-01-02', sex: 'male', communeCode: s.commune }, relationship: 'other' });
    const dep2Id = dep2.json().items[0].id as string;
    // same phone and name as one record: would have matched it; the phone of the other under another name: would have offered it for review
    const csv = [
      'full_name,phone,national_id,address,relation,last_exposure_date,case_code',
      `Nạn Nhân Bốn,0913000921,,Số 2,household,2021-08-10,${caseCode}`,
      `Người Khác Hẳn,0913000922,,Số 2,household,2021-08-10,${caseCode}`,
    ].join('\n');
    const r = await upload(csv, cdc);
    expect(r.json()).toMatchObject({ imported: 2, review: 0, errors: [] });
    const ids = (await contactsOfCase()).map((k) => k.person.id);
    expect(ids).not.toContain(depId);
    expect(ids).not.toContain(dep2Id);
    const reviews = (await get('/api/contact-reviews', cdc)).json().items as { candidates: { id: string }[] }[];
    expect(reviews.flatMap((i) => i.candidates.map((c) => c.id))).not.toContain(dep2Id);
  });
});

describe('the contact review list across provinces and against typed-in records', () => {
  const reviewsOf = async (who: LoggedIn) => (await get('/api/contact-reviews', who)).json().items as { id: string; line: { full_name: string }; candidates: { id: string; fullName: string }[]; elsewhere: { provinceCode: string; provinceName: string; count: number }[] }[];
  /** a review item as one stored before the list checked its candidates (any ids) */
  const storedItem = async (name: string, candidateIds: string[]) =>
    (
      await t.db
        .insertInto('contact_import_reviews')
        .values({ case_id: caseId, line: JSON.stringify({ full_name: name, phone: '+84913000999', national_id: '', address: '', relation: 'household', last_exposure_date: '2021-08-10', commune_code: s.commune, level: '1' }), line_key: `old-${name}`, candidate_ids: candidateIds, reason: 'this phone belongs to someone with another name', unit_code: s.commune, created_by: null })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
  /** a Hà Nội commune when the test geography has one, else the province itself */
  const hanoiUnit = async () => (await t.db.selectFrom('admin_units').select('code').where('path', 'like', '/VN/01/%').where('level', '=', 'commune').executeTakeFirst())?.code ?? '01';
  const contactIds = async () => (await contactsOfCase()).map((k) => k.person.id);

  it("shows a phone's holder in another province only as 'a record in province X', never name, birth year or commune", async () => {
    const hnCommune = await hanoiUnit();
    const far = await s.person('Đỗ Thị Hà Xa', { commune: hnCommune, phone: '+84913000931' });
    await t.db.updateTable('persons').set({ birth_year: 1977 }).where('id', '=', far).execute();
    const near = await s.person('Lò Văn Gần', { phone: '+84913000931' });
    const csv = ['full_name,phone,national_id,address,relation,last_exposure_date,case_code', `Người Dò Số,0913000931,,Số 3,household,2021-08-10,${caseCode}`].join('\n');
    expect((await upload(csv, cdc)).json()).toMatchObject({ review: 1, errors: [] });
    const res = await get('/api/contact-reviews', cdc);
    expect(res.statusCode, res.body).toBe(200);
    const item = (res.json().items as Awaited<ReturnType<typeof reviewsOf>>).find((i) => i.line.full_name === 'Người Dò Số')!;
    expect(item.candidates.map((c) => c.id)).toEqual([near]);
    expect(item.elsewhere).toEqual([{ provinceCode: '01', provinceName: expect.any(String), count: 1 }]);
    expect(res.body).not.toContain('Đỗ Thị Hà Xa');
    expect(res.body).not.toContain(far);
    expect(res.body).not.toContain('1977');
    // nor can it be picked by its id (known some other way): the resolve route re-checks the area
    const pick = await send(`/api/contact-reviews/${item.id}/resolve`, cdc, { personId: far });
    expect(pick.statusCode, pick.body).toBe(403);
    expect(await contactIds()).not.toContain(far);
    // the one in the officer's area is picked as before
    const ok = await send(`/api/contact-reviews/${item.id}/resolve`, cdc, { personId: near });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(await contactIds()).toContain(near);
  });

  it('an item stored before the fix that names a citizen-typed record: not listed, and refused at resolve time', async () => {
    const attacker = await t.login('citizen', '40', { personId: await s.person('Kẻ Tò Mò Ba') });
    const dep = await send('/api/me/dependants', attacker, { person: { fullName: 'Nạn Nhân Sáu', phone: '0913000941', birthDate: '1992-03-04', sex: 'female', communeCode: s.commune }, relationship: 'other' });
    expect(dep.statusCode, dep.body).toBe(201);
    const depId = dep.json().items[0].id as string;
    const id = await storedItem('Tên Trên Danh Sách', [depId]);
    const item = (await reviewsOf(cdc)).find((i) => i.id === id)!;
    expect(item.candidates).toEqual([]);
    expect(item.elsewhere).toEqual([]);
    const pick = await send(`/api/contact-reviews/${id}/resolve`, cdc, { personId: depId });
    expect(pick.statusCode, pick.body).toBe(400);
    expect(pick.json().error.details[0].path).toBe('body.personId');
    expect(await contactIds()).not.toContain(depId);
    // the item stays to be resolved as a new person
    expect((await send(`/api/contact-reviews/${id}/resolve`, cdc, { personId: null })).statusCode).toBe(200);
  });

  it('an item stored before the fix that names a record in another province: refused at resolve time', async () => {
    const hnCommune = await hanoiUnit();
    const far = await s.person('Bùi Văn Tỉnh Khác', { commune: hnCommune });
    const id = await storedItem('Tên Khác Nữa', [far]);
    const pick = await send(`/api/contact-reviews/${id}/resolve`, cdc, { personId: far });
    expect(pick.statusCode, pick.body).toBe(403);
    expect(await contactIds()).not.toContain(far);
  });
});

describe('camera stream URLs', () => {
  it('lists show a camera URL without its password (readers of the place, the down list, the one who added it)', async () => {
    const place = await send('/api/places', cdc, { name: 'Khu cách ly Rà Soát', kind: 'concentrated', communeCode: s.commune, capacity: 10 });
    expect(place.statusCode, place.body).toBe(201);
    const cam = await send(`/api/places/${place.json().id}/cameras`, cdc, { name: 'Cổng', streamUrl: 'rtsp://admin:Secr3t!pw@cam.example.org:554/live?channel=1' });
    expect(cam.statusCode, cam.body).toBe(201);
    expect(cam.json().streamUrl).toBe('rtsp://admin:•••@cam.example.org:554/live?channel=1');
    const tracer = await t.login('contact_tracer', '40');
    const read = await get(`/api/places/${place.json().id}`, tracer);
    expect(read.statusCode, read.body).toBe(200);
    expect(read.body).not.toContain('Secr3t');
    await t.db.updateTable('place_cameras').set({ last_probe_ok: false, last_probe_reason: 'timeout' } as never).where('id', '=', cam.json().id).execute();
    const down = await get('/api/cameras/down', tracer);
    expect(down.json().items.map((c: { name: string }) => c.name)).toContain('Cổng');
    expect(down.body).not.toContain('Secr3t');
  });
});

describe('phone numbers in lists', () => {
  it('are masked for roles that do not call people (a CDC officer), full for those who do (a tracer)', async () => {
    const tracer = await t.login('contact_tracer', '40');
    const phonesOf = async (url: string, who: LoggedIn, pick: (j: { items: Record<string, unknown>[] }) => (string | null)[]) => {
      const r = await get(url, who);
      expect(r.statusCode, r.body).toBe(200);
      return pick(r.json()).filter((p): p is string => !!p);
    };
    const contactPhones = (j: { items: Record<string, unknown>[] }) => j.items.map((c) => (c.person as { phone: string | null }).phone);
    const gridPhones = (j: { items: Record<string, unknown>[] }) => j.items.map((c) => c.phone as string | null);
    for (const [url, pick] of [
      ['/api/contacts?status=monitoring', contactPhones],
      [`/api/cases/${caseId}/contacts`, contactPhones],
      ['/api/cases', contactPhones],
      ['/api/followups/grid', gridPhones],
    ] as const) {
      const masked = await phonesOf(url, cdc, pick);
      expect(masked.length, url).toBeGreaterThan(0);
      for (const p of masked) expect(p, url).toMatch(/^•+\d{3}$/);
      for (const p of await phonesOf(url, tracer, pick)) expect(p, url).toMatch(/^\+84\d{9}$/);
    }
  });
});

describe('the F1/F2 Excel export', () => {
  it('carries full phones only with a reason, written to the audit log; masked phones need none', async () => {
    const tracer = await t.login('contact_tracer', '40');
    const none = await get('/api/contacts/export.xlsx', tracer);
    expect(none.statusCode).toBe(400);
    expect(none.json().error).toMatchObject({ code: 'REASON_REQUIRED', details: [{ path: 'query.reason' }] });
    const ok = await get(`/api/contacts/export.xlsx?reason=${encodeURIComponent('gọi F1 hằng ngày')}`, tracer);
    expect(ok.statusCode, ok.body).toBe(200);
    const row = await t.db.selectFrom('audit_log').select(['reason', 'details']).where('action', '=', 'contacts.export').orderBy('at', 'desc').executeTakeFirstOrThrow();
    expect(row.reason).toBe('gọi F1 hằng ngày');
    expect(JSON.stringify(row.details)).toContain('phone');
    // a CDC officer's export masks the phones: no reason asked
    expect((await get('/api/contacts/export.xlsx', cdc)).statusCode).toBe(200);
  });
});
