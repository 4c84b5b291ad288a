// Issue 13 pages: an officer approves a citizen's link request on /people/link-requests; a manager revokes a
// user's API token from the users page.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from '../../server/test/helpers';
import { personalQrToken } from '../../server/src/modules/people';
import { ensureBuilt, launchBrowser, openPage, PASSWORD, type TestServer } from './browser';

let server: TestServer;
let browser: Browser;
let commune: string;

beforeAll(async () => {
  await ensureBuilt('index.html');
  server = await startTestServer();
  const row = await server.db.selectFrom('admin_units').select('code').where('level', '=', 'commune').where('path', 'like', '/VN/40/%').orderBy('code').executeTakeFirstOrThrow();
  commune = row.code;
  await server.createUser({ username: 'sec.officer', password: PASSWORD, role: 'commune_officer', jurisdictionCode: commune });
  await server.createUser({ username: 'sec.cdc', password: PASSWORD, role: 'cdc_officer', jurisdictionCode: '40' });
  await server.createUser({ username: 'sec.citizen', password: PASSWORD, role: 'citizen', jurisdictionCode: '40' });
  await server.createUser({ username: 'sec.card', password: PASSWORD, role: 'citizen', jurisdictionCode: '40' });
  browser = await launchBrowser();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** Cookie headers of a user, for set-up requests through app.inject. */
async function as(username: string) {
  const r = await server.app.inject({ method: 'POST', url: '/api/auth/login', headers: { 'x-requested-with': 'vigil' }, payload: { username, password: PASSWORD } });
  expect(r.statusCode, r.body).toBe(200);
  return { cookie: String(r.headers['set-cookie']).split(';')[0]!, 'x-requested-with': 'vigil' };
}

async function signIn(page: Page, username: string) {
  await page.goto(server.url + '/');
  await page.getByLabel('Tên đăng nhập').fill(username);
  await page.getByLabel('Mật khẩu').fill(PASSWORD);
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  await page.getByText(`Xin chào, ${username}`).waitFor();
}

describe('security pages', () => {
  it('lets an officer link a citizen’s typed-in record to the registry record after comparing', async () => {
    const officer = await as('sec.officer');
    const rec = await server.app.inject({ method: 'POST', url: '/api/people', headers: officer, payload: { fullName: 'Nguyễn Thị Hồng', birthYear: 1972, phone: '0913555777', communeCode: commune } });
    expect(rec.statusCode, rec.body).toBe(201);
    const citizen = await as('sec.citizen');
    const typed = await server.app.inject({ method: 'PUT', url: '/api/me/person', headers: citizen, payload: { fullName: 'Nguyen Thi Hong', birthYear: 1972, phone: '0913555777', communeCode: commune } });
    expect(typed.json().person.id).not.toBe(rec.json().person.id);
    const ask = await server.app.inject({ method: 'POST', url: '/api/me/link-requests', headers: citizen, payload: { note: 'Tôi đã khai ở trạm y tế phường năm 2021' } });
    expect(ask.statusCode, ask.body).toBe(201);

    const { ctx, page, errors } = await openPage(browser, { viewport: { width: 1280, height: 900 }, locale: 'vi-VN' });
    try {
      await signIn(page, 'sec.officer');
      await page.goto(server.url + '/people');
      await page.getByRole('link', { name: 'Yêu cầu liên kết' }).click();
      await page.getByRole('heading', { name: 'Yêu cầu liên kết hồ sơ' }).waitFor();
      const card = page.getByTestId('link-request');
      await card.getByText('Tôi đã khai ở trạm y tế phường năm 2021').waitFor();
      await card.getByText('sec.citizen').waitFor();
      await page.screenshot({ path: '/tmp/link-requests.png', fullPage: true });
      await card.getByRole('radio', { name: 'Nguyễn Thị Hồng' }).check();
      await card.getByRole('button', { name: 'Liên kết với hồ sơ đã chọn' }).click();
      await page.getByText('Không có yêu cầu nào.').waitFor();
      await page.getByText('Đã duyệt', { exact: true }).click();
      await page.getByTestId('link-request').getByText('sec.officer').waitFor();
      expect(errors).toEqual([]);
    } finally {
      await ctx.close();
    }
    const mine = await server.app.inject({ url: '/api/me/person', headers: citizen });
    expect(mine.json().person.id).toBe(rec.json().person.id);
  }, 90_000);

  it('lists a user’s API tokens on the users page and revokes one', async () => {
    const officer = await as('sec.officer');
    const tok = await server.app.inject({ method: 'POST', url: '/api/auth/tokens', headers: officer, payload: { name: 'xuất dữ liệu phường' } });
    expect(tok.statusCode, tok.body).toBe(201);
    const bearer = { authorization: `Bearer ${tok.json().token}` };
    expect((await server.app.inject({ url: '/api/auth/me', headers: bearer })).statusCode).toBe(200);

    const { ctx, page, errors } = await openPage(browser, { viewport: { width: 1280, height: 900 }, locale: 'vi-VN' });
    try {
      await signIn(page, 'sec.cdc');
      await page.goto(server.url + '/users');
      const row = page.locator('tr[data-username="sec.officer"]');
      await row.getByRole('button', { name: 'API' }).click();
      const tokenRow = page.locator('tr[data-token-name="xuất dữ liệu phường"]');
      await tokenRow.getByText('read').waitFor();
      await page.screenshot({ path: '/tmp/tokens.png' });
      await tokenRow.getByRole('button', { name: 'Thu hồi' }).click();
      await tokenRow.getByText('Hết hiệu lực').waitFor();
      expect(errors).toEqual([]);
    } finally {
      await ctx.close();
    }
    expect((await server.app.inject({ url: '/api/auth/me', headers: bearer })).statusCode).toBe(401);
  }, 90_000);

  it('lets a citizen on a phone link their account with the code of their QR card', async () => {
    const officer = await as('sec.officer');
    const rec = await server.app.inject({ method: 'POST', url: '/api/people', headers: officer, payload: { fullName: 'Lò Văn Páo', birthYear: 1958, phone: '0913555888', communeCode: commune } });
    const citizen = await as('sec.card');
    await server.app.inject({ method: 'PUT', url: '/api/me/person', headers: citizen, payload: { fullName: 'Lo Van Pao', birthYear: 1958, phone: '0913555888', communeCode: commune } });
    const code = personalQrToken(server.app.vigil.keys, rec.json().person.id);

    const { ctx, page, errors } = await openPage(browser, { viewport: { width: 360, height: 740 }, locale: 'vi-VN', isMobile: true });
    try {
      await signIn(page, 'sec.card');
      await page.goto(server.url + '/me');
      const box = page.getByTestId('link-record');
      await box.getByText('Đã có hồ sơ ở trạm y tế?').waitFor();
      await box.getByLabel('Mã trên thẻ QR (quét thẻ rồi dán vào đây)').fill('not-a-card');
      await box.getByRole('button', { name: 'Liên kết bằng thẻ' }).click();
      await box.getByRole('alert').waitFor();
      await box.getByLabel('Mã trên thẻ QR (quét thẻ rồi dán vào đây)').fill(`https://vigil.example/p/${code}`);
      await box.getByRole('button', { name: 'Liên kết bằng thẻ' }).click();
      await box.getByText('Đã liên kết.').waitFor();
      await page.getByRole('heading', { name: 'Lò Văn Páo' }).waitFor();
      await page.screenshot({ path: '/tmp/link-card-phone.png', fullPage: true });
      expect(errors).toEqual([]);
    } finally {
      await ctx.close();
    }
  }, 90_000);
});
