// Correcting results undoes (or redoes) what they set off, over HTTP on the real database:
// - an individual positive corrected to negative: `test.positive-withdrawn`; the case it created, with nothing else
//   behind it, is discarded (status and reason on the case page and list, contacts' orders ended "case discarded",
//   exposure notices withdrawn, audit; each contact whose order ended is told by SMS, in their language, without the
//   case's name);
// - the same correction when the case stands on something else (an officer confirmed it, another positive): the case
//   stays, flagged for an officer's review (and the flag goes once reviewed);
// - a pooled positive corrected to negative: its open retest tasks are cancelled;
// - a negative corrected to positive: a case, as for any new positive.
// And result SMS to a shared phone: one message per person, named by initials and given name.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testContext, type LoggedIn, type TestContext } from '../../../test/helpers';
import { personalQrToken } from '../people';
import { scenario, type Scenario } from './test-fixtures';
import { shortName } from './results';

let t: TestContext;
let s: Scenario;
const now = new Date('2021-08-12T05:00:00Z');
let sampler: LoggedIn;
let lab: LoggedIn;
let cdc: LoggedIn;

const inject = (method: 'GET' | 'POST' | 'PATCH', url: string, who: LoggedIn, payload?: unknown) => t.app.inject({ method, url, headers: who.headers, ...(payload !== undefined && { payload: payload as object }) });
const qr = (id: string) => personalQrToken(t.app.vigil.keys, id);
let tubeNo = 0;
async function tube(people: string[], collectedAt = '2021-08-12T01:00:00Z') {
  const code = `C-${String(++tubeNo).padStart(4, '0')}`;
  const res = await inject('POST', '/api/testing/samples', sampler, { tubeCode: code, testType: 'rt-pcr', collectedAt, pointCode: 'CR-01', people: people.map((id) => ({ token: qr(id) })) });
  expect(res.statusCode, res.body).toBe(201);
  return { code, id: res.json().sample.id as string };
}
async function result(tubeCode: string, r: string, reason?: string) {
  const res = await inject('POST', '/api/testing/results', lab, { tubeCode, result: r, resultedAt: '2021-08-12T04:00:00Z', labCode: 'LAB-NA', ...(reason && { reason }) });
  expect(res.statusCode, res.body).toBe(200);
  await t.events.settled();
  return res.json();
}
const caseOf = (personId: string) => t.db.selectFrom('cases').selectAll().where('person_id', '=', personId).orderBy('created_at', 'desc').executeTakeFirst();

beforeAll(async () => {
  t = await testContext({ clock: () => now });
  s = await scenario(t.db);
  sampler = await t.login('commune_officer', s.commune);
  lab = await t.login('lab_staff', '40');
  cdc = await t.login('cdc_officer', '40');
  const res = await inject('POST', '/api/testing/points', cdc, { code: 'CR-01', name: 'Trạm y tế', communeCode: s.commune });
  expect(res.statusCode, res.body).toBe(201);
});
afterAll(async () => {
  await t?.close();
});

describe('correcting a positive to negative', () => {
  it('discards the case it created: status and reason, contacts\' orders ended, notices withdrawn, audit', async () => {
    const person = await s.person('Nguyễn Văn Sai');
    const contact = await s.person('Trần Thị Tiếp', { phone: '+84912345100' });
    const visitor = await s.person('John Smith', { phone: '+447911123456' }); // a foreign phone: told in English
    const { code } = await tube([person]);
    await result(code, 'positive');
    const c = (await caseOf(person))!;
    expect(c).toMatchObject({ origin: 'test', status: 'active' });
    // what tracing would have left: a contact under orders and a published exposure notice
    await t.db
      .insertInto('case_contacts')
      .values([
        { case_id: c.id, person_id: contact, level: 1, unit_code: s.commune, order_kind: 'quarantine', order_start: '2021-08-12', order_end: '2021-08-26', origin: 'manual' },
        { case_id: c.id, person_id: visitor, level: 2, unit_code: s.commune, order_kind: 'monitoring', order_start: '2021-08-11', order_end: '2021-08-18', origin: 'manual' },
      ])
      .execute();
    await t.db.insertInto('exposure_notices').values({ case_id: c.id, venue_id: c.id, from_at: new Date('2021-08-11T01:00:00Z'), to_at: new Date('2021-08-11T02:00:00Z') }).execute();

    const fixed = await result(code, 'negative', 'mẫu bị nhầm nhãn');
    expect(fixed).toMatchObject({ status: 'corrected' });

    const page = await inject('GET', `/api/cases/${c.id}`, cdc);
    expect(page.statusCode, page.body).toBe(200);
    expect(page.json().case).toMatchObject({ status: 'discarded', statusReason: expect.stringContaining('mẫu bị nhầm nhãn'), review: null });
    const list = await inject('GET', '/api/cases?status=discarded', cdc);
    expect(list.statusCode, list.body).toBe(200);
    expect(list.json().items.map((x: { id: string }) => x.id)).toContain(c.id);
    const k = await t.db.selectFrom('case_contacts').selectAll().where('case_id', '=', c.id).where('person_id', '=', contact).executeTakeFirstOrThrow();
    expect(k).toMatchObject({ status: 'ended', end_reason: 'case discarded', order_end: '2021-08-12' });
    // each contact is told by SMS that the order ended (Vietnamese; English for the foreign phone), never who the case was
    const sms = await t.db.selectFrom('notifications').select(['person_id', 'recipient', 'lang', 'body']).where('purpose', '=', 'contact.order-ended').orderBy('recipient').execute();
    expect(sms.map((x) => [x.person_id, x.recipient, x.lang])).toEqual([
      [visitor, '+447911123456', 'en'],
      [contact, '+84912345100', 'vi'],
    ]);
    const [en, vi] = [sms[0]!.body, sms[1]!.body];
    expect(vi).toMatch(/Lệnh cách ly tại nhà của bạn \(từ ngày 12\/08\/2021\) đã kết thúc hôm nay 12\/08\/2021/);
    expect(vi).toContain('Bạn không cần ở nhà vì lệnh này nữa');
    expect(en).toMatch(/Your health monitoring order \(from 11\/08\/2021\) ended today, 12\/08\/2021/);
    expect(en).toContain('You no longer need to stay at home for it');
    for (const x of sms) expect(x.body).not.toMatch(/Sai|Nguyễn Văn|mẫu bị nhầm nhãn/);
    const n = await t.db.selectFrom('exposure_notices').select('withdrawn_at').where('case_id', '=', c.id).executeTakeFirstOrThrow();
    expect(n.withdrawn_at).not.toBeNull();
    const publicList = await t.app.inject({ method: 'GET', url: '/api/public/exposure-notices' });
    expect(publicList.statusCode, publicList.body).toBe(200);
    expect(publicList.json().items).toEqual([]);
    const audit = await t.db.selectFrom('audit_log').selectAll().where('action', '=', 'case.discard').where('subject_id', '=', c.id).execute();
    expect(audit).toHaveLength(1);
  });

  it('leaves a case an officer confirmed, flagged for review; the flag goes once reviewed', async () => {
    const person = await s.person('Lê Văn Chắc');
    const made = await inject('POST', '/api/cases', cdc, { personId: person, communeCode: s.commune, confirmedAt: '2021-08-12T00:00:00Z', source: 'community' });
    expect(made.statusCode, made.body).toBe(201);
    const caseId = made.json().case.id;
    const { code } = await tube([person]);
    await result(code, 'positive');
    await result(code, 'negative', 'nhập nhầm');
    const page = await inject('GET', `/api/cases/${caseId}`, cdc);
    expect(page.json().case).toMatchObject({ status: 'active', review: { reason: expect.stringContaining('officer') } });
    const reviewed = await inject('PATCH', `/api/cases/${caseId}`, cdc, { reviewed: true });
    expect(reviewed.statusCode, reviewed.body).toBe(200);
    expect(reviewed.json().case.review).toBeNull();
  });

  it('leaves a case when the person has another positive, flagged for review', async () => {
    const person = await s.person('Phạm Thị Hai Lần');
    const first = await tube([person], '2021-08-11T01:00:00Z');
    await result(first.code, 'positive');
    const c = (await caseOf(person))!;
    const second = await tube([person]);
    await result(second.code, 'positive');
    await result(first.code, 'negative', 'nhầm ống');
    const after = (await caseOf(person))!;
    expect(after).toMatchObject({ id: c.id, status: 'active' });
    expect(after.review_reason).toMatch(/another positive/);
  });

  it('a pooled positive corrected to negative cancels its open retest tasks', async () => {
    const a = await s.person('Võ Văn Gộp');
    const b = await s.person('Đỗ Thị Gộp');
    const { code, id } = await tube([a, b]);
    expect(await result(code, 'positive')).toMatchObject({ retestTasks: 2 });
    await result(code, 'negative', 'phòng thí nghiệm sửa');
    const tasks = await t.db.selectFrom('testing_tasks').select('status').where('sample_id', '=', id).execute();
    expect(tasks.map((x) => x.status)).toEqual(['cancelled', 'cancelled']);
    expect(await caseOf(a)).toBeUndefined();
  });
});

describe('correcting a negative to positive', () => {
  it('behaves like a new positive: the person becomes a case', async () => {
    const person = await s.person('Bùi Văn Muộn');
    const { code } = await tube([person]);
    await result(code, 'negative');
    expect(await caseOf(person)).toBeUndefined();
    await result(code, 'positive', 'đọc lại kết quả');
    expect(await caseOf(person)).toMatchObject({ origin: 'test', status: 'active' });
  });

  it('a discarded case\'s person positive again: a new case', async () => {
    const person = await s.person('Hoàng Thị Lại');
    const { code } = await tube([person]);
    await result(code, 'positive');
    const first = (await caseOf(person))!;
    await result(code, 'negative', 'nhầm');
    await result(code, 'positive', 'xác nhận lại');
    const all = await t.db.selectFrom('cases').select(['id', 'status']).where('person_id', '=', person).execute();
    expect(all).toHaveLength(2);
    const again = all.find((x) => x.id !== first.id)!;
    expect(again.status).toBe('active');
    expect((await t.db.selectFrom('cases').select('status').where('id', '=', first.id).executeTakeFirstOrThrow()).status).toBe('discarded');
  });
});

describe('result SMS to a phone two people share', () => {
  it('sends each person their own message, naming them by initials and given name only', async () => {
    const phone = '+84912345001';
    const mother = await s.person('Nguyễn Thị Mai', { phone });
    const child = await s.person('Trần Minh Khôi', { phone });
    const { code } = await tube([mother, child]);
    await result(code, 'negative');
    const sms = await t.db.selectFrom('notifications').select(['person_id', 'body', 'recipient']).where('purpose', '=', 'test.result').where('person_id', 'in', [mother, child]).execute();
    expect(sms).toHaveLength(2);
    const body = (id: string) => sms.find((x) => x.person_id === id)!.body;
    expect(body(mother)).toContain('N.T. Mai');
    expect(body(child)).toContain('T.M. Khôi');
    for (const x of sms) expect(x.body).not.toMatch(/Nguyễn Thị Mai|Trần Minh Khôi/);
  });

  it('shortName: initials then the given name', () => {
    expect(shortName('Nguyễn Văn An')).toBe('N.V. An');
    expect(shortName('  lê   thị  hồng ')).toBe('L.T. hồng');
    expect(shortName('Bảo')).toBe('Bảo');
  });
});
