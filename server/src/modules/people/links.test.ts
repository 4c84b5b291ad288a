// Issue 13 item 1: typed-in details never attach a citizen account (or a dependant) to an existing record; linking
// takes proof of possession: the personal QR card, or an officer's approval of a link request.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alterChar, testContext, type LoggedIn, type TestContext } from '../../../test/helpers';
import { personalQrToken } from './index';

let t: TestContext;
const now = new Date('2021-08-01T03:00:00Z');
let communes: { code: string; district: string }[];
let officer: LoggedIn; // commune officer of the victim's commune
let hanoi: LoggedIn; // officer of another province

const get = (url: string, who?: LoggedIn) => t.app.inject({ method: 'GET', url, headers: who?.headers ?? {} });
const send = (method: 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, who: LoggedIn | undefined, payload?: unknown) =>
  t.app.inject({ method, url, headers: who?.headers ?? { 'x-requested-with': 'vigil' }, ...(payload !== undefined && { payload: payload as object }) });

let seq = 0;
const uniquePhone = () => `09${String(20_000_000 + ++seq * 7919).slice(-8)}`;

/** An officer-created record: national ID, phone, address, commune. */
async function registryRecord(over: Record<string, unknown> = {}) {
  const year = (over.birthYear as number | undefined) ?? 1979;
  const res = await send('POST', '/api/people', officer, {
    fullName: 'Trần Thị Bích',
    birthYear: year,
    sex: 'female',
    // CCCD: province 040, sex/century digit (female: 1 for the 1900s, 3 for the 2000s), two-digit year, six digits
    nationalId: `040${year >= 2000 ? 3 : 1}${String(year).slice(2)}00${String(1000 + ++seq).slice(-4)}`,
    phone: uniquePhone(),
    address: '12 Lê Lợi',
    communeCode: communes[0]!.code,
    ...over,
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().person as { id: string; fullName: string; phone: string; nationalId: string; address: string };
}

beforeAll(async () => {
  t = await testContext({ clock: () => now });
  const rows = await t.db
    .selectFrom('admin_units')
    .select(['code', 'parent_code'])
    .where('level', '=', 'commune')
    .where('path', 'like', '/VN/40/%')
    .orderBy('code')
    .limit(2)
    .execute();
  communes = rows.map((r) => ({ code: r.code, district: r.parent_code! }));
  officer = await t.login('commune_officer', communes[0]!.code);
  hanoi = await t.login('cdc_officer', '01');
});
afterAll(() => t?.close());

describe('typed-in details (no proof)', () => {
  it('give a new record, never the existing one, and never change it; officers see the pair as a possible duplicate', async () => {
    const victim = await registryRecord();
    const attacker = await t.login('citizen', '40');
    // the victim's name without accents, their phone and birth year
    const put = await send('PUT', '/api/me/person', attacker, { fullName: 'tran thi bich', phone: victim.phone, birthYear: 1979, communeCode: communes[0]!.code });
    expect(put.statusCode, put.body).toBe(200);
    const mine = put.json().person;
    expect(mine.id).not.toBe(victim.id);
    expect(mine.nationalId).toBeNull();
    expect(mine.address).toBeNull();
    expect(JSON.stringify(put.json())).not.toContain(victim.nationalId);
    // a second PUT changes only the attacker's own record
    const again = await send('PUT', '/api/me/person', attacker, { fullName: 'Tên Khác', phone: victim.phone, communeCode: communes[1]!.code });
    expect(again.statusCode).toBe(200);
    expect(again.json().person.id).toBe(mine.id);
    const stored = await t.db.selectFrom('persons').select(['full_name', 'commune_code', 'merged_into']).where('id', '=', victim.id).executeTakeFirstOrThrow();
    expect(stored).toEqual({ full_name: 'Trần Thị Bích', commune_code: communes[0]!.code, merged_into: null });
    expect((await t.db.selectFrom('users').select('person_id').where('person_id', '=', victim.id).execute()).length).toBe(0);

    // with the same ID number: no 409 telling that someone holds it; the new record is flagged for officers
    const other = await t.login('citizen', '40');
    const withId = await send('PUT', '/api/me/person', other, { fullName: 'Trần Thị Bích', nationalId: victim.nationalId, phone: uniquePhone(), birthYear: 1979, communeCode: communes[0]!.code });
    expect(withId.statusCode, withId.body).toBe(200);
    expect(withId.json().person.id).not.toBe(victim.id);
    const dups = await get(`/api/people/duplicates?personId=${victim.id}`, officer);
    expect(dups.statusCode).toBe(200);
    const pairs = dups.json().items.map((p: { reason: string; a: { id: string }; b: { id: string } }) => [p.reason, [p.a.id, p.b.id].sort()]);
    expect(pairs).toContainEqual(['national_id', [victim.id, withId.json().person.id].sort()]);
  });

  it('give a dependant a new record too', async () => {
    const child = await registryRecord({ fullName: 'Lê Minh Khang', birthYear: 2012, nationalId: null, phone: uniquePhone() });
    const stranger = await t.login('citizen', '40');
    await send('PUT', '/api/me/person', stranger, { fullName: 'Người Lạ', phone: uniquePhone(), communeCode: communes[0]!.code });
    const dep = await send('POST', '/api/me/dependants', stranger, {
      relationship: 'child',
      person: { fullName: 'Le Minh Khang', birthYear: 2012, phone: child.phone, communeCode: communes[0]!.code },
    });
    expect(dep.statusCode, dep.body).toBe(201);
    expect(dep.json().items.map((d: { id: string }) => d.id)).not.toContain(child.id);
    expect(dep.json().items[0].address).toBeNull();
    expect((await get(`/api/me/qr?personId=${child.id}`, stranger)).statusCode).toBe(403);
  });
});

describe('proof by the personal QR card', () => {
  it('links the account (the typed-in record merges into it) and a dependant; forged, foreign and taken cards are refused', async () => {
    const me = await registryRecord({ fullName: 'Phạm Văn Đức', birthYear: 1965 });
    const citizen = await t.login('citizen', '40');
    const typed = await send('PUT', '/api/me/person', citizen, { fullName: 'Phạm Văn Đức', phone: me.phone, communeCode: communes[0]!.code });
    const typedId = typed.json().person.id as string;
    const card = personalQrToken(t.app.vigil.keys, me.id);

    // no session, forged card, a venue QR: refused
    expect((await send('POST', '/api/me/person/link', undefined, { proof: { method: 'personal_qr', token: card } })).statusCode).toBe(401);
    const forged = await send('POST', '/api/me/person/link', citizen, { proof: { method: 'personal_qr', token: alterChar(card, card.length - 8) } });
    expect(forged.statusCode).toBe(400);
    expect(forged.json().error.details[0].path).toBe('body.proof.token');
    expect((await send('POST', '/api/me/person/link', citizen, { proof: { method: 'sms', token: 'x' } })).statusCode).toBe(400);

    const linked = await send('POST', '/api/me/person/link', citizen, { proof: { method: 'personal_qr', token: `https://vigil.test/p/${card}` } });
    expect(linked.statusCode, linked.body).toBe(200);
    expect(linked.json().person).toMatchObject({ id: me.id, nationalId: me.nationalId, fullName: 'Phạm Văn Đức' });
    expect((await get('/api/me/person', citizen)).json().person.id).toBe(me.id);
    const merged = await t.db.selectFrom('persons').select('merged_into').where('id', '=', typedId).executeTakeFirstOrThrow();
    expect(merged.merged_into).toBe(me.id);
    // the linked registry record keeps its identity and area: the citizen changes only contact details
    const rename = await send('PUT', '/api/me/person', citizen, { fullName: 'Tên Mới', phone: me.phone, communeCode: communes[1]!.code });
    expect(rename.statusCode).toBe(403);
    expect(rename.json().error.code).toBe('RECORD_LOCKED');
    expect(rename.json().error.details.map((d: { path: string }) => d.path).sort()).toEqual(['body.communeCode', 'body.fullName']);
    const contact = await send('PUT', '/api/me/person', citizen, { fullName: 'Phạm Văn Đức', phone: me.phone, address: '7 Trần Phú', communeCode: communes[0]!.code });
    expect(contact.statusCode, contact.body).toBe(200);
    expect(contact.json().person).toMatchObject({ id: me.id, address: '7 Trần Phú', fullName: 'Phạm Văn Đức' });
    // replay: nothing changes; another account with the same card: refused
    expect((await send('POST', '/api/me/person/link', citizen, { proof: { method: 'personal_qr', token: card } })).statusCode).toBe(200);
    const second = await t.login('citizen', '40');
    const taken = await send('POST', '/api/me/person/link', second, { proof: { method: 'personal_qr', token: card } });
    expect(taken.statusCode).toBe(409);
    // an account already holding a registry record cannot swap it for another card's record
    const other = await registryRecord({ fullName: 'Phạm Thị Hoa', birthYear: 1968 });
    const swap = await send('POST', '/api/me/person/link', citizen, { proof: { method: 'personal_qr', token: personalQrToken(t.app.vigil.keys, other.id) } });
    expect(swap.statusCode).toBe(409);

    // a dependant by its card: joins the household as it is
    const grandma = await registryRecord({ fullName: 'Nguyễn Thị Lài', birthYear: 1940, nationalId: null, phone: null });
    const dep = await send('POST', '/api/me/dependants/link', citizen, { relationship: 'parent', proof: { method: 'personal_qr', token: personalQrToken(t.app.vigil.keys, grandma.id) } });
    expect(dep.statusCode, dep.body).toBe(201);
    expect(dep.json().items.map((d: { id: string }) => d.id)).toContain(grandma.id);
    // one's own card is not a dependant; a card of someone with an account is not either
    expect((await send('POST', '/api/me/dependants/link', citizen, { relationship: 'child', proof: { method: 'personal_qr', token: card } })).statusCode).toBe(400);
  });
});

describe('proof by an officer’s approval of a link request', () => {
  it('is listed to officers of the area only, approved onto a record in their area, and cannot be replayed', async () => {
    const registered = await registryRecord({ fullName: 'Võ Thị Sáu', birthYear: 1983 });
    const citizen = await t.login('citizen', '40');
    // no own record yet: nothing to link
    expect((await send('POST', '/api/me/link-requests', citizen, { note: 'đăng ký ở trạm y tế' })).statusCode).toBe(409);
    const typed = await send('PUT', '/api/me/person', citizen, { fullName: 'Võ Thị Sáu', phone: registered.phone, birthYear: 1983, communeCode: communes[0]!.code });
    const ask = await send('POST', '/api/me/link-requests', citizen, { note: 'đăng ký ở trạm y tế' });
    expect(ask.statusCode, ask.body).toBe(201);
    const requestId = ask.json().request.id as string;
    expect(ask.json().request).toMatchObject({ kind: 'self', status: 'pending', personId: typed.json().person.id });
    expect((await send('POST', '/api/me/link-requests', citizen, {})).statusCode).toBe(409); // one pending per record

    // who may see and decide
    expect((await get('/api/people/link-requests')).statusCode).toBe(401);
    expect((await get('/api/people/link-requests', citizen)).statusCode).toBe(403);
    const operator = await t.login('venue_operator', '40');
    expect((await get('/api/people/link-requests', operator)).statusCode).toBe(403);
    expect((await get('/api/people/link-requests', hanoi)).json().items.map((i: { id: string }) => i.id)).not.toContain(requestId);
    expect((await send('POST', `/api/people/link-requests/${requestId}/approve`, hanoi, { targetId: registered.id })).statusCode).toBe(403);
    expect((await send('POST', `/api/people/link-requests/${requestId}/approve`, citizen, { targetId: registered.id })).statusCode).toBe(403);
    // another citizen cannot cancel it
    const nosy = await t.login('citizen', '40');
    expect((await send('DELETE', `/api/me/link-requests/${requestId}`, nosy)).statusCode).toBe(404);

    const list = await get('/api/people/link-requests', officer);
    expect(list.statusCode).toBe(200);
    const item = list.json().items.find((i: { id: string }) => i.id === requestId);
    expect(item.candidates.map((c: { id: string }) => c.id)).toContain(registered.id);
    expect(item.account.username).toBe(citizen.username);
    const audited = await t.db.selectFrom('audit_log').select('id').where('action', '=', 'person.link_requests.read').execute();
    expect(audited.length).toBeGreaterThan(0);

    // a record outside the officer's commune cannot be the target
    const elsewhere = await send('POST', '/api/people', await t.login('cdc_officer', '40'), { fullName: 'Võ Thị Sáu', birthYear: 1983, communeCode: communes[1]!.code });
    const outside = await send('POST', `/api/people/link-requests/${requestId}/approve`, officer, { targetId: elsewhere.json().person.id });
    expect(outside.statusCode).toBe(403);

    const ok = await send('POST', `/api/people/link-requests/${requestId}/approve`, officer, { targetId: registered.id, note: 'đã đối chiếu CCCD' });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json().request).toMatchObject({ status: 'approved', targetId: registered.id });
    expect((await get('/api/me/person', citizen)).json().person.id).toBe(registered.id);
    expect((await get('/api/me/link-requests', citizen)).json().items[0]).toMatchObject({ status: 'approved', decisionNote: 'đã đối chiếu CCCD' });
    // replay
    expect((await send('POST', `/api/people/link-requests/${requestId}/approve`, officer, { targetId: registered.id })).statusCode).toBe(409);
    expect((await send('POST', `/api/people/link-requests/${requestId}/reject`, officer, { note: 'x' })).statusCode).toBe(409);
  });

  it('links a dependant typed in earlier, or is rejected with a note', async () => {
    const child = await registryRecord({ fullName: 'Đặng Gia Bảo', birthYear: 2016, nationalId: null, phone: null });
    const parent = await t.login('citizen', '40');
    await send('PUT', '/api/me/person', parent, { fullName: 'Đặng Văn Hùng', phone: uniquePhone(), communeCode: communes[0]!.code });
    const dep = await send('POST', '/api/me/dependants', parent, { relationship: 'child', person: { fullName: 'Đặng Gia Bảo', birthYear: 2016, communeCode: communes[0]!.code } });
    const typedChild = dep.json().items[0].id as string;
    const ask = await send('POST', '/api/me/link-requests', parent, { personId: typedChild });
    expect(ask.statusCode, ask.body).toBe(201);
    expect(ask.json().request.kind).toBe('dependant');
    // someone else's record cannot be asked for
    const stranger = await t.login('citizen', '40');
    await send('PUT', '/api/me/person', stranger, { fullName: 'Người Khác', phone: uniquePhone(), communeCode: communes[0]!.code });
    expect((await send('POST', '/api/me/link-requests', stranger, { personId: child.id })).statusCode).toBe(403);

    const ok = await send('POST', `/api/people/link-requests/${ask.json().request.id}/approve`, officer, { targetId: child.id });
    expect(ok.statusCode, ok.body).toBe(200);
    const deps = await get('/api/me/dependants', parent);
    expect(deps.json().items.map((d: { id: string }) => d.id)).toEqual([child.id]);

    // rejection
    const dep2 = await send('POST', '/api/me/dependants', parent, { relationship: 'child', person: { fullName: 'Đặng Gia Hân', birthYear: 2018, communeCode: communes[0]!.code } });
    const second = dep2.json().items.find((d: { fullName: string }) => d.fullName === 'Đặng Gia Hân').id;
    const ask2 = await send('POST', '/api/me/link-requests', parent, { personId: second });
    expect((await send('POST', `/api/people/link-requests/${ask2.json().request.id}/reject`, officer, { note: 'không tìm thấy hồ sơ' })).statusCode).toBe(204);
    const mine = (await get('/api/me/link-requests', parent)).json().items.find((r: { id: string }) => r.id === ask2.json().request.id);
    expect(mine).toMatchObject({ status: 'rejected', decisionNote: 'không tìm thấy hồ sơ' });
  });
});
