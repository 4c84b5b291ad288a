// Attacks found in the review of vaccination + certificates (session 5): each test fails without its fix.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testContext, type LoggedIn, type TestContext } from '../../../test/helpers';
import { vaccWorld, type VaccWorld } from './test-fixtures';

let t: TestContext;
let w: VaccWorld;
const now = new Date('2021-08-02T01:00:00Z');
let staff: LoggedIn;

const send = (url: string, who: LoggedIn | null, payload?: unknown) => t.app.inject({ method: 'POST', url, headers: who?.headers ?? {}, payload: (payload ?? {}) as object });
const get = (url: string, who: LoggedIn | null) => t.app.inject({ method: 'GET', url, headers: who?.headers ?? {} });

beforeAll(async () => {
  t = await testContext({ clock: () => now });
  w = await vaccWorld(t, '2021-08-03');
  staff = await t.login('vaccination_staff', '40');
});
afterAll(() => t?.close());

describe('typed-in details of someone else', () => {
  it('a dependant typed with another person’s ID card does not capture that person’s registration at the desk', async () => {
    const attacker = await t.login('citizen', '40', { personId: await w.person('Kẻ Gian Lận') });
    const victim = { fullName: 'Nạn Nhân Một', nationalId: '040085009001', birthDate: '1985-06-07', sex: 'male', communeCode: w.commune };
    const dep = await send('/api/me/dependants', attacker, { person: { ...victim, phone: '0913000901' }, relationship: 'other' });
    expect(dep.statusCode, dep.body).toBe(201);
    const depId = dep.json().items[0].id as string;
    // the owner of the card comes to the desk without a QR; staff type the card
    const r = await send('/api/vaccination/registrations', staff, { campaignId: w.campaignId, person: { ...victim, phone: '0913000902' } });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json().personId).not.toBe(depId);
    // the attacker's household shows nothing of it
    const book = await get(`/api/vaccination/book/${depId}`, attacker);
    expect(book.statusCode).toBe(200);
    expect(book.json().registrations).toEqual([]);
  });

  it('a sample list naming a national ID does not land on a dependant a citizen typed with that ID (no test result, no test certificate)', async () => {
    const attacker = await t.login('citizen', '40', { personId: await w.person('Kẻ Gian Hai') });
    const victim = { fullName: 'Nạn Nhân Hai', nationalId: '040185009002', birthDate: '1985-06-08', sex: 'female', communeCode: w.commune };
    const dep = await send('/api/me/dependants', attacker, { person: { ...victim, phone: '0913000903' }, relationship: 'other' });
    expect(dep.statusCode, dep.body).toBe(201);
    const sampler = await t.login('commune_officer', w.commune);
    const lab = await t.login('lab_staff', '40');
    expect((await send('/api/testing/points', w.cdc, { code: 'RV-PT', name: 'Trạm lấy mẫu', communeCode: w.commune })).statusCode).toBe(201);
    const csv = ['tube_code,person_national_id,person_phone,person_name,collected_at,site_code,test_type', `RV-1,${victim.nationalId},0913000904,${victim.fullName},2021-08-01T03:00:00Z,RV-PT,rt-pcr`].join('\n');
    const up = await t.app.inject({ method: 'POST', url: '/api/testing/samples/import', headers: { ...sampler.headers, 'content-type': 'text/csv' }, payload: csv });
    expect(up.statusCode, up.body).toBe(200);
    expect(up.json()).toMatchObject({ imported: 1, errors: [] });
    const res = await t.app.inject({ method: 'POST', url: '/api/testing/results/import?name=lab.csv', headers: { ...lab.headers, 'content-type': 'text/csv' }, payload: 'tube_code,result,resulted_at,lab_code\nRV-1,negative,2021-08-01T09:00:00Z,LAB-NA\n' });
    expect(res.json()).toMatchObject({ imported: 1, errors: [] });
    // the attacker's household sees no result and cannot have it certified
    const mine = await get('/api/testing/me/results', attacker);
    expect(mine.statusCode).toBe(200);
    expect(mine.json().people.flatMap((p: { items: unknown[] }) => p.items)).toEqual([]);
    const sample = (await sql<{ id: string }>`select id from samples where tube_code = 'RV-1'`.execute(t.db)).rows[0]!;
    const cert = await send('/api/me/certificates/test', attacker, { sampleId: sample.id });
    expect(cert.statusCode).toBe(404);
  });
});


describe('booking and sessions', () => {
  it('a rebooking into a session of a product the person is too young for is refused, the old seat kept', async () => {
    const teen = await w.person('Em Mười Lăm', { birthDate: '2006-01-01' });
    await w.register(teen);
    const citizen = await t.login('citizen', '40', { personId: teen });
    const booked = await send('/api/vaccination/bookings', citizen, { personId: teen, slotId: w.slots[0], doseNumber: 1 });
    expect(booked.statusCode, booked.body).toBe(201);
    const az = await w.session('2021-08-05', 'EU/1/21/1529'); // Vaxzevria: from 18
    const moved = await send(`/api/vaccination/bookings/${booked.json().ids[0]}/rebook`, citizen, { slotId: az[0] });
    expect(moved.statusCode, moved.body).toBe(400);
    expect(moved.json().error).toMatchObject({ code: 'AGE_LIMIT', details: [{ path: 'body.slotId' }] });
    const row = (await sql<{ status: string }>`select status from vaccination_bookings where id = ${booked.json().ids[0]}`.execute(t.db)).rows[0]!;
    expect(row.status).toBe('booked');
  });

  it('a campaign’s sessions stay inside its area: a site of another district is refused', async () => {
    const district = (await sql<{ parent_code: string }>`select parent_code from admin_units where code = ${w.commune}`.execute(t.db)).rows[0]!.parent_code;
    const c = await send('/api/vaccination/campaigns', w.cdc, { name: 'Chiến dịch huyện', unitCode: district, startsOn: '2021-01-01', endsOn: '2022-12-31', productCodes: ['EU/1/20/1528'], priorityCodes: [] });
    expect(c.statusCode, c.body).toBe(201);
    const site = await send('/api/vaccination/sites', w.cdc, { code: `OT-${process.pid}`, name: 'Trạm y tế huyện khác', address: '1 Trần Phú', communeCode: w.otherCommune, capacityPerHour: 10, openingHours: [{ days: [1, 2, 3, 4, 5, 6, 7], from: '07:30', to: '11:30' }] });
    expect(site.statusCode, site.body).toBe(201);
    const s = await send(`/api/vaccination/campaigns/${c.json().id}/sessions`, w.cdc, { siteId: site.json().id, day: '2021-08-06', productCode: 'EU/1/20/1528' });
    expect(s.statusCode, s.body).toBe(400);
    expect(s.json().error.details[0].path).toBe('body.siteId');
    expect(Number((await sql<{ n: string }>`select count(*) as n from vaccination_sessions where site_id = ${site.json().id}`.execute(t.db)).rows[0]!.n)).toBe(0);
    // inside its area it is made
    expect((await send(`/api/vaccination/campaigns/${c.json().id}/sessions`, w.cdc, { siteId: w.siteId, day: '2021-08-06', productCode: 'EU/1/20/1528' })).statusCode).toBe(201);
  });
});

describe('the desk search for people on file (session 6)', () => {
  const search = (who: LoggedIn | null, q: Record<string, string>) => get(`/api/vaccination/people/search?${new URLSearchParams({ campaignId: w.campaignId, ...q })}`, who);

  it('shows a dependant a citizen typed with a neighbour’s details only marked and without its id: staff cannot pick it as the person', async () => {
    const attacker = await t.login('citizen', '40', { personId: await w.person('Kẻ Gian Ba') });
    const victim = { fullName: 'Nạn Nhân Ba', nationalId: '040185009003', birthDate: '1985-06-09', sex: 'female', communeCode: w.commune };
    const dep = await send('/api/me/dependants', attacker, { person: { ...victim, phone: '0913000905' }, relationship: 'other' });
    expect(dep.statusCode, dep.body).toBe(201);
    const depId = dep.json().items[0].id as string;
    const queries: Record<string, string>[] = [{ nationalId: victim.nationalId }, { phone: '0913000905' }, { fullName: 'nạn nhân ba', birthDate: victim.birthDate }];
    for (const q of queries) {
      const r = await search(staff, q);
      expect(r.statusCode, r.body).toBe(200);
      expect(r.json().items).toEqual([{ id: null, fullName: 'Nạn Nhân Ba', birthYear: 1985, phoneMasked: '••••••••905', nationalIdMasked: '•••••••••003', communeName: expect.any(String), unverified: true, registered: null }]);
      expect(r.body).not.toContain(depId);
      expect(r.body).not.toContain('0913000905');
    }
    // the owner of the card is registered from it: a registry record of their own, which the search then offers first
    const reg = await send('/api/vaccination/registrations', staff, { campaignId: w.campaignId, person: { ...victim, phone: '0913000906' } });
    expect(reg.statusCode, reg.body).toBe(200);
    expect(reg.json().personId).not.toBe(depId);
    const after = (await search(staff, { nationalId: victim.nationalId })).json().items;
    expect(after.map((p: { id: string | null; unverified: boolean; registered: boolean | null }) => [p.id, p.unverified, p.registered])).toEqual([
      [reg.json().personId, false, true],
      [null, true, null],
    ]);
    // the attacker's household still shows nothing of it
    expect((await get(`/api/vaccination/book/${depId}`, attacker)).json().registrations).toEqual([]);
    const audit = (await sql<{ details: { by: string; people: string[]; unverified: number } }>`select details from audit_log where action = 'vaccination.person.search' order by id desc limit 1`.execute(t.db)).rows[0]!;
    expect(audit.details).toMatchObject({ by: 'nationalId', unverified: 1, people: expect.arrayContaining([depId, reg.json().personId]) });
  });

  it('is scoped and refused: another ward’s staff and another province find nothing; no session, a citizen are refused; a name needs the birth date', async () => {
    const p = await w.person('Người Có Hồ Sơ', { nationalId: '040080009004', birthDate: '1980-01-02', phone: '+84913000907' });
    const mine = (await search(staff, { nationalId: '040080009004' })).json().items;
    expect(mine).toEqual([expect.objectContaining({ id: p, unverified: false, registered: false })]);
    const otherWard = await t.login('vaccination_staff', w.otherCommune);
    expect((await search(otherWard, { nationalId: '040080009004' })).json().items).toEqual([]);
    const hanoi = await t.login('cdc_officer', '01');
    expect((await get('/api/vaccination/people/search?phone=0913000907', hanoi)).json().items).toEqual([]);
    expect((await search(null, { nationalId: '040080009004' })).statusCode).toBe(401);
    const citizen = await t.login('citizen', '40', { personId: p });
    expect((await search(citizen, { nationalId: '040080009004' })).statusCode).toBe(403);
    const nameOnly = await search(staff, { fullName: 'Người Có Hồ Sơ' });
    expect(nameOnly.statusCode).toBe(400);
    expect(nameOnly.json().error.details[0].path).toBe('querystring.birthDate');
    expect((await search(staff, {})).statusCode).toBe(400);
    expect((await search(staff, { nationalId: '04008000900x' })).statusCode).toBe(400);
    expect((await search(staff, { phone: 'abc\u0000' })).statusCode).toBe(400);
  });
});
