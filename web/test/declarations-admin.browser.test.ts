// Officer pages of health declarations in a real browser against a real server: the home page's figures for the
// officer's area with the 14-day chart (desk 1366 px and phone 360 px), the forms & rules page (owner, switching a
// national rule off for the province only), and who acts on a declaration made at a venue (work list and detail).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from '../../server/test/helpers';
import { importCheckinsFile } from '../../server/src/modules/venues';
import { ensureBuilt, launchBrowser, openPage, PASSWORD, type TestServer } from './browser';
import { HEALTHY_DOMESTIC_ANSWERS } from '../../server/src/modules/declarations';

let server: TestServer;
let browser: Browser;
let shots: string;
let communeA: { code: string; name: string };
let communeB: { code: string; name: string };
let venueDeclarationId: string;

const healthy = HEALTHY_DOMESTIC_ANSWERS;

beforeAll(async () => {
  await ensureBuilt('index.html');
  server = await startTestServer();
  shots = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-decl-shots-'));
  const communes = await server.db.selectFrom('admin_units').select(['code', 'name', 'parent_code']).where('level', '=', 'commune').where('path', 'like', '/VN/40/%').orderBy('code').execute();
  communeA = communes[0]!;
  communeB = communes.find((c) => c.parent_code === communes[0]!.parent_code && c.code !== communes[0]!.code)!;
  await server.createUser({ username: 'dk.cdc', password: PASSWORD, role: 'cdc_officer', jurisdictionCode: '40' });
  await server.createUser({ username: 'dk.xa.a', password: PASSWORD, role: 'commune_officer', jurisdictionCode: communeA.code });
  await server.createUser({ username: 'dk.xa.b', password: PASSWORD, role: 'commune_officer', jurisdictionCode: communeB.code });

  // a clinic in commune B; check-ins there today and on earlier days; declarations of people living in A
  const login = await server.app.inject({ method: 'POST', url: '/api/auth/login', headers: { 'x-requested-with': 'vigil' }, payload: { username: 'dk.cdc', password: PASSWORD } });
  const headers = { cookie: String(login.headers['set-cookie']).split(';')[0]!, 'x-requested-with': 'vigil' };
  const venue = await server.app.inject({ method: 'POST', url: '/api/venues', headers, payload: { name: 'Trạm Y tế Hưng Bình', type: 'clinic', address: '2 Lê Lợi', communeCode: communeB.code } });
  expect(venue.statusCode, venue.body).toBe(201);
  const file = path.join(shots, 'checkins.csv');
  const now = Date.now();
  const rows = ['person_national_id,person_phone,person_name,venue_code,checkin_at,checkout_at'];
  [0.05, 0.1, 0.15, 24.1, 24.2, 48.1, 72.1, 72.2, 72.3, 120].forEach((h, i) =>
    rows.push(`,09460000${10 + i},Khách ${i},${venue.json().venue.code},${new Date(now - h * 3600_000).toISOString().replace('Z', '+00:00')},`),
  );
  fs.writeFileSync(file, rows.join('\n'));
  expect((await importCheckinsFile(server.db, server.app.vigil, file)).imported).toBe(10);
  let seq = 0;
  const declare = async (answers: Record<string, unknown>, venueToken?: string) => {
    seq++;
    const r = await server.app.inject({
      method: 'POST',
      url: '/api/public/declarations',
      payload: { formKey: 'domestic', formVersion: 1, person: { fullName: `Trần Thị Khai ${seq}`, phone: `09470000${10 + seq}`, birthYear: 1985, communeCode: communeA.code }, answers, ...(venueToken && { venueToken }) },
    });
    expect(r.statusCode, r.body).toBe(201);
    return r.json().declaration.id as string;
  };
  await declare(healthy);
  await declare({ ...healthy, fever: true, cough: true });
  venueDeclarationId = await declare({ ...healthy, contact_f0: true }, venue.json().entrances[0].checkinUrl);
  browser = await launchBrowser();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (shots) fs.rmSync(shots, { recursive: true, force: true });
});

async function open(username: string, url: string, viewport = { width: 1366, height: 900 }): Promise<{ page: Page; errors: string[]; close(): Promise<void> }> {
  const { ctx, page, errors } = await openPage(browser, { viewport, locale: 'vi-VN' });
  const r = await page.request.post(`${server.url}/api/auth/login`, { headers: { 'x-requested-with': 'vigil' }, data: { username, password: PASSWORD } });
  expect(r.status()).toBe(200);
  await page.goto(`${server.url}${url}`);
  return { page, errors, close: () => ctx.close() };
}

const tileValue = (page: Page, key: string) => page.getByTestId(`tile-${key}`).getByTestId('tile-value').textContent();

describe('home page', () => {
  it("shows today's figures of the province and a 14-day chart on a desk screen", async () => {
    const { page, errors, close } = await open('dk.cdc', '/');
    await page.getByText('Hôm nay tại Nghệ An').waitFor();
    expect(await tileValue(page, 'checkins')).toBe('3');
    expect(await tileValue(page, 'declarations')).toBe('3');
    expect(await tileValue(page, 'declarations.flagged')).toBe('2');
    expect(await tileValue(page, 'declarations.open')).toBe('2');
    expect(await page.getByTestId('tile-checkins').textContent()).toContain('Hôm qua: 2');
    // the chart: one line per daily figure, drawn as SVG, with its legend
    const chart = page.getByTestId('trend-chart');
    // each daily figure is a line in its own colour (the first: check-ins), with its 14 day labels
    await chart.locator('svg path[stroke="#1c7ed6"]').first().waitFor({ state: 'attached' });
    expect(await chart.locator('div[role=img]').getAttribute('aria-label')).toBe('Biểu đồ 14 ngày qua: Lượt quét QR, Tờ khai y tế, Tờ khai có nguy cơ, Ca bệnh mới (F0), F1/F2 mới, Liên lạc được qua gọi tự động, Ống mẫu xét nghiệm, Báo triệu chứng qua gọi tự động, Mũi tiêm');
    expect(await page.getByTestId('trend-legend').innerText()).toMatch(/Lượt quét QR\s+Tờ khai y tế\s+Tờ khai có nguy cơ/);
    expect(await chart.locator('svg text').allTextContents()).toEqual(expect.arrayContaining([expect.stringMatching(/^\d{2}\/\d{2}$/)]));
    // a tile opens its page
    await page.getByTestId('tile-declarations.open').click();
    await page.waitForURL('**/declarations');
    await page.goto(`${server.url}/`);
    await page.getByTestId('trend-chart').locator('svg path[stroke="#1c7ed6"]').first().waitFor({ state: 'attached' });
    await page.screenshot({ path: path.join(os.tmpdir(), 'vigil-home-1366.png'), fullPage: true });
    expect(errors).toEqual([]);
    await close();
  });

  it('fits a 360 px phone and shows a commune only its own figures', async () => {
    const { page, errors, close } = await open('dk.xa.b', '/', { width: 360, height: 740 });
    await page.getByText(`Hôm nay tại ${communeB.name}`).waitFor();
    expect(await tileValue(page, 'checkins')).toBe('3'); // the clinic is in B
    expect(await tileValue(page, 'declarations')).toBe('0'); // the declarants live in A, which follows them up
    await page.getByTestId('trend-chart').locator('svg path[stroke="#1c7ed6"]').first().waitFor({ state: 'attached' });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await page.screenshot({ path: path.join(os.tmpdir(), 'vigil-home-360.png'), fullPage: true });
    expect(errors).toEqual([]);
    await close();
  });
});

describe('forms and rules', () => {
  it('shows owners; a province switches a national rule off for itself only, with a reason', async () => {
    const { page, errors, close } = await open('dk.cdc', '/declarations/config');
    const row = page.locator('[data-testid="config-rules"] tr[data-key="contact_f0"]');
    await row.waitFor();
    expect(await row.getByTestId('owner').textContent()).toBe('Toàn quốc');
    expect(await row.textContent()).toContain('Chỉ quản trị viên quốc gia được sửa');
    expect(await row.textContent()).toContain('Đang áp dụng');
    // the national domestic form: no archive button for a province
    const form = page.locator('[data-testid="config-forms"] tr[data-key="domestic"]');
    expect(await form.getByRole('button').count()).toBe(0);
    expect(await form.textContent()).toContain('Chỉ quản trị viên quốc gia được sửa');

    await row.getByRole('button', { name: 'Tắt cho Nghệ An' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('Quy tắc vẫn áp dụng ở các địa phương khác', { exact: false }).waitFor();
    expect(await dialog.getByRole('button', { name: 'Tắt quy tắc' }).isDisabled()).toBe(true);
    await dialog.getByRole('textbox', { name: 'Lý do' }).fill('Tỉnh rà soát F1 theo danh sách riêng');
    await dialog.getByRole('button', { name: 'Tắt quy tắc' }).click();
    await expect.poll(() => row.textContent()).toContain('Nghệ An đã tắt: Tỉnh rà soát F1 theo danh sách riêng');
    expect(await row.textContent()).toContain('Đã tắt tại địa bàn');
    await page.screenshot({ path: path.join(os.tmpdir(), 'vigil-config-1366.png'), fullPage: true });

    // in force on the server: only Nghệ An
    const switchOffs = await server.db.selectFrom('declaration_rule_switch_offs').select(['rule_key', 'unit_code']).execute();
    expect(switchOffs).toEqual([{ rule_key: 'contact_f0', unit_code: '40' }]);
    await row.getByRole('button', { name: 'Bật lại cho Nghệ An' }).click();
    await expect.poll(() => row.textContent()).toContain('Đang áp dụng');
    expect(await server.db.selectFrom('declaration_rule_switch_offs').selectAll().execute()).toEqual([]);
    expect(errors).toEqual([]);
    await close();
  });
});

describe('a flagged declaration made at a venue', () => {
  it("is on the venue unit's list read-only, named by the venue; the home commune acts on it", async () => {
    const b = await open('dk.xa.b', '/declarations');
    const cell = b.page.locator('[data-testid="worklist"] [data-testid="followed-by"]').first();
    await cell.waitFor();
    expect(await cell.textContent()).toContain(communeA.name);
    expect(await cell.textContent()).toContain('Chỉ xem');
    expect(await cell.textContent()).toContain('Tại: Trạm Y tế Hưng Bình');
    await b.page.screenshot({ path: path.join(os.tmpdir(), 'vigil-worklist-venue-1366.png'), fullPage: true });
    await b.page.goto(`${server.url}/declarations/${venueDeclarationId}`);
    await b.page.getByTestId('who-acts').waitFor();
    expect(await b.page.getByTestId('who-acts').textContent()).toContain(`${communeA.name} theo dõi tờ khai này`);
    expect(await b.page.getByTestId('detail-venue').textContent()).toContain('Trạm Y tế Hưng Bình');
    expect(await b.page.getByRole('button', { name: 'Đã gọi điện' }).count()).toBe(0);
    expect(await b.page.locator('main a[href^="tel:"]').count()).toBe(0); // the masked number, no call button (the menu's "Gọi tự động" is robot calls)
    await b.page.screenshot({ path: path.join(os.tmpdir(), 'vigil-detail-venue-1366.png'), fullPage: true });
    expect(b.errors).toEqual([]);
    await b.close();

    const a = await open('dk.xa.a', `/declarations/${venueDeclarationId}`);
    await a.page.getByTestId('who-acts').waitFor();
    expect(await a.page.getByTestId('who-acts').textContent()).toContain('Đơn vị của bạn theo dõi tờ khai này');
    expect(await a.page.getByRole('button', { name: 'Đã gọi điện' }).count()).toBe(1);
    expect(await a.page.getByRole('link', { name: /^Gọi \+849/ }).count()).toBe(1);
    expect(a.errors).toEqual([]);
    await a.close();
  });
});
