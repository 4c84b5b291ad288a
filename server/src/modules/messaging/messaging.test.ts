// The notification centre, campaigns and accounts by phone, through HTTP and the real queue, sending to a real SMSC
// process (test/smsc.ts): what the SMSC receives is what a phone would get.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { testContext, type LoggedIn, type TestContext } from '../../../test/helpers';
import { Smsc } from '../../../test/smsc-process';
import { drained } from './index';

let t: TestContext;
let smsc: Smsc;
let cdc: LoggedIn;
let commune: string;
let seq = 0;
const uniquePhone = () => `09${String(31_000_000 + ++seq * 7919).slice(-8)}`;
const e164 = (national: string) => `84${national.slice(1)}`;

const send = (method: 'POST' | 'PUT' | 'DELETE', url: string, who: LoggedIn | null, payload?: unknown) =>
  t.app.inject({ method, url, headers: who?.headers ?? { 'x-requested-with': 'vigil' }, ...(payload !== undefined && { payload: payload as object }) });
const get = (url: string, who: LoggedIn | null) => t.app.inject({ method: 'GET', url, headers: who?.headers ?? {} });

/** Texts the SMSC received for a destination (parts joined). */
const textsTo = (national: string) => {
  const subs = smsc.submits().filter((s) => s.dest === e164(national));
  return subs.map((s) => String(s.text)).join('');
};
const codeSentTo = async (national: string) => {
  const l = await smsc.next((s) => s.ev === 'submit' && s.dest === e164(national) && /\d{6}/.test(String(s.text)), 20_000, smsc.lines.length - 50 > 0 ? smsc.lines.length - 50 : 0);
  return String(l.text).match(/(\d{6})/)![1]!;
};
const settle = async () => {
  await t.events.settled();
  await drained(t.db);
  // receipts: every accepted notification has its final status
  await expect.poll(async () => Number((await sql<{ n: string }>`select count(*) as n from notifications where status in ('accepted', 'queued', 'sending')`.execute(t.db)).rows[0]!.n), { timeout: 20_000 }).toBe(0);
};

beforeAll(async () => {
  smsc = await Smsc.start({ SMSC_UNDELIVERABLE: '9999' });
  t = await testContext({ config: { smsProvider: 'smpp', smppUrl: smsc.url(), smsTps: 500, smsRetryDelaySeconds: 0 } });
  const rows = await t.db.selectFrom('admin_units').select('code').where('level', '=', 'commune').where('path', 'like', '/VN/40/%').orderBy('code').limit(2).execute();
  commune = rows[0]!.code;
  cdc = await t.login('cdc_officer', '40');
}, 60_000);
afterAll(async () => {
  await t?.close();
  await smsc?.stop();
});

describe('notification centre', () => {
  it('sends what a module asks for by event, once per recipient + purpose + subject, and keeps its delivery status', async () => {
    const a = uniquePhone();
    const b = uniquePhone();
    const bad = '0912349999'; // the SMSC reports it undeliverable
    const request = {
      purpose: 'contact.warning',
      subject: 'case:T-1',
      recipients: [{ phone: a, unitCode: commune }, { phone: b, unitCode: commune }, { phone: bad, unitCode: commune }, { phone: 'not a phone' }],
      vars: { sender: 'Sở Y tế Nghệ An', place: 'Chợ Vinh', date: '12/8', until: '26/8', hotline: '1900 9095' },
    };
    await t.db.transaction().execute((trx) => t.events.publish(trx, 'messaging.requested', request));
    // the same notice asked again (a retried handler upstream, a second click): nothing new is sent
    await t.db.transaction().execute((trx) => t.events.publish(trx, 'messaging.requested', request));
    await settle();
    expect(textsTo(a)).toBe('Sở Y tế Nghệ An: Bạn đã ở cùng nơi với một ca bệnh (Chợ Vinh, 12/8). Hãy tự cách ly tại nhà đến hết ngày 26/8, theo dõi sức khỏe và gọi 1900 9095 nếu sốt, ho, khó thở.');
    const partsA = smsc.submits().filter((s) => s.dest === e164(a));
    expect(partsA.length).toBe(3);
    expect(partsA.every((p) => p.dataCoding === 8)).toBe(true);
    const rows = await t.db.selectFrom('notifications').select(['recipient', 'status', 'parts', 'error']).where('subject', '=', 'case:T-1').orderBy('recipient').execute();
    expect(rows).toEqual(
      [
        { recipient: `+${e164(a)}`, status: 'delivered', parts: 3, error: null },
        { recipient: `+${e164(b)}`, status: 'delivered', parts: 3, error: null },
        { recipient: `+${e164(bad)}`, status: 'failed', parts: 3, error: 'receipt: UNDELIV err:001' },
      ].sort((x, y) => x.recipient.localeCompare(y.recipient)),
    );
  }, 60_000);

  it('retries through SMSC throttling and a restart without losing or repeating a part', async () => {
    // the SMSC restarts on the same port, this time allowing 3 submit_sm per second
    const port = String(smsc.port);
    await smsc.stop();
    const phones = Array.from({ length: 5 }, uniquePhone);
    await t.db.transaction().execute((trx) =>
      t.events.publish(trx, 'messaging.requested', { purpose: 'campaign', subject: 'throttle-1', recipients: phones.map((phone) => ({ phone, unitCode: commune })), vars: { text: 'Vigil: nhac nho cai dat ung dung va quet ma QR khi den noi cong cong. '.repeat(3) } }),
    );
    await t.events.settled();
    // while the SMSC is down the rows wait with the reason
    await expect.poll(async () => (await t.db.selectFrom('notifications').select('error').where('subject', '=', 'throttle-1').execute()).some((r) => r.error?.startsWith('NOT_BOUND')), { timeout: 30_000 }).toBe(true);
    smsc = await Smsc.start({ SMSC_PORT: port, SMSC_TPS: '3' });
    await settle();
    const rows = await t.db.selectFrom('notifications').select(['status', 'attempts']).where('subject', '=', 'throttle-1').execute();
    expect(rows.every((r) => r.status === 'delivered')).toBe(true);
    expect(smsc.lines.some((l) => l.ev === 'throttled')).toBe(true);
    // each of the 2 parts of each text reached the SMSC exactly once
    for (const p of phones) {
      const seqs = smsc.submits().filter((s) => s.dest === e164(p)).map((s) => (s.concat as { seq: number }).seq).sort();
      expect(seqs).toEqual([1, 2]);
    }
  }, 90_000);

  it('records a STOP reply as an opt-out: campaigns skip the phone, one-time codes still reach it', async () => {
    const p = uniquePhone();
    smsc.command({ cmd: 'mo', from: e164(p), text: 'STOP' });
    await expect.poll(async () => !!(await t.db.selectFrom('sms_opt_outs').select('phone').where('phone', '=', `+${e164(p)}`).executeTakeFirst()), { timeout: 20_000 }).toBe(true);
    const c = await send('POST', '/api/messaging/campaigns', cdc, { name: 'Nhắc nhở', textVi: 'Vigil: nhac nho {name}', unitCode: commune, source: { kind: 'list', rows: [{ phone: p, name: 'An' }, { phone: uniquePhone(), name: 'Binh' }] } });
    expect(c.statusCode, c.body).toBe(201);
    await settle();
    const statuses = await t.db.selectFrom('notifications').select(['recipient', 'status']).where('campaign_id', '=', c.json().id).execute();
    expect(statuses.find((s) => s.recipient === `+${e164(p)}`)!.status).toBe('opted_out');
    expect(textsTo(p)).toBe('');
    const code = await send('POST', '/api/public/signup/code', null, { phone: p });
    expect(code.statusCode, code.body).toBe(202);
    expect(await codeSentTo(p)).toMatch(/^\d{6}$/);
  }, 60_000);

  it('ignores a receipt for an id it never sent', async () => {
    smsc.command({ cmd: 'receipt', id: 'NOSUCHID', stat: 'DELIVRD' });
    await expect.poll(async () => !!(await t.db.selectFrom('sms_receipts').select('message_id').where('message_id', '=', 'NOSUCHID').executeTakeFirst()), { timeout: 20_000 }).toBe(true);
    expect((await get('/api/messaging/provider', cdc)).statusCode).toBe(200);
  });
});

describe('campaigns', () => {
  it('dry-runs a list with per-row errors, then sends it and shows progress per status', async () => {
    const phones = [uniquePhone(), uniquePhone()];
    const csv = `phone,name\n${phones[0]},Lan\nabc,Hùng\n${phones[1]},Minh\n0123,X\n`;
    const file = await t.app.inject({ method: 'POST', url: '/api/messaging/campaigns/list-file', headers: { ...cdc.headers, 'content-type': 'text/csv' }, payload: csv });
    expect(file.statusCode, file.body).toBe(200);
    expect(file.json().rows).toHaveLength(2);
    expect(file.json().errors.map((e: { row: number }) => e.row)).toEqual([3, 5]);
    const body = { name: 'Mời tiêm', textVi: 'Sở Y tế: {name} ơi, mời đến trạm y tế tiêm mũi 2 sáng mai.', unitCode: commune, source: { kind: 'list', rows: [...file.json().rows, { phone: 'sai số' }] } };
    const dry = await send('POST', '/api/messaging/campaigns', cdc, { ...body, dryRun: true });
    expect(dry.statusCode, dry.body).toBe(200);
    expect(dry.json()).toMatchObject({ count: 2, optedOut: 0, invalidCount: 1, invalid: [{ row: 3, message: 'is not a valid phone number' }] });
    expect(dry.json().sample[0].text).toBe('Sở Y tế: Lan ơi, mời đến trạm y tế tiêm mũi 2 sáng mai.');
    expect(await t.db.selectFrom('sms_campaigns').select('id').where('name', '=', 'Mời tiêm').execute()).toHaveLength(0); // a dry run sends nothing
    const later = await send('POST', '/api/messaging/campaigns', cdc, { ...body, name: 'Mời tiêm (hẹn giờ)', scheduledAt: new Date(Date.now() + 3600_000).toISOString() });
    expect(later.json()).toMatchObject({ status: 'scheduled', counts: {} });
    const now = await send('POST', '/api/messaging/campaigns', cdc, body);
    expect(now.statusCode, now.body).toBe(201);
    await settle();
    const list = await get('/api/messaging/campaigns', cdc);
    const item = list.json().items.find((c: { id: string }) => c.id === now.json().id);
    expect(item).toMatchObject({ recipients: 2, counts: { delivered: 2 } });
    expect(textsTo(phones[1]!)).toBe('Sở Y tế: Minh ơi, mời đến trạm y tế tiêm mũi 2 sáng mai.');
    const cancel = await send('POST', `/api/messaging/campaigns/${later.json().id}/cancel`, cdc);
    expect(cancel.statusCode).toBe(200);
  }, 60_000);

  it('warns everyone checked in at an exposure venue in a window, by the venues module’s data', async () => {
    const v = await send('POST', '/api/venues', cdc, { name: 'Chợ Ga Vinh', type: 'market', address: '1 Lê Ninh', communeCode: commune });
    expect(v.statusCode, v.body).toBe(201);
    const token = v.json().entrances[0].checkinUrl.split('/c/')[1];
    const visitors = [uniquePhone(), uniquePhone()];
    for (const [i, phone] of visitors.entries()) {
      const r = await t.app.inject({ method: 'POST', url: '/api/checkins', payload: { clientId: crypto.randomUUID(), venueToken: token, people: [{ fullName: ['Trần Văn Khải', 'Lê Thị Nga'][i], phone, birthYear: 1990 + i, communeCode: commune }] } });
      expect(r.statusCode, r.body).toBe(201);
    }
    const source = { kind: 'venue_exposure', venueId: v.json().venue.id, from: new Date(Date.now() - 3600_000).toISOString(), to: new Date(Date.now() + 60_000).toISOString() };
    const body = { name: 'Cảnh báo Chợ Ga', textVi: 'Sở Y tế: {name}, bạn đã đến Chợ Ga Vinh hôm nay cùng lúc với một ca bệnh. Hãy theo dõi sức khỏe.', unitCode: commune, source };
    const dry = await send('POST', '/api/messaging/campaigns', cdc, { ...body, dryRun: true });
    expect(dry.json()).toMatchObject({ count: 2, invalidCount: 0 });
    expect((await send('POST', '/api/messaging/campaigns', cdc, body)).statusCode).toBe(201);
    await settle();
    for (const [i, phone] of visitors.entries()) expect(textsTo(phone)).toBe(`Sở Y tế: ${['Trần Văn Khải', 'Lê Thị Nga'][i]}, bạn đã đến Chợ Ga Vinh hôm nay cùng lúc với một ca bệnh. Hãy theo dõi sức khỏe.`);
  }, 60_000);

  it('refuses campaigns and lists outside the officer’s jurisdiction and without the permission', async () => {
    const hanoi = await t.login('cdc_officer', '01');
    const body = { name: 'x', textVi: 'x', unitCode: commune, source: { kind: 'commune_residents', communeCode: commune } };
    expect((await send('POST', '/api/messaging/campaigns', hanoi, body)).statusCode).toBe(403);
    expect((await send('POST', '/api/messaging/campaigns', hanoi, { ...body, unitCode: '01' })).statusCode).toBe(403); // the filter reaches Nghệ An
    const communeOfficer = await t.login('commune_officer', commune);
    expect((await send('POST', '/api/messaging/campaigns', communeOfficer, body)).statusCode).toBe(403); // read only
    const citizen = await t.login('citizen', commune);
    expect((await get('/api/messaging/notifications', citizen)).statusCode).toBe(403);
    expect((await get('/api/messaging/notifications', null)).statusCode).toBe(401);
    // hostile query strings: refused with a 400, never a 500 (and the audit row names only known filters)
    expect((await get('/api/messaging/notifications?q=%00', cdc)).statusCode).toBe(400);
    expect((await get('/api/messaging/notifications?q=x', cdc)).statusCode).toBe(200);
    expect((await get('/api/messaging/notifications?purpose=%00', cdc)).statusCode).toBe(400);
    const theirs = await get('/api/messaging/notifications?limit=500', hanoi);
    expect(theirs.json().items).toEqual([]);
    const unknownVar = await send('POST', '/api/messaging/campaigns', cdc, { ...body, textVi: 'Xin chào {ten}' });
    expect(unknownVar.statusCode).toBe(400);
    expect(unknownVar.json().error.details[0].path).toBe('body.textVi');
    expect((await send('POST', '/api/messaging/campaigns', cdc, { ...body, name: 'a\u0000b' })).statusCode).toBe(400);
    expect((await send('POST', '/api/messaging/campaigns', cdc, { ...body, source: { kind: 'venue_exposure', venueId: '00000000-0000-0000-0000-000000000000', from: '2021-08-01T00:00:00Z', to: '2021-08-02T00:00:00Z' } })).json().error.details[0].path).toBe('body.source.venueId');
  });

  it('gives daily figures per area and purpose within the jurisdiction', async () => {
    const yesterday = new Date(Date.now() - 86400_000).toISOString().slice(0, 10);
    const tomorrow = new Date(Date.now() + 86400_000).toISOString().slice(0, 10);
    const r = await get(`/api/messaging/figures?from=${yesterday}&to=${tomorrow}`, cdc);
    expect(r.statusCode, r.body).toBe(200);
    const warning = r.json().items.filter((i: { purpose: string; unitCode: string }) => i.purpose === 'contact.warning' && i.unitCode === commune);
    expect(warning.reduce((s: number, i: { sent: number }) => s + i.sent, 0)).toBe(3);
    expect(warning.reduce((s: number, i: { delivered: number }) => s + i.delivered, 0)).toBe(2);
    expect(warning.reduce((s: number, i: { failed: number }) => s + i.failed, 0)).toBe(1);
    const hanoi = await t.login('cdc_officer', '01');
    expect((await get(`/api/messaging/figures?from=${yesterday}&to=${tomorrow}`, hanoi)).json().items).toEqual([]);
    expect((await get(`/api/messaging/figures?from=${tomorrow}&to=${yesterday}`, cdc)).statusCode).toBe(400);
  });
});

describe('accounts by phone', () => {
  it('signs up with a one-time code sent by SMS, then signs in with the phone and password', async () => {
    const phone = uniquePhone();
    const start = await send('POST', '/api/public/signup/code', null, { phone });
    expect(start.statusCode, start.body).toBe(202);
    expect(start.json().sentTo).toMatch(/•+\d{3}$/);
    const code = await codeSentTo(phone);
    const wrong = await send('POST', '/api/public/signup', null, { requestId: start.json().requestId, code: code === '000000' ? '111111' : '000000', password: 'Mat-khau-dai-2021', displayName: 'Lê Văn Tám' });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().error.code).toBe('OTP_WRONG');
    const weak = await send('POST', '/api/public/signup', null, { requestId: start.json().requestId, code, password: '123', displayName: 'Lê Văn Tám' });
    expect(weak.statusCode).toBe(400);
    expect(weak.json().error.details[0].path).toBe('body.password');
    const ok = await send('POST', '/api/public/signup', null, { requestId: start.json().requestId, code, password: 'Mat-khau-dai-2021', displayName: 'Lê Văn Tám' });
    expect(ok.statusCode, ok.body).toBe(201);
    expect(ok.json().user.username).toBe(e164(phone));
    const cookie = String(ok.headers['set-cookie']).split(';')[0];
    const me = await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: { cookie } });
    expect(me.json().user.role).toBe('citizen');
    // the code works once
    const replay = await send('POST', '/api/public/signup', null, { requestId: start.json().requestId, code, password: 'Mat-khau-dai-2021', displayName: 'X' });
    expect(replay.statusCode).toBe(409);
    // the SMS text is not kept once sent
    await settle();
    const stored = await t.db.selectFrom('notifications').select('body').where('subject', '=', `otp:${start.json().requestId}`).executeTakeFirstOrThrow();
    expect(stored.body).toBe('');
    // a second account for the same phone: refused after the code
    const again = await send('POST', '/api/public/signup/code', null, { phone });
    const code2 = await codeSentTo(phone).then(async (c) => (c === code ? (await smsc.next((s) => s.ev === 'submit' && s.dest === e164(phone) && !String(s.text).includes(code))).text : c));
    const dup = await send('POST', '/api/public/signup', null, { requestId: again.json().requestId, code: String(code2).match(/\d{6}/)![0], password: 'Mat-khau-dai-2021', displayName: 'Y' });
    expect(dup.statusCode).toBe(409);
  }, 60_000);

  it('limits codes per phone, counts wrong attempts and refuses an expired or unknown request', async () => {
    const phone = uniquePhone();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await send('POST', '/api/public/signup/code', null, { phone })).json().requestId);
    const fourth = await send('POST', '/api/public/signup/code', null, { phone });
    expect(fourth.statusCode).toBe(429);
    expect(fourth.headers['retry-after']).toBeDefined();
    for (let i = 0; i < 5; i++) expect((await send('POST', '/api/public/signup', null, { requestId: ids[0], code: '000000', password: 'Mat-khau-dai-2021', displayName: 'Z' })).statusCode).toBe(400);
    const locked = await send('POST', '/api/public/signup', null, { requestId: ids[0], code: '000000', password: 'Mat-khau-dai-2021', displayName: 'Z' });
    expect(locked.json().error.code).toBe('OTP_ATTEMPTS');
    await sql`update otp_codes set expires_at = now() - interval '1 minute' where id = ${ids[1]}`.execute(t.db);
    expect((await send('POST', '/api/public/signup', null, { requestId: ids[1], code: '000000', password: 'Mat-khau-dai-2021', displayName: 'Z' })).json().error.code).toBe('OTP_EXPIRED');
    expect((await send('POST', '/api/public/signup', null, { requestId: 'nope', code: '000000', password: 'Mat-khau-dai-2021', displayName: 'Z' })).statusCode).toBe(404);
    expect((await send('POST', '/api/public/signup/code', null, { phone: '12' })).statusCode).toBe(400);
  }, 60_000);

  it('links an account to an existing record by a code sent to that record’s phone', async () => {
    const officer = await t.login('commune_officer', commune);
    const recordPhone = uniquePhone();
    const rec = await send('POST', '/api/people', officer, { fullName: 'Hoàng Thị Mai', birthYear: 1985, sex: 'female', phone: recordPhone, communeCode: commune });
    expect(rec.statusCode, rec.body).toBe(201);
    const citizen = await t.login('citizen', commune);
    // the citizen types their details with a new phone: a new record, not the registry one
    const typed = await send('PUT', '/api/me/person', citizen, { fullName: 'Hoàng Thị Mai', birthYear: 1985, phone: uniquePhone(), communeCode: commune });
    expect(typed.statusCode, typed.body).toBe(200);
    const own = typed.json().person.id;
    expect(own).not.toBe(rec.json().person.id);
    const ask = await send('POST', '/api/me/link-requests/code', citizen, { personId: own });
    expect(ask.statusCode, ask.body).toBe(202);
    expect(ask.json().sentTo).toBe(`••••••••${recordPhone.slice(-3)}`);
    const code = await codeSentTo(recordPhone);
    // another citizen cannot use the request
    const other = await t.login('citizen', commune);
    expect((await send('POST', `/api/me/link-requests/${ask.json().requestId}/code`, other, { code })).statusCode).toBe(404);
    const ok = await send('POST', `/api/me/link-requests/${ask.json().requestId}/code`, citizen, { code });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toEqual({ personId: rec.json().person.id, merged: true });
    await t.events.settled();
    const me = await get('/api/me/person', citizen);
    expect(me.json().person.id).toBe(rec.json().person.id);
    // no session: refused
    expect((await send('POST', '/api/me/link-requests/code', null, { personId: own })).statusCode).toBe(401);
  }, 60_000);
});
