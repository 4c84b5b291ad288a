// The gate page of the staff app on a 360x740 phone (issue 14, item 5): the reference printed on a personal card
// typed in checks the person in and the page names them (name, birth year) to compare with the card; after a first
// visit the page opens without a network (service worker) and still shows its recent results after a reload.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from '../../server/test/helpers';
import { ensureBuilt, launchBrowser, openPage, PASSWORD, type TestServer } from './browser';

let server: TestServer;
let browser: Browser;
let reference: string;
const SHOTS = process.env.VIGIL_SCREENSHOTS ?? '/tmp';
const PERSON = 'Phan Thị Thu';

beforeAll(async () => {
  await ensureBuilt('index.html');
  server = await startTestServer();
  const commune = await server.db.selectFrom('admin_units').select('code').where('level', '=', 'commune').where('path', 'like', '/VN/40/%').orderBy('code').executeTakeFirstOrThrow();
  await server.createUser({ username: 'go.cdc', password: PASSWORD, role: 'cdc_officer', jurisdictionCode: '40' });
  await server.createUser({ username: 'go.op', password: PASSWORD, role: 'venue_operator', jurisdictionCode: commune.code });
  const login = async (username: string) => {
    const r = await server.app.inject({ method: 'POST', url: '/api/auth/login', headers: { 'x-requested-with': 'vigil' }, payload: { username, password: PASSWORD } });
    return { cookie: String(r.headers['set-cookie']).split(';')[0]!, 'x-requested-with': 'vigil' };
  };
  const op = await login('go.op');
  const v = await server.app.inject({ method: 'POST', url: '/api/venues', headers: op, payload: { name: 'Nhà máy Dệt Hoàng Thị Loan', type: 'factory', communeCode: commune.code, entrances: [{ name: 'Cổng chính' }] } });
  expect(v.statusCode, v.body).toBe(201);
  const ok = await server.app.inject({ method: 'POST', url: `/api/venues/${v.json().venue.id}/status`, headers: await login('go.cdc'), payload: { status: 'approved' } });
  expect(ok.statusCode, ok.body).toBe(200);
  // a worker registered by the commune, with a printed card (its reference: the first 8 digits of the id)
  const p = await server.db.insertInto('persons').values({ full_name: PERSON, name_key: 'phan thi thu', birth_year: 1958, commune_code: commune.code, source: 'officer' }).returning('id').executeTakeFirstOrThrow();
  reference = p.id.slice(0, 8).toUpperCase();
  browser = await launchBrowser();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const manual = (page: Page) => page.getByLabel('Nhập mã thủ công');
const results = (page: Page) => page.getByTestId('gate-result');

describe('gate page (phone)', () => {
  it('takes the card reference typed in, names the person, opens offline after a first visit and keeps its results', async () => {
    const { ctx, page, errors } = await openPage(browser, { viewport: { width: 360, height: 740 }, locale: 'vi-VN', isMobile: true, hasTouch: true });
    const login = await page.request.post(`${server.url}/api/auth/login`, { headers: { 'x-requested-with': 'vigil' }, data: { username: 'go.op', password: PASSWORD } });
    expect(login.status()).toBe(200);
    await page.goto(`${server.url}/gate`);
    // the only entrance is chosen; the service worker is installed
    await expect.poll(() => page.getByRole('textbox', { name: 'Chọn lối vào' }).inputValue(), { timeout: 20_000 }).toContain('Cổng chính');
    await page.getByTestId('offline-ready').waitFor({ timeout: 30_000 });

    // something that is neither a reference nor a QR: said so, nothing queued or sent
    await manual(page).fill('40974');
    await page.getByRole('button', { name: 'Ghi nhận' }).click();
    await expect.poll(() => page.getByText('Không đọc được mã này.', { exact: false }).count()).toBe(1);
    expect(await results(page).count()).toBe(0);

    // the reference as staff type it off the card (lowercase, with a space): checked in, and named with the birth year
    await manual(page).fill(`${reference.slice(0, 4).toLowerCase()} ${reference.slice(4)}`);
    await page.getByRole('button', { name: 'Ghi nhận' }).click();
    await expect.poll(() => results(page).first().textContent(), { timeout: 20_000 }).toContain('Đã ghi nhận');
    expect(await results(page).first().getByTestId('gate-person').textContent()).toBe(`${PERSON} · sinh năm 1958`);
    const row = await server.db.selectFrom('checkins').innerJoin('persons', 'persons.id', 'checkins.person_id').select(['checkins.source', 'persons.full_name']).executeTakeFirstOrThrow();
    expect(row).toEqual({ source: 'gate', full_name: PERSON });
    await page.screenshot({ path: `${SHOTS}/gate-reference.png`, fullPage: true });

    // a reload keeps the recent results; the page is now controlled by the service worker, which keeps the gate's data
    await page.reload();
    await expect.poll(() => results(page).count()).toBe(1);
    expect(await results(page).first().textContent()).toContain(PERSON);
    await expect.poll(() => page.evaluate(() => !!navigator.serviceWorker.controller), { timeout: 20_000 }).toBe(true);
    await expect
      .poll(() => page.evaluate(async () => (await (await caches.open('vigil-gate-api')).keys()).map((r) => new URL(r.url).pathname)), { timeout: 20_000 })
      .toEqual(expect.arrayContaining(['/api/auth/me', '/api/venues']));

    // no network at all: the page still opens, with its entrance and its recent results, and takes scans
    await ctx.setOffline(true);
    await page.reload();
    await expect.poll(() => page.getByRole('heading', { level: 2 }).first().textContent(), { timeout: 20_000 }).toBeTruthy();
    await expect.poll(() => page.getByRole('textbox', { name: 'Chọn lối vào' }).inputValue(), { timeout: 20_000 }).toContain('Cổng chính');
    expect(await results(page).first().textContent()).toContain(PERSON);
    await page.getByText('Ra', { exact: true }).click();
    await manual(page).fill(reference);
    await page.getByRole('button', { name: 'Ghi nhận' }).click();
    await expect.poll(() => page.getByTestId('queued').textContent()).toContain('1');
    await page.screenshot({ path: `${SHOTS}/gate-offline.png`, fullPage: true });

    // the network returns: the exit is sent and the person named again
    await ctx.setOffline(false);
    await expect.poll(() => results(page).first().textContent(), { timeout: 20_000 }).toContain('Đã ghi ra');
    expect(await results(page).first().getByTestId('gate-person').textContent()).toContain(PERSON);
    expect((await server.db.selectFrom('checkins').select('checkout_at').executeTakeFirstOrThrow()).checkout_at).not.toBeNull();
    expect(errors).toEqual([]);
    await ctx.close();
  });
});
