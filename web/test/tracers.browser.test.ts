// Tracer assignment in Chromium: an officer picks an area by name, selects the people under follow-up there and
// gives them to a contact tracer; the tracer signs in and finds them on their own list for today. The SMS campaign
// form names units (picked by name), never raw codes.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from '../../server/test/helpers';
import { scenario } from '../../server/src/modules/cases/test-fixtures';
import { ensureBuilt, launchBrowser, openPage, PASSWORD, type TestServer } from './browser';

let server: TestServer;
let browser: Browser;
let communeName: string;
let tracerId: string;
const names = { f0: 'Nguyễn Văn Nguồn', a: 'Trần Thị Giao', b: 'Lê Văn Nhận' };
const iso = (msAgo: number) => new Date(Date.now() - msAgo).toISOString();
const H = 3600_000;

beforeAll(async () => {
  await ensureBuilt('index.html');
  server = await startTestServer();
  await server.createUser({ username: 'assign.cdc', password: PASSWORD, role: 'cdc_officer', jurisdictionCode: '40' });
  await server.createUser({ username: 'assign.tracer', password: PASSWORD, role: 'contact_tracer', jurisdictionCode: '40', displayName: 'Điều tra viên Lan' });
  tracerId = String((await server.db.selectFrom('users').select('id').where('username', '=', 'assign.tracer').executeTakeFirstOrThrow()).id);
  await server.createUser({ username: 'hn.tracer', password: PASSWORD, role: 'contact_tracer', jurisdictionCode: '01', displayName: 'Điều tra viên Hà Nội' });
  const login = await server.app.inject({ method: 'POST', url: '/api/auth/login', headers: { 'x-requested-with': 'vigil' }, payload: { username: 'assign.cdc', password: PASSWORD } });
  const headers = { cookie: String(login.headers['set-cookie']).split(';')[0]!, 'x-requested-with': 'vigil' };
  const s = await scenario(server.db);
  communeName = (await server.db.selectFrom('admin_units').select('name').where('code', '=', s.commune).executeTakeFirstOrThrow()).name;
  const v = await s.venue('CHO-GIAO', 60);
  const f0 = await s.person(names.f0);
  const a = await s.person(names.a);
  const b = await s.person(names.b);
  await s.stay(f0, v, iso(5 * H), iso(4 * H));
  await s.stay(a, v, iso(4.5 * H), iso(3.5 * H));
  await s.stay(b, v, iso(4.2 * H), iso(3.8 * H));
  const res = await server.app.inject({ method: 'POST', url: '/api/cases', headers, payload: { personId: f0, confirmedAt: iso(0.5 * H), source: 'community' } });
  expect(res.statusCode, res.body).toBe(201);
  await server.events.settled();
  browser = await launchBrowser();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function signIn(page: Page, username: string) {
  await page.getByLabel('Tên đăng nhập').fill(username);
  await page.getByLabel('Mật khẩu').fill(PASSWORD);
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
}

describe('tracer assignment', () => {
  it('an officer gives an area’s people to a tracer; the tracer sees them on their list', async () => {
    const { ctx, page, errors } = await openPage(browser, { viewport: { width: 1280, height: 900 }, locale: 'vi-VN' });
    await page.goto(`${server.url}/followups`);
    await signIn(page, 'assign.cdc');
    // the area by name (typed), not by code
    const area = page.getByTestId('due-unit');
    await area.click();
    await area.fill(communeName.slice(0, 6));
    await page.getByRole('option', { name: new RegExp(communeName) }).first().click();
    await expect.poll(() => page.getByTestId('followup-grid').textContent(), { timeout: 20_000 }).toContain(names.a);
    expect(await page.getByTestId('followup-grid').textContent()).toContain(names.b);
    // only the tracers whose area overlaps (not Hà Nội's)
    await page.getByTestId('assign-tracer').click();
    const options = await page.getByRole('option').allTextContents();
    expect(options.some((o) => o.includes('Điều tra viên Lan'))).toBe(true);
    expect(options.some((o) => o.includes('Hà Nội'))).toBe(false);
    await page.getByRole('option', { name: /Điều tra viên Lan/ }).click();
    await page.getByTestId('select-all').check();
    await page.getByRole('button', { name: /Giao cho điều tra viên \(2\)/ }).click();
    await expect.poll(async () => (await server.db.selectFrom('followup_assignments').select('tracer_user_id').execute()).map((r) => String(r.tracer_user_id))).toEqual([tracerId, tracerId]);
    await expect.poll(() => page.getByTestId('followup-grid').textContent()).toContain('Điều tra viên Lan');
    await page.screenshot({ path: '/tmp/vigil-tracer-assign.png', fullPage: true });
    expect(errors).toEqual([]);
    await ctx.close();

    // the tracer's own list for today
    const t = await openPage(browser, { viewport: { width: 360, height: 740 }, locale: 'vi-VN' });
    await t.page.goto(`${server.url}/followups`);
    await signIn(t.page, 'assign.tracer');
    await expect.poll(() => t.page.getByTestId('followup-grid').textContent(), { timeout: 20_000 }).toContain(names.a);
    expect(await t.page.getByTestId('followup-grid').textContent()).toContain(names.b);
    await t.page.screenshot({ path: '/tmp/vigil-tracer-list.png', fullPage: true });
    expect(t.errors).toEqual([]);
    await t.ctx.close();
  });

  it('the SMS campaign form shows the unit by name and picks a commune by name', async () => {
    const { ctx, page, errors } = await openPage(browser, { viewport: { width: 1280, height: 900 }, locale: 'vi-VN' });
    await page.goto(`${server.url}/messaging`);
    await signIn(page, 'assign.cdc');
    await expect.poll(() => page.getByTestId('campaign-unit').inputValue(), { timeout: 20_000 }).toMatch(/Nghệ An/);
    await page.getByLabel(/F1\/F2 đang theo dõi/).check();
    const commune = page.getByTestId('campaign-commune');
    await commune.click();
    await commune.fill(communeName.slice(0, 6));
    await page.getByRole('option', { name: new RegExp(communeName) }).first().click();
    expect(await commune.inputValue()).toContain(communeName);
    await page.getByLabel('Tên chiến dịch').fill('Nhắc F1');
    await page.getByLabel(/Nội dung \(tiếng Việt\)/).fill('Vigil: {name} o nha');
    await page.getByRole('button', { name: 'Chạy thử' }).click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toMatch(/2/);
    await page.screenshot({ path: '/tmp/vigil-campaign-units.png', fullPage: true });
    expect(errors).toEqual([]);
    await ctx.close();
  });

  it('the contact list filters by commune (picked by name)', async () => {
    const { ctx, page, errors } = await openPage(browser, { viewport: { width: 1280, height: 900 }, locale: 'vi-VN' });
    await page.goto(`${server.url}/contacts`);
    await signIn(page, 'assign.cdc');
    await expect.poll(() => page.getByTestId('contacts-table').textContent(), { timeout: 20_000 }).toContain(names.a);
    const unit = page.getByTestId('contacts-unit');
    await unit.click();
    await unit.fill('Hưng');
    const other = page.getByRole('option').filter({ hasNotText: communeName }).first();
    await other.click();
    await expect.poll(() => page.getByTestId('contacts-table').textContent()).not.toContain(names.a);
    await unit.click();
    await unit.fill(communeName.slice(0, 6));
    await page.getByRole('option', { name: new RegExp(communeName) }).first().click();
    await expect.poll(() => page.getByTestId('contacts-table').textContent()).toContain(names.a);
    expect(errors).toEqual([]);
    await ctx.close();
  });
});
