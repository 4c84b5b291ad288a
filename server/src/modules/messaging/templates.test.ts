// Editable templates over HTTP: read, preview, save (national staff only; variables validated), used for the next
// notice; every change kept and audited; attackers refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testContext, type LoggedIn, type TestContext } from '../../../test/helpers';

let t: TestContext;
let admin: LoggedIn;
let cdc: LoggedIn;
const url = '/api/messaging/templates/contact.warning';
const req = (method: 'GET' | 'PUT' | 'POST', u: string, who: LoggedIn | null, payload?: object) => t.app.inject({ method, url: u, headers: who?.headers ?? {}, ...(payload && { payload }) });
const edited = {
  textVi: '{sender}: Bạn là người tiếp xúc ({place}, {date}). Ở nhà đến hết {until}. Gọi {hotline} nếu sốt.',
  textEn: '{sender}: You are a contact ({place}, {date}). Stay home until {until}. Call {hotline} if feverish.',
};

beforeAll(async () => {
  t = await testContext();
  admin = await t.login('national_admin', 'VN');
  cdc = await t.login('cdc_officer', '40');
});
afterAll(async () => {
  await t?.close();
});

describe('templates', () => {
  it('lists each purpose with its variables; previews with sample values and parts', async () => {
    const list = await req('GET', '/api/messaging/templates', cdc);
    expect(list.statusCode, list.body).toBe(200);
    const w = list.json().items.find((x: { purpose: string }) => x.purpose === 'contact.warning');
    expect(w).toMatchObject({ edited: false, variables: ['sender', 'place', 'date', 'until', 'hotline'] });
    const p = await req('POST', `${url}/preview`, cdc, edited);
    expect(p.statusCode, p.body).toBe(200);
    expect(p.json().vi.text).toBe('Sở Y tế Nghệ An: Bạn là người tiếp xúc (Chợ Vinh, 12/08). Ở nhà đến hết 26/08/2021. Gọi 1900 9095 nếu sốt.');
    expect(p.json().vi.parts).toBeGreaterThanOrEqual(1);
  });

  it('refuses unknown, unclosed and dropped required variables, naming the field', async () => {
    const bad = await req('POST', `${url}/preview`, cdc, { ...edited, textEn: 'Hi {name}' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details[0]).toMatchObject({ path: 'body.textEn', message: expect.stringMatching(/unknown variable \{name\}/) });
    expect((await req('POST', `${url}/preview`, cdc, { ...edited, textVi: 'Gọi {hotline' })).json().error.details[0].path).toBe('body.textVi');
    const otp = await req('PUT', '/api/messaging/templates/otp.signup', admin, { textVi: 'Vigil: ma cua ban', textEn: 'Vigil: your code' });
    expect(otp.statusCode).toBe(400);
    expect(otp.json().error.details[0].message).toMatch(/must keep \{code\}/);
    expect((await req('PUT', '/api/messaging/templates/nope', admin, edited)).statusCode).toBe(404);
    expect((await req('PUT', url, admin, { ...edited, textVi: 'a\u0000b' })).statusCode).toBe(400);
    expect((await req('PUT', url, admin, { ...edited, textVi: 'x'.repeat(5000) })).statusCode).toBe(400);
  });

  it('only national staff change them; no session, citizens, venue operators and provincial officers are refused', async () => {
    expect((await req('PUT', url, cdc, edited)).statusCode).toBe(403); // provincial: templates are national
    expect((await req('PUT', url, await t.login('citizen', '40'), edited)).statusCode).toBe(403);
    expect((await req('PUT', url, await t.login('venue_operator', '40'), edited)).statusCode).toBe(403);
    expect((await req('PUT', url, null, edited)).statusCode).toBe(401);
    expect((await req('GET', '/api/messaging/templates', null)).statusCode).toBe(401);
    expect((await req('GET', '/api/messaging/templates', await t.login('citizen', '40'))).statusCode).toBe(403);
  });

  it('a saved text is used for the next notice, kept in the history and audited with before/after', async () => {
    const saved = await req('PUT', url, admin, edited);
    expect(saved.statusCode, saved.body).toBe(200);
    expect(saved.json()).toMatchObject({ edited: true, textVi: edited.textVi });
    await t.db.transaction().execute((trx) =>
      t.events.publish(trx, 'messaging.requested', { purpose: 'contact.warning', subject: 'case:TPL', recipients: [{ phone: '0912000999' }], vars: { sender: 'Sở Y tế Nghệ An', place: 'Chợ Vinh', date: '12/08', until: '26/08/2021', hotline: '1900 9095' } }),
    );
    await t.events.settled();
    const n = await t.db.selectFrom('notifications').select('body').where('subject', '=', 'case:TPL').executeTakeFirstOrThrow();
    expect(n.body).toBe('Sở Y tế Nghệ An: Bạn là người tiếp xúc (Chợ Vinh, 12/08). Ở nhà đến hết 26/08/2021. Gọi 1900 9095 nếu sốt.');
    await req('PUT', url, admin, { ...edited, textEn: 'Stay home until {until}.' });
    const h = (await req('GET', `${url}/history`, cdc)).json().items;
    expect(h.map((x: { textEn: string }) => x.textEn)).toEqual(['Stay home until {until}.', edited.textEn]);
    const audit = await t.db.selectFrom('audit_log').select(['action', 'details']).where('action', '=', 'messaging.template.save').orderBy('id').execute();
    expect(audit).toHaveLength(2);
    expect((audit[0]!.details as { before: { vi: string } }).before.vi).toMatch(/^\{sender\}: Bạn đã ở cùng nơi/);
  });
});
