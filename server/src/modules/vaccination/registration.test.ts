// Registration over HTTP: staff-assisted with typed details (dedup by national ID, never attaching details to another
// person's record), an organisation's Excel list with bad rows reported by line, attackers refused.
import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testContext, type LoggedIn, type TestContext } from '../../../test/helpers';
import { vaccWorld, type VaccWorld } from './test-fixtures';

let t: TestContext;
let w: VaccWorld;
const now = new Date('2021-08-02T01:00:00Z');
let staff: LoggedIn;
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

const send = (url: string, who: LoggedIn | null, payload?: unknown) => t.app.inject({ method: 'POST', url, headers: who?.headers ?? {}, payload: (payload ?? {}) as object });
const persons = async () => Number((await sql<{ n: string }>`select count(*) as n from persons`.execute(t.db)).rows[0]!.n);

beforeAll(async () => {
  t = await testContext({ clock: () => now });
  w = await vaccWorld(t, '2021-08-03');
  staff = await t.login('vaccination_staff', '40');
});
afterAll(() => t?.close());

describe('registration', () => {
  const details = (o: Record<string, unknown> = {}) => ({ fullName: 'Phan Văn Định', nationalId: '040085001111', birthDate: '1985-03-04', sex: 'male', phone: '0913000111', communeCode: w.commune, ...o });

  it('staff register typed details once; the same ID card finds the same record; another name with that ID is refused', async () => {
    const r = await send('/api/vaccination/registrations', staff, { campaignId: w.campaignId, person: details(), priorityCode: 'g07-teachers', occupation: 'teacher' });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json().created).toBe(true);
    const again = await send('/api/vaccination/registrations', staff, { campaignId: w.campaignId, person: details({ phone: '0913999999' }) });
    expect(again.json()).toMatchObject({ personId: r.json().personId, created: false });
    const before = await persons();
    const clash = await send('/api/vaccination/registrations', staff, { campaignId: w.campaignId, person: details({ fullName: 'Kẻ Mạo Danh', phone: '0913222333' }) });
    expect(clash.statusCode).toBe(409);
    expect(clash.json().error).toMatchObject({ code: 'NATIONAL_ID_TAKEN', details: [{ path: 'body.person.nationalId' }] });
    expect(await persons()).toBe(before);
    const bad = await send('/api/vaccination/registrations', staff, { campaignId: w.campaignId, person: details({ nationalId: '12345' }) });
    expect(bad.json().error.details[0].path).toBe('body.person.nationalId');
    const group = await send('/api/vaccination/registrations', staff, { campaignId: w.campaignId, personId: r.json().personId, priorityCode: 'g11-abroad' });
    expect(group.json().error.details[0].path).toBe('body.priorityCode'); // not a group of this campaign
  });

  it('refuses typed details from citizens and registrations outside the staff member’s area', async () => {
    const citizen = await t.login('citizen', '40', { personId: await w.person('Tự Đăng Ký') });
    expect((await send('/api/vaccination/registrations', citizen, { campaignId: w.campaignId, person: details({ nationalId: '040085002222', fullName: 'Ai Đó' }) })).statusCode).toBe(403);
    const hanoi = await t.login('vaccination_staff', '01');
    expect((await send('/api/vaccination/registrations', hanoi, { campaignId: w.campaignId, person: details({ nationalId: '040085003333' }) })).statusCode).toBe(403);
    expect((await send('/api/vaccination/registrations', null, { campaignId: w.campaignId, personId: w.siteId })).statusCode).toBe(401);
    expect((await send('/api/vaccination/registrations', await t.login('venue_operator', '40'), { campaignId: w.campaignId, personId: await w.person('X') })).statusCode).toBe(403);
  });

  it('a ward’s staff register their own people into the province’s campaign (typed and by list), no one else’s', async () => {
    const ward = await t.login('vaccination_staff', w.commune);
    const own = await send('/api/vaccination/registrations', ward, { campaignId: w.campaignId, person: details({ nationalId: '040085007777', fullName: 'Người Trong Phường', phone: '0913000777' }) });
    expect(own.statusCode, own.body).toBe(200);
    const other = await send('/api/vaccination/registrations', ward, { campaignId: w.campaignId, person: details({ nationalId: '040085008888', fullName: 'Người Phường Khác', phone: '0913000888', communeCode: w.otherCommune }) });
    expect(other.statusCode).toBe(403);
    // a campaign that does not cover the person's commune
    const cdc = await t.login('cdc_officer', '40');
    const elsewhere = await send('/api/vaccination/campaigns', cdc, { name: 'Đợt ở phường khác', unitCode: w.otherCommune, startsOn: '2021-01-01', endsOn: '2021-12-31', productCodes: ['EU/1/20/1528'], priorityCodes: [] });
    expect(elsewhere.statusCode, elsewhere.body).toBe(201);
    const wrong = await send('/api/vaccination/registrations', staff, { campaignId: elsewhere.json().id, person: details({ nationalId: '040085009999', fullName: 'Sai Chiến Dịch', phone: '0913000999' }) });
    expect(wrong.json().error.details[0].path).toBe('body.campaignId');
    // the list: the ward's row registered, the other ward's row refused by line
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('dang-ky-tiem');
    ws.addRow(['full_name', 'national_id', 'birth_date', 'sex', 'phone', 'commune_code']);
    ws.addRow(['Công Nhân Một', '040090007001', '1990-01-01', 'M', '0913007001', w.commune]);
    ws.addRow(['Công Nhân Hai', '040090007002', '1990-01-01', 'M', '0913007002', w.otherCommune]);
    const r = await t.app.inject({ method: 'POST', url: `/api/vaccination/campaigns/${w.campaignId}/registrations/import?organisation=Xuong`, headers: { ...ward.headers, 'content-type': XLSX }, payload: Buffer.from(await wb.xlsx.writeBuffer()) });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toMatchObject({ total: 2, registered: 1, errors: [{ line: 3, path: 'line 3.commune_code' }] });
    // the other ward's campaign: outside this ward, refused
    const refused = await t.app.inject({ method: 'POST', url: `/api/vaccination/campaigns/${elsewhere.json().id}/registrations/import?organisation=Xuong`, headers: { ...ward.headers, 'content-type': XLSX }, payload: Buffer.from(await wb.xlsx.writeBuffer()) });
    expect(refused.statusCode).toBe(403);
  });

  it('imports an organisation list: good rows registered, bad rows listed by line, nothing attached to another record', async () => {
    const tpl = await t.app.inject({ method: 'GET', url: '/api/vaccination/registrations/template.xlsx', headers: staff.headers });
    expect(tpl.statusCode).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(tpl.rawPayload as unknown as ArrayBuffer);
    const ws = wb.worksheets[0]!;
    ws.spliceRows(2, 1); // drop the example
    const rows = [
      ['Lê Thị Giáo', '040190004444', '1990-01-02', 'F', '0914000444', w.commune, '', 'teacher', 'g07-teachers'],
      ['Hồ Văn Hai', '040190004444', '1990-01-02', 'M', '0914000445', w.commune, '', '', ''], // repeats line 2
      ['Đinh Văn Ngày', '040190005555', '02/01/1990', 'M', '', w.commune, '', '', ''], // bad date
      ['Ngoài Tỉnh', '001190006666', '1990-01-02', 'M', '', '00004', '', '', ''], // Hà Nội commune: outside
      ['Mạo Danh', '040085001111', '1985-03-04', 'M', '', w.commune, '', '', ''], // Phan Văn Định's ID
      ['Nhóm Sai', '040190007777', '1990-01-02', 'M', '', w.commune, '', '', 'g99'],
      ['Trương Văn Tốt', '040079008888', '1979-12-31', 'Nam', '0914000888', w.commune, 'Số 2', '', 'g08-chronic'],
    ];
    rows.forEach((r) => ws.addRow(r));
    const buf = Buffer.from(await wb.xlsx.writeBuffer());
    const before = await persons();
    const r = await t.app.inject({ method: 'POST', url: `/api/vaccination/campaigns/${w.campaignId}/registrations/import?organisation=Tr%C6%B0%E1%BB%9Dng%20THCS`, headers: { ...staff.headers, 'content-type': XLSX }, payload: buf });
    expect(r.statusCode).toBe(200);
    const body = r.json();
    expect(body).toMatchObject({ total: 7, registered: 2, already: 0 });
    expect(body.errors.map((e: { line: number; path: string }) => [e.line, e.path])).toEqual([
      [3, 'line 3.national_id'],
      [4, 'line 4.birth_date'],
      [5, 'line 5.commune_code'],
      [6, 'line 6.nationalId'],
      [7, 'line 7.priority_group'],
    ]);
    expect(await persons()).toBe(before + 2);
    const org = await sql<{ organisation: string; channel: string }>`select organisation, channel from vaccination_registrations where channel = 'bulk' and organisation <> 'Xuong'`.execute(t.db);
    expect(org.rows).toHaveLength(2);
    expect(org.rows[0]!.organisation).toBe('Trường THCS');
    const junk = await t.app.inject({ method: 'POST', url: `/api/vaccination/campaigns/${w.campaignId}/registrations/import?organisation=X`, headers: { ...staff.headers, 'content-type': XLSX }, payload: Buffer.from('PK\u0003\u0004not really') });
    expect(junk.statusCode).toBe(400);
    expect(junk.json().error.code).toBe('IMPORT_REJECTED');
    const hanoi = await t.login('cdc_officer', '01');
    expect((await t.app.inject({ method: 'POST', url: `/api/vaccination/campaigns/${w.campaignId}/registrations/import?organisation=X`, headers: { ...hanoi.headers, 'content-type': XLSX }, payload: buf })).statusCode).toBe(403);
  });

  it('a merged duplicate’s registration and doses follow the record that stays; the purge keeps vaccinated people', async () => {
    const kept = await w.person('Bản Giữ');
    const dup = await w.person('Bản Trùng');
    await w.register(dup);
    await sql`insert into vaccination_doses (person_id, product_code, dose_number, series_doses, given_at, given_on, commune_code, vaccinator, observe_until)
      values (${dup}, 'EU/1/20/1528', 1, 2, now(), current_date, ${w.commune}, 'ĐD', now())`.execute(t.db);
    const r = await send(`/api/people/${kept}/merge`, w.cdc, { mergeId: dup, reason: 'trùng hồ sơ' });
    expect(r.statusCode, r.body).toBe(200);
    await t.events.settled();
    const rows = await sql<{ t: string }>`select 'reg' as t from vaccination_registrations where person_id = ${kept} union all select 'dose' from vaccination_doses where person_id = ${kept}`.execute(t.db);
    expect(rows.rows.map((x) => x.t).sort()).toEqual(['dose', 'reg']);
    const { personsInVaccination } = await import('./index');
    expect(await personsInVaccination(t.db, [kept, await w.person('Chưa Gì')])).toEqual([kept]);
  });
});

describe('age limits from the full birth date', () => {
  it('refuses registering someone too young for every vaccine of the campaign', async () => {
    const child = await w.person('Bé Mười Một', { birthDate: '2011-01-01' }); // 11 on the campaign's last day (2022-12-31)
    const r = await send('/api/vaccination/registrations', staff, { campaignId: w.campaignId, personId: child });
    expect(r.statusCode).toBe(400);
    expect(r.json().error).toMatchObject({ code: 'AGE_LIMIT', details: [{ path: 'body.personId' }] });
    expect(r.json().error.message).toMatch(/11 years old on the campaign's last day/);
    expect((await sql`select 1 from vaccination_registrations where person_id = ${child}`.execute(t.db)).rows).toHaveLength(0);
  });

  it('books by the birth date on the slot’s day: 11 years and 364 days is refused, 12 on the day is booked, a year alone keeps the year rule', async () => {
    const book = (who: LoggedIn, personId: string, slot: number) => send('/api/vaccination/bookings', who, { personId, slotId: w.slots[slot], doseNumber: 1 });
    const almost = await w.person('Gần Mười Hai', { birthDate: '2009-08-04' }); // the slots are on 2021-08-03
    const twelve = await w.person('Tròn Mười Hai', { birthDate: '2009-08-03' });
    const yearOnly = await w.person('Chỉ Năm Sinh', { birthYear: 2009 });
    for (const p of [almost, twelve, yearOnly]) expect((await send('/api/vaccination/registrations', staff, { campaignId: w.campaignId, personId: p })).statusCode).toBe(200);
    const refused = await book(staff, almost, 0);
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error).toMatchObject({ code: 'AGE_LIMIT', details: [{ path: 'body.personId', message: expect.stringMatching(/is 11 years old on 2021-08-03; .* from age 12/) }] });
    expect((await book(staff, twelve, 0)).statusCode).toBe(201);
    expect((await book(staff, yearOnly, 1)).statusCode).toBe(201); // born in 2009: 12 in 2021 by the year rule
    // a citizen booking for themself is checked the same way
    const citizen = await t.login('citizen', '40', { personId: almost });
    expect((await book(citizen, almost, 2)).json().error.code).toBe('AGE_LIMIT');
    expect(Number((await sql<{ n: string }>`select count(*) as n from vaccination_bookings where person_id = ${almost}`.execute(t.db)).rows[0]!.n)).toBe(0);
  });
});

describe('priority groups claimed at registration', () => {
  const claim = async (name: string, o: { birthDate?: string; priorityCode: string; occupation?: string; by?: 'self' | 'staff' }) => {
    const personId = await w.person(name, { birthDate: o.birthDate ?? '1990-05-05' });
    const who = o.by === 'staff' ? staff : await t.login('citizen', '40', { personId });
    const r = await send('/api/vaccination/registrations', who, { campaignId: w.campaignId, personId, priorityCode: o.priorityCode, ...(o.occupation && { occupation: o.occupation }) });
    return { personId, r, who };
  };

  it('accepts what is verified or vouched for, sends a citizen’s own occupation or condition to review, refuses what cannot hold, with the reason', async () => {
    const nurse = await claim('Y Tá Tự Khai', { priorityCode: 'g01-health', occupation: 'health_worker' });
    expect(nurse.r.json().priority).toEqual({ code: 'g01-health', status: 'review', reason: 'occupation-to-verify' });
    const elder = await claim('Cụ Bảy Mươi', { priorityCode: 'g08-chronic', birthDate: '1951-01-01' });
    expect(elder.r.json().priority).toMatchObject({ status: 'accepted', reason: 'age' });
    const chronic = await claim('Bệnh Nền Tự Khai', { priorityCode: 'g08-chronic' });
    expect(chronic.r.json().priority).toMatchObject({ status: 'review', reason: 'condition-to-verify' });
    const farmer = await claim('Nông Dân', { priorityCode: 'g07-teachers', occupation: 'farmer' });
    expect(farmer.r.statusCode).toBe(400);
    expect(farmer.r.json().error).toMatchObject({ code: 'PRIORITY_REFUSED', details: [{ path: 'body.priorityCode', message: 'occupation-not-in-group' }] });
    expect((await sql`select 1 from vaccination_registrations where person_id = ${farmer.personId}`.execute(t.db)).rows).toHaveLength(0);
    const none = await claim('Không Khai Nghề', { priorityCode: 'g01-health' });
    expect(none.r.json().error.details[0].message).toBe('occupation-missing');
    const doctor = await claim('Bác Sĩ Trạm', { priorityCode: 'g01-health', occupation: 'health_worker', by: 'staff' });
    expect(doctor.r.json().priority).toMatchObject({ status: 'accepted', reason: 'occupation-vouched' });

    // the citizen sees the claim and its reason in their health book
    const book = await t.app.inject({ method: 'GET', url: `/api/vaccination/book/${nurse.personId}`, headers: nurse.who.headers });
    expect(book.json().registrations).toEqual([expect.objectContaining({ priority: expect.objectContaining({ status: 'review', reason: 'occupation-to-verify', nameVi: expect.any(String) }) })]);

    // staff review: the list of their area, accept one, refuse another; no second decision; others cannot decide
    const list = await t.app.inject({ method: 'GET', url: `/api/vaccination/campaigns/${w.campaignId}/priority-review`, headers: staff.headers });
    expect(list.statusCode).toBe(200);
    const items = list.json().items as { id: string; personId: string; reason: string }[];
    expect(items.map((i) => i.personId)).toEqual(expect.arrayContaining([nurse.personId, chronic.personId]));
    const nurseReg = items.find((i) => i.personId === nurse.personId)!.id;
    const chronicReg = items.find((i) => i.personId === chronic.personId)!.id;
    const decide = (who: LoggedIn | null, id: string, accept: boolean) => send(`/api/vaccination/registrations/${id}/priority`, who, { accept, ...(!accept && { note: 'Không có giấy tờ' }) });
    expect((await decide(null, nurseReg, true)).statusCode).toBe(401);
    expect((await decide(nurse.who, nurseReg, true)).statusCode).toBe(403); // a citizen cannot accept their own claim
    expect((await decide(await t.login('vaccination_staff', '01'), nurseReg, true)).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: `/api/vaccination/campaigns/${w.campaignId}/priority-review`, headers: (await t.login('vaccination_staff', '01')).headers })).json().items).toEqual([]);
    expect((await decide(staff, nurseReg, true)).statusCode).toBe(200);
    expect((await decide(staff, chronicReg, false)).statusCode).toBe(200);
    expect((await decide(staff, nurseReg, false)).statusCode).toBe(409);
    const after = (await t.app.inject({ method: 'GET', url: `/api/vaccination/book/${nurse.personId}`, headers: nurse.who.headers })).json();
    expect(after.registrations[0].priority).toMatchObject({ status: 'accepted', reason: 'staff-verified' });
  });

  it('review list: filters by status, group, commune and name inside the area; a refusal needs a reason the citizen then reads; every listing audited with its people', async () => {
    const a = await claim('Giáo Viên Lọc', { priorityCode: 'g01-health', occupation: 'health_worker' });
    const b = await claim('Bệnh Nhân Lọc', { priorityCode: 'g08-chronic' });
    const list = (q: string, who: LoggedIn = staff) => t.app.inject({ method: 'GET', url: `/api/vaccination/campaigns/${w.campaignId}/priority-review?${q}`, headers: who.headers });
    const ids = async (q: string) => ((await list(q)).json().items as { personId: string }[]).map((i) => i.personId);
    expect(await ids('group=g08-chronic')).toContain(b.personId);
    expect(await ids('group=g08-chronic')).not.toContain(a.personId);
    expect(await ids('q=benh%20nhan%20loc')).toEqual([b.personId]); // typed without diacritics
    expect((await list('q=%25')).json().error.details[0].path).toBe('querystring.q'); // nothing to look for
    expect(await ids(`commune=${w.commune}&q=loc`)).toEqual(expect.arrayContaining([a.personId, b.personId]));
    // a commune outside the caller's area is refused by name, not quietly emptied
    const outside = await list(`commune=${w.otherCommune}`, await t.login('vaccination_staff', w.commune));
    expect(outside.statusCode).toBe(400);
    expect(outside.json().error.details[0].path).toBe('querystring.commune');
    expect((await list('status=maybe')).statusCode).toBe(400);
    // attackers: no session, a citizen, a venue operator, another province's officer, an unknown campaign, NUL
    const url = `/api/vaccination/campaigns/${w.campaignId}/priority-review`;
    expect((await t.app.inject({ method: 'GET', url })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'GET', url, headers: a.who.headers })).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'GET', url, headers: (await t.login('venue_operator', '40')).headers })).statusCode).toBe(403);
    const hanoi = await t.app.inject({ method: 'GET', url, headers: (await t.login('cdc_officer', '01')).headers });
    expect(hanoi.json()).toEqual({ items: [], total: 0 }); // a national campaign, none of its claims in Hà Nội's area
    expect((await t.app.inject({ method: 'GET', url: '/api/vaccination/campaigns/00000000-0000-0000-0000-000000000000/priority-review', headers: staff.headers })).statusCode).toBe(404);
    expect((await list('q=a%00b')).statusCode).toBe(400);

    const regOf = async (personId: string) => ((await list('q=loc')).json().items as { id: string; personId: string }[]).find((i) => i.personId === personId)!.id;
    const bReg = await regOf(b.personId);
    // refusing needs a reason (named field); whitespace is not one
    for (const body of [{ accept: false }, { accept: false, note: '   ' }]) {
      const r = await send(`/api/vaccination/registrations/${bReg}/priority`, staff, body);
      expect(r.statusCode).toBe(400);
      expect(r.json().error.details[0].path).toBe('body.note');
    }
    expect((await send(`/api/vaccination/registrations/${bReg}/priority`, staff, { accept: false, note: 'x'.repeat(501) })).statusCode).toBe(400);
    expect((await send(`/api/vaccination/registrations/${bReg}/priority`, staff, { accept: false, note: 'Chưa có sổ khám bệnh mạn tính' })).json()).toEqual({ ok: true, status: 'refused' });
    const refused = (await list('status=refused&q=loc')).json();
    expect(refused.items).toEqual([expect.objectContaining({ personId: b.personId, status: 'refused', reason: 'staff-refused', note: 'Chưa có sổ khám bệnh mạn tính', reviewedBy: expect.any(String), reviewedAt: expect.any(String) })]);
    expect(await ids('q=loc')).toEqual([a.personId]);
    const book = (await t.app.inject({ method: 'GET', url: `/api/vaccination/book/${b.personId}`, headers: b.who.headers })).json();
    expect(book.registrations[0].priority).toMatchObject({ status: 'refused', reason: 'staff-refused', note: 'Chưa có sổ khám bệnh mạn tính' });

    const audits = (await sql<{ details: { people: string[]; status: string } }>`select details from audit_log where action = 'vaccination.priority_review.list' and details->>'status' = 'refused'`.execute(t.db)).rows;
    expect(audits.some((x) => x.details.people.includes(b.personId))).toBe(true);
  });
});
