import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { alterChar, testContext, type LoggedIn, type TestContext } from '../../../test/helpers';
import { SignatureError } from '../../platform/signing';
import { findOrCreatePerson, getPersonBrief, isManagerOf, verifyPersonalQr, dependantsOf, PEOPLE_PURGE_JOB } from './index';

let t: TestContext;
let now = new Date('2021-08-01T03:00:00Z');
let communes: { code: string; district: string }[];
let officer: LoggedIn; // district officer of the first commune's district
let hanoi: LoggedIn; // officer of another province
let admin: LoggedIn;
let cdc: LoggedIn; // Nghệ An CDC: may merge

const get = (url: string, who: LoggedIn) => t.app.inject({ method: 'GET', url, headers: who.headers });
const send = (method: 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, who: LoggedIn, payload?: unknown) =>
  t.app.inject({ method, url, headers: who.headers, ...(payload !== undefined && { payload: payload as object }) });

async function auditRows(action: string, subjectId?: string) {
  let q = t.db.selectFrom('audit_log').selectAll().where('action', '=', action);
  if (subjectId) q = q.where('subject_id', '=', subjectId);
  return q.orderBy('id').execute();
}

let seq = 0;
const uniquePhone = () => `09${String(10_000_000 + ++seq * 7919).slice(-8)}`;

async function createPerson(who: LoggedIn, body: Record<string, unknown>) {
  const res = await send('POST', '/api/people', who, { communeCode: communes[0]!.code, ...body });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().person as { id: string; phone: string | null; [k: string]: unknown };
}

beforeAll(async () => {
  t = await testContext({ clock: () => now });
  const rows = await t.db
    .selectFrom('admin_units')
    .select(['code', 'parent_code'])
    .where('level', '=', 'commune')
    .where('path', 'like', '/VN/40/%')
    .orderBy('code')
    .limit(3)
    .execute();
  communes = rows.map((r) => ({ code: r.code, district: r.parent_code! }));
  officer = await t.login('district_officer', communes[0]!.district);
  hanoi = await t.login('cdc_officer', '01');
  admin = await t.login('national_admin');
  cdc = await t.login('cdc_officer', '40');
});
afterAll(async () => {
  await t?.close();
});

describe('person CRUD', () => {
  it('creates a person with a normalised phone and writes an audit row', async () => {
    const res = await send('POST', '/api/people', officer, {
      fullName: '  nguyễn   văn  an ',
      birthYear: 1985,
      sex: 'male',
      nationalId: '040 085 001 234',
      phone: '0912 345 678',
      address: 'Xóm 3',
      communeCode: communes[0]!.code,
    });
    expect(res.statusCode, res.body).toBe(201);
    const p = res.json().person;
    expect(p).toMatchObject({ fullName: 'Nguyễn Văn An', phone: '+84912345678', nationalId: '040085001234', birthYear: 1985, source: 'officer' });
    expect(p.commune.code).toBe(communes[0]!.code);
    expect(p.commune.label).toMatch(/Nghệ An$/);
    const audit = await auditRows('person.create', p.id);
    expect(audit).toHaveLength(1);
    expect(audit[0]!.actor_username).toBe(officer.username);
    expect(JSON.stringify(audit[0]!.details)).not.toContain('0912');
  });

  it('rejects an invalid phone with a 400 naming the field', async () => {
    const res = await send('POST', '/api/people', officer, { fullName: 'Lê Thị B', birthYear: 1990, phone: '12345', communeCode: communes[0]!.code });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details).toEqual([{ path: 'body.phone', message: 'is not a valid Vietnamese phone number' }]);
  });

  it('rejects an unknown commune and a national ID that contradicts the birth year', async () => {
    const r1 = await send('POST', '/api/people', officer, { fullName: 'Lê Thị B', birthYear: 1990, communeCode: '99999' });
    expect(r1.statusCode).toBe(400);
    expect(r1.json().error.details[0].path).toBe('body.communeCode');
    const r2 = await send('POST', '/api/people', officer, { fullName: 'Lê Thị B', birthYear: 1990, nationalId: '040085001299', communeCode: communes[0]!.code });
    expect(r2.statusCode).toBe(400);
    expect(r2.json().error.details).toEqual([{ path: 'body.nationalId', message: 'does not match the birth year' }]);
  });

  it('refuses a national ID already registered to someone else (409)', async () => {
    await createPerson(officer, { fullName: 'Hồ Văn C', birthYear: 1970, nationalId: '186543210' });
    const res = await send('POST', '/api/people', officer, { fullName: 'Hồ Văn D', birthYear: 1971, nationalId: '186543210', communeCode: communes[0]!.code });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.details[0].path).toBe('body.nationalId');
  });

  it('requires a reason to open a record and audits the read', async () => {
    const p = await createPerson(officer, { fullName: 'Phan Thị Hoa', birthYear: 1962, phone: uniquePhone() });
    const noReason = await get(`/api/people/${p.id}`, officer);
    expect(noReason.statusCode).toBe(400);
    expect(noReason.json().error.details[0].path).toBe('querystring.reason');
    const res = await get(`/api/people/${p.id}?reason=${encodeURIComponent('Truy vết F1')}`, officer);
    expect(res.statusCode).toBe(200);
    expect(res.json().person.phone).toBe(p.phone);
    const rows = await auditRows('person.read', p.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ reason: 'Truy vết F1', actor_username: officer.username, subject_type: 'person' });
  });

  it('updates and audits the names of the changed fields only', async () => {
    const p = await createPerson(officer, { fullName: 'Võ Văn Em', birthYear: 1990, phone: uniquePhone() });
    const res = await send('PATCH', `/api/people/${p.id}`, officer, { address: 'Số 5 đường Lê Lợi', phone: p.phone, sex: 'male' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().person.address).toBe('Số 5 đường Lê Lợi');
    const rows = await auditRows('person.update', p.id);
    expect(rows).toHaveLength(1);
    expect((rows[0]!.details as { fields: string[] }).fields.sort()).toEqual(['address', 'sex']);
    expect(JSON.stringify(rows[0]!.details)).not.toContain('Lê Lợi');

    const bad = await send('PATCH', `/api/people/${p.id}`, officer, { phone: '0912' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details[0].path).toBe('body.phone');
  });

  it('searches by name without diacritics, by phone and by ID; lists show masked phone/ID', async () => {
    const phone = uniquePhone();
    const p = await createPerson(officer, { fullName: 'Đặng Thị Ánh Tuyết', birthYear: 1999, phone, nationalId: '040199004321', sex: 'female' });
    for (const q of ['dang thi anh', 'ĐẶNG THỊ ÁNH', phone, phone.replace(/^0/, '+84'), '040199004321']) {
      const res = await get(`/api/people?q=${encodeURIComponent(q)}`, officer);
      expect(res.statusCode).toBe(200);
      const items = res.json().items as Record<string, unknown>[];
      const hit = items.find((i) => i.id === p.id);
      expect(hit, q).toBeDefined();
      expect(hit).not.toHaveProperty('phone');
      expect(hit).not.toHaveProperty('nationalId');
      expect(hit!.phoneMasked).toBe(`••••••••${phone.slice(-3)}`);
      expect(hit!.nationalIdMasked).toBe('•••••••••321');
    }
    const byCommune = await get(`/api/people?commune=${communes[1]!.code}`, officer);
    expect(byCommune.json().items.find((i: { id: string }) => i.id === p.id)).toBeUndefined();
    expect((await auditRows('person.search')).length).toBeGreaterThan(0);
  });
});

describe('jurisdiction', () => {
  it('an officer of another province gets 403 on detail and does not see the person in lists', async () => {
    const p = await createPerson(officer, { fullName: 'Trịnh Văn Giang', birthYear: 1977, phone: uniquePhone() });
    const detail = await get(`/api/people/${p.id}?reason=check`, hanoi);
    expect(detail.statusCode).toBe(403);
    expect(detail.json().error.code).toBe('FORBIDDEN');
    const list = await get(`/api/people?q=${encodeURIComponent('Trịnh Văn Giang')}`, hanoi);
    expect(list.statusCode).toBe(200);
    expect(list.json().items).toHaveLength(0);
    const all = await get('/api/people?limit=200', hanoi);
    expect(all.json().items.find((i: { id: string }) => i.id === p.id)).toBeUndefined();
    const patch = await send('PATCH', `/api/people/${p.id}`, hanoi, { address: 'x' });
    expect(patch.statusCode).toBe(403);
    const card = await get(`/api/people/${p.id}/card.pdf?reason=print`, hanoi);
    expect(card.statusCode).toBe(403);
    // the national admin sees everything
    expect((await get(`/api/people/${p.id}?reason=check`, admin)).statusCode).toBe(200);
    // an officer may not file someone outside their own jurisdiction
    const outside = await send('POST', '/api/people', hanoi, { fullName: 'X Y', birthYear: 1990, communeCode: communes[0]!.code });
    expect(outside.statusCode).toBe(403);
  });

  it('people.read is needed at all', async () => {
    const citizen = await t.login('citizen', '40');
    expect((await get('/api/people', citizen)).statusCode).toBe(403);
  });
});

describe('duplicates and merge', () => {
  it('lists duplicate pairs and merges keeping history, re-pointing links and module references', async () => {
    const phone = uniquePhone();
    const a = await createPerson(officer, { fullName: 'Nguyễn Thị Lan', birthYear: 1950, phone, address: 'Xóm 1' });
    const b = await createPerson(officer, { fullName: 'NGUYEN THI LAN', birthYear: 1950, phone, sex: 'female', nationalId: '040150001111' });
    const child = await createPerson(officer, { fullName: 'Nguyễn Văn Nhỏ', birthYear: 2015 });
    expect((await send('POST', `/api/people/${b.id}/dependants`, officer, { dependantId: child.id, relationship: 'grandchild' })).statusCode).toBe(201);

    const dups = await get(`/api/people/duplicates?personId=${a.id}`, cdc);
    expect(dups.statusCode, dups.body).toBe(200);
    expect(dups.json().items).toHaveLength(1);
    expect(dups.json().items[0].reason).toBe('phone_name_year');
    expect([dups.json().items[0].a.id, dups.json().items[0].b.id].sort()).toEqual([a.id, b.id].sort());

    const seen: { keptId: string; mergedId: string }[] = [];
    t.events.subscribe('person.merged', 'test.merge-seen', async (e) => {
      seen.push({ keptId: e.payload.keptId, mergedId: e.payload.mergedId });
    });

    // district officers lack people.merge? they have it; commune officers do not
    const commune = await t.login('commune_officer', communes[0]!.code);
    expect((await send('POST', `/api/people/${a.id}/merge`, commune, { mergeId: b.id, reason: 'same person' })).statusCode).toBe(403);

    now = new Date('2021-08-01T04:00:00Z');
    const res = await send('POST', `/api/people/${a.id}/merge`, cdc, { mergeId: b.id, reason: 'Trùng hồ sơ khi khai báo' });
    expect(res.statusCode, res.body).toBe(200);
    await t.events.settled();
    const body = res.json();
    // empty fields were filled from the merged record, existing ones kept
    expect(body.person).toMatchObject({ id: a.id, sex: 'female', nationalId: '040150001111', address: 'Xóm 1' });
    expect(body.merge.fieldsTaken.sort()).toEqual(['nationalId', 'sex']);
    expect(body.merge.repointed).toMatchObject({ person_links: 1 });
    expect(seen).toEqual([{ keptId: a.id, mergedId: b.id }]);
    // links re-pointed
    expect(body.person.dependants.map((d: { id: string }) => d.id)).toEqual([child.id]);
    expect(await isManagerOf(t.db, a.id, child.id)).toBe(true);
    // history: merged row kept with a pointer, merge log with snapshot
    const merged = await get(`/api/people/${b.id}?reason=history`, cdc);
    expect(merged.json().person).toMatchObject({ mergedInto: a.id, mergedAt: '2021-08-01T04:00:00.000Z', fullName: 'NGUYEN THI LAN' });
    expect(body.person.merges).toHaveLength(1);
    expect(body.person.merges[0]).toMatchObject({ mergedId: b.id, reason: 'Trùng hồ sơ khi khai báo', mergedBy: cdc.username });
    expect(body.person.merges[0].snapshot).toMatchObject({ fullName: 'NGUYEN THI LAN', nationalId: '040150001111' });
    // the pair is no longer a duplicate; the brief of the old id resolves to the kept record
    expect((await get(`/api/people/duplicates?personId=${a.id}`, cdc)).json().items).toHaveLength(0);
    expect(await getPersonBrief(t.db, b.id)).toMatchObject({ id: a.id, requestedId: b.id });
    // audit on both records
    expect(await auditRows('person.merge', a.id)).toHaveLength(1);
    expect(await auditRows('person.merged_into', b.id)).toHaveLength(1);
    // merging again is refused; editing the merged record is refused
    expect((await send('POST', `/api/people/${a.id}/merge`, cdc, { mergeId: b.id, reason: 'again' })).statusCode).toBe(400);
    expect((await send('PATCH', `/api/people/${b.id}`, cdc, { address: 'x' })).statusCode).toBe(409);
  });

  it('a pair marked "not the same person" leaves the list', async () => {
    const phone = uniquePhone();
    const a = await createPerson(officer, { fullName: 'Lê Văn Tám', phone });
    const b = await createPerson(officer, { fullName: 'Lê Văn Tám', phone, birthYear: 1960 });
    const list = await get(`/api/people/duplicates?personId=${a.id}`, cdc);
    expect(list.json().items[0].reason).toBe('phone_name');
    expect((await send('POST', '/api/people/duplicates/dismiss', cdc, { aId: b.id, bId: a.id })).statusCode).toBe(204);
    expect((await get(`/api/people/duplicates?personId=${a.id}`, cdc)).json().items).toHaveLength(0);
  });
});

describe('dependants and cards', () => {
  it('adds and removes a dependant, prints a household card PDF with an audit row', async () => {
    const m = await createPerson(officer, { fullName: 'Hoàng Văn Quản', birthYear: 1970, phone: uniquePhone() });
    const d = await createPerson(officer, { fullName: 'Hoàng Thị Cụ', birthYear: 1935 });
    expect((await send('POST', `/api/people/${m.id}/dependants`, officer, { dependantId: d.id, relationship: 'parent' })).statusCode).toBe(201);
    expect((await dependantsOf(t.db, m.id)).map((x) => x.id)).toEqual([d.id]);
    // a link cannot go both ways, nor to oneself
    expect((await send('POST', `/api/people/${d.id}/dependants`, officer, { dependantId: m.id, relationship: 'child' })).statusCode).toBe(400);
    expect((await send('POST', `/api/people/${m.id}/dependants`, officer, { dependantId: m.id, relationship: 'child' })).statusCode).toBe(400);

    const pdf = await get(`/api/people/${m.id}/card.pdf?reason=${encodeURIComponent('In thẻ cho người cao tuổi')}&household=true`, officer);
    expect(pdf.statusCode, pdf.body).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(pdf.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    const rows = await auditRows('person.card', m.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.details).toMatchObject({ cards: 2 });

    expect((await send('DELETE', `/api/people/${m.id}/dependants/${d.id}`, officer)).statusCode).toBe(204);
    expect(await dependantsOf(t.db, m.id)).toEqual([]);
    expect(await auditRows('person.dependant.remove', m.id)).toHaveLength(1);
  });
});

describe('findOrCreatePerson', () => {
  const opts = () => ({ resolver: t.app.vigil.access.resolver, now, source: 'checkin' as const });

  it('matches by phone + normalised name + birth year, else creates', async () => {
    const phone = uniquePhone();
    const first = await findOrCreatePerson(t.db, { fullName: 'Bùi Thị Mai', phone, birthYear: 1992, communeCode: communes[0]!.code }, opts());
    expect(first.created).toBe(true);
    const again = await findOrCreatePerson(t.db, { fullName: 'bui thi  MAI', phone: phone.replace(/^0/, '+84'), birthYear: 1992, communeCode: communes[1]!.code }, opts());
    expect(again).toEqual({ id: first.id, created: false });
    // typed-in details never overwrite what the registry holds
    const row = await t.db.selectFrom('persons').select(['commune_code', 'full_name', 'source']).where('id', '=', first.id).executeTakeFirstOrThrow();
    expect(row).toEqual({ commune_code: communes[0]!.code, full_name: 'Bùi Thị Mai', source: 'checkin' });
    // a child with the same phone and another year is another person
    const child = await findOrCreatePerson(t.db, { fullName: 'Bùi Thị Mai', phone, birthYear: 2016, communeCode: communes[0]!.code }, opts());
    expect(child.created).toBe(true);
  });

  it('staff input (imports) matches by national ID first and fills missing fields', async () => {
    const p = await createPerson(officer, { fullName: 'Cao Văn Sơn', birthYear: 1980, nationalId: '040080009999' });
    const r = await findOrCreatePerson(t.db, { fullName: 'Cao Van Son', nationalId: '040080009999', phone: uniquePhone(), communeCode: communes[2]!.code }, { ...opts(), trust: 'staff' });
    expect(r).toEqual({ id: p.id, created: false });
    const row = await t.db.selectFrom('persons').select(['phone', 'commune_code']).where('id', '=', p.id).executeTakeFirstOrThrow();
    expect(row.phone).toMatch(/^\+849/);
    expect(row.commune_code).toBe(communes[0]!.code);
  });

  it('public input never takes over a record by its ID number, and changes nothing in a record it matches', async () => {
    const p = await createPerson(officer, { fullName: 'Lò Văn Pá', birthYear: 1975, nationalId: '040075001234' });
    // someone who knows the ID number types it in with their own phone: a new record, without the ID number
    const other = await findOrCreatePerson(t.db, { fullName: 'Kẻ Giả Danh', nationalId: '040075001234', phone: uniquePhone(), birthYear: 1975, communeCode: communes[2]!.code }, opts());
    expect(other.created).toBe(true);
    expect(other.id).not.toBe(p.id);
    const victim = await t.db.selectFrom('persons').select(['phone', 'commune_code', 'national_id']).where('id', '=', p.id).executeTakeFirstOrThrow();
    expect(victim).toMatchObject({ phone: null, national_id: '040075001234' });
    expect((await t.db.selectFrom('persons').select('national_id').where('id', '=', other.id).executeTakeFirstOrThrow()).national_id).toBeNull();
    // the same name with the right ID but no phone/year agreement does not match either
    const again = await findOrCreatePerson(t.db, { fullName: 'Lò Văn Pá', nationalId: '040075001234', phone: uniquePhone(), birthYear: 1975, communeCode: communes[2]!.code }, opts());
    expect(again.id).not.toBe(p.id);
    // a phone + name + year match is the same person, but typed-in details do not fill in the record
    const phone = uniquePhone();
    const first = await findOrCreatePerson(t.db, { fullName: 'Hà Thị Lan', phone, birthYear: 1970, communeCode: communes[0]!.code }, opts());
    const match = await findOrCreatePerson(t.db, { fullName: 'Ha Thi Lan', phone, birthYear: 1970, nationalId: '040170005678', communeCode: communes[1]!.code }, opts());
    expect(match).toEqual({ id: first.id, created: false });
    expect((await t.db.selectFrom('persons').select('national_id').where('id', '=', first.id).executeTakeFirstOrThrow()).national_id).toBeNull();
  });

  it('names invalid fields with the caller prefix and serialises concurrent calls', async () => {
    await expect(
      findOrCreatePerson(t.db, { fullName: 'A B', phone: 'xx', communeCode: communes[0]!.code }, { ...opts(), prefix: 'body.person' }),
    ).rejects.toMatchObject({ statusCode: 400, details: [{ path: 'body.person.phone' }] });
    const phone = uniquePhone();
    const results = await Promise.all(
      Array.from({ length: 5 }, () => findOrCreatePerson(t.db, { fullName: 'Đinh Công Tráng', phone, birthYear: 1988, communeCode: communes[0]!.code }, opts())),
    );
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
  });
});

describe('citizen (self) routes', () => {
  it('registers own details, adds a dependant, shows QR for self and dependants only', async () => {
    const citizen = await t.login('citizen', '40');
    expect((await get('/api/me/person', citizen)).json()).toEqual({ person: null });
    expect((await get('/api/me/qr', citizen)).statusCode).toBe(409);

    // a check-in created a record earlier: registering links to it
    const phone = uniquePhone();
    const earlier = await findOrCreatePerson(t.db, { fullName: 'Mai Văn Tùng', phone, birthYear: 1983, communeCode: communes[0]!.code }, {
      resolver: t.app.vigil.access.resolver,
      now,
      source: 'checkin',
    });
    const put = await send('PUT', '/api/me/person', citizen, { fullName: 'Mai Văn Tùng', phone, birthYear: 1983, communeCode: communes[0]!.code, address: 'Khối 2' });
    expect(put.statusCode, put.body).toBe(200);
    expect(put.json().person).toMatchObject({ id: earlier.id, address: 'Khối 2' });
    expect(await auditRows('person.link_account', earlier.id)).toHaveLength(1);

    const bad = await send('PUT', '/api/me/person', citizen, { fullName: 'Mai Văn Tùng', phone: '12', communeCode: communes[0]!.code });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details[0].path).toBe('body.phone');

    const dep = await send('POST', '/api/me/dependants', citizen, {
      relationship: 'child',
      person: { fullName: 'Mai Bảo Ngọc', birthYear: 2014, sex: 'female', communeCode: communes[0]!.code },
    });
    expect(dep.statusCode, dep.body).toBe(201);
    const childId = dep.json().items[0].id as string;
    expect(dep.json().items[0]).toMatchObject({ fullName: 'Mai Bảo Ngọc', relationship: 'child' });

    const mine = await get('/api/me/qr', citizen);
    expect(mine.statusCode).toBe(200);
    expect(mine.json().svg).toMatch(/^<svg/);
    expect(verifyPersonalQr(t.app.vigil.keys, mine.json().token, now)).toBe(earlier.id);
    expect(verifyPersonalQr(t.app.vigil.keys, `https://vigil.example/p/${mine.json().token}`, now)).toBe(earlier.id);
    const childQr = await get(`/api/me/qr?personId=${childId}`, citizen);
    expect(childQr.statusCode).toBe(200);
    expect(verifyPersonalQr(t.app.vigil.keys, childQr.json().token, now)).toBe(childId);
    expect(() => verifyPersonalQr(t.app.vigil.keys, alterChar(childQr.json().token, childQr.json().token.length - 10), now)).toThrow(SignatureError);

    // someone else's person: refused
    const stranger = await createPerson(officer, { fullName: 'Người Lạ', birthYear: 1990 });
    expect((await get(`/api/me/qr?personId=${stranger.id}`, citizen)).statusCode).toBe(403);
    expect((await get(`/api/me/card.pdf?personId=${stranger.id}`, citizen)).statusCode).toBe(403);

    const card = await get('/api/me/card.pdf?household=true', citizen);
    expect(card.statusCode).toBe(200);
    expect(card.headers['content-type']).toBe('application/pdf');

    const list = await get('/api/me/dependants', citizen);
    expect(list.json().items).toHaveLength(1);
    expect((await send('DELETE', `/api/me/dependants/${childId}`, citizen)).statusCode).toBe(204);
    expect((await get(`/api/me/qr?personId=${childId}`, citizen)).statusCode).toBe(403);
  });

  it('does not link an account to a record that has one already', async () => {
    const phone = uniquePhone();
    const c1 = await t.login('citizen', '40');
    const c2 = await t.login('citizen', '40');
    const body = { fullName: 'Tạ Thị Hằng', phone, birthYear: 1991, communeCode: communes[0]!.code };
    const r1 = await send('PUT', '/api/me/person', c1, body);
    const r2 = await send('PUT', '/api/me/person', c2, body);
    expect(r1.statusCode).toBe(200);
    expect(r2.statusCode).toBe(200);
    expect(r2.json().person.id).not.toBe(r1.json().person.id);
  });
});

describe('retention', () => {
  it('purges implicit records nobody uses once past the retention, keeps the rest', async () => {
    const old = new Date('2021-01-01T00:00:00Z');
    const opts = { resolver: t.app.vigil.access.resolver, now: old, source: 'checkin' as const };
    const gone = await findOrCreatePerson(t.db, { fullName: 'Khách Vãng Lai', phone: uniquePhone(), birthYear: 1990, communeCode: communes[0]!.code }, opts);
    const manager = await findOrCreatePerson(t.db, { fullName: 'Người Quản Lý', phone: uniquePhone(), birthYear: 1960, communeCode: communes[0]!.code }, opts);
    const dependant = await findOrCreatePerson(t.db, { fullName: 'Người Phụ Thuộc', phone: uniquePhone(), birthYear: 1930, communeCode: communes[0]!.code }, opts);
    await sql`insert into person_links (manager_id, dependant_id, relationship) values (${manager.id}, ${dependant.id}, 'parent')`.execute(t.db);
    const officerMade = await createPerson(officer, { fullName: 'Hồ Sơ Cán Bộ', birthYear: 1950 });
    await t.db.updateTable('persons').set({ last_seen_at: old }).where('id', '=', officerMade.id).execute();

    // not yet: the clock says the records are recent enough
    now = new Date('2021-02-15T00:00:00Z');
    expect(await t.app.vigil.jobs.runNow(PEOPLE_PURGE_JOB)).toEqual({ deleted: 0 });
    now = new Date('2021-08-01T00:00:00Z');
    const r = (await t.app.vigil.jobs.runNow(PEOPLE_PURGE_JOB)) as { deleted: number };
    expect(r.deleted).toBeGreaterThanOrEqual(1);
    const left = await t.db.selectFrom('persons').select('id').where('id', 'in', [gone.id, manager.id, dependant.id, officerMade.id]).execute();
    expect(left.map((x) => x.id).sort()).toEqual([manager.id, dependant.id, officerMade.id].sort());
  });
});
