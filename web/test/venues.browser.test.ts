// Venue management pages in a real browser against a real server: a CDC officer registers a venue with two
// entrances, downloads a poster, suspends it with a reason; an Excel upload reports its bad line; the check-in
// look-up shows the stays of the officer's area with statistics.
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import ExcelJS from 'exceljs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from '../../server/test/helpers';
import { launchBrowser, openPage, PASSWORD, type TestServer } from './browser';
import { buildHarness, serveHarness } from './harness/serve';

let server: TestServer;
let browser: Browser;
let outDir: string;
let front: { url: string; close(): Promise<void> };
let commune: { code: string; name: string };

beforeAll(async () => {
  outDir = await buildHarness(['venues']);
  server = await startTestServer();
  commune = await server.db.selectFrom('admin_units').select(['code', 'name']).where('level', '=', 'commune').where('path', 'like', '/VN/40/%').orderBy('code').executeTakeFirstOrThrow();
  await server.createUser({ username: 'ven.cdc', password: PASSWORD, role: 'cdc_officer', jurisdictionCode: '40' });
  front = await serveHarness(outDir, server.url);
  browser = await launchBrowser();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await front?.close();
  await server?.close();
  if (outDir) fs.rmSync(outDir, { recursive: true, force: true });
});

async function open(hash: string): Promise<{ page: Page; errors: string[]; close(): Promise<void> }> {
  const { ctx, page, errors } = await openPage(browser, { viewport: { width: 1280, height: 900 }, locale: 'vi-VN', acceptDownloads: true });
  const r = await page.request.post(`${front.url}/api/auth/login`, { headers: { 'x-requested-with': 'vigil' }, data: { username: 'ven.cdc', password: PASSWORD } });
  expect(r.status()).toBe(200);
  await page.goto(`${front.url}/test/harness/venues.html#${hash}`);
  return { page, errors, close: () => ctx.close() };
}

describe('venue pages', () => {
  it('registers a venue with entrances, serves its poster, suspends it with a reason', async () => {
    const { page, errors, close } = await open('/venues/new');
    await page.getByRole('textbox', { name: 'Tên địa điểm' }).fill('Quán cà phê Phố Cổ');
    await page.getByRole('textbox', { name: 'Xã/phường' }).fill(commune.name.slice(0, 5));
    await page.getByRole('option', { name: new RegExp(`\\(${commune.code}\\)`) }).click();
    await page.getByRole('textbox', { name: 'Địa chỉ' }).fill('12 Phan Bội Châu');
    await page.getByRole('textbox', { name: 'Lối vào / phòng' }).fill('Cửa chính\nSân sau');
    await page.getByRole('button', { name: 'Đăng ký địa điểm' }).click();

    await expect.poll(() => page.getByRole('heading', { level: 2 }).textContent()).toBe('Quán cà phê Phố Cổ');
    expect(await page.getByText('Đã duyệt').count()).toBe(1); // a CDC officer's registration is approved
    expect(await page.getByRole('cell', { name: /Cửa chính/ }).count()).toBe(1);
    expect(await page.getByRole('cell', { name: /Sân sau/ }).count()).toBe(1);

    // the poster link serves an A4 PDF
    const href = await page.getByRole('link', { name: 'Poster A4' }).first().getAttribute('href');
    const pdf = await page.request.get(`${front.url}${href}`);
    expect(pdf.headers()['content-type']).toBe('application/pdf');
    expect((await pdf.body()).subarray(0, 5).toString()).toBe('%PDF-');

    // suspend: needs a reason
    await page.getByRole('textbox', { name: 'Lý do' }).fill('Có ca F0 ngày 30/7');
    await page.getByRole('button', { name: 'Tạm dừng' }).click();
    await expect.poll(() => page.getByText('Có ca F0 ngày 30/7').count()).toBe(1);
    const v = await server.db.selectFrom('venues').select(['status', 'status_reason']).where('name', '=', 'Quán cà phê Phố Cổ').executeTakeFirstOrThrow();
    expect(v).toEqual({ status: 'suspended', status_reason: 'Có ca F0 ngày 30/7' });

    // the list finds it by name without diacritics
    await page.getByRole('link', { name: '← Danh sách địa điểm' }).click();
    await page.getByPlaceholder('Tìm tên, mã, địa chỉ…').fill('pho co');
    await expect.poll(() => page.getByRole('link', { name: 'Quán cà phê Phố Cổ' }).count()).toBe(1);
    expect(errors).toEqual([]);
    await close();
  });

  it('imports venues from Excel and lists the bad lines', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('venues');
    ws.addRow(['code', 'name', 'type', 'commune_code', 'address', 'default_stay_minutes']);
    ws.addRow(['UI-1', 'Siêu thị Mini', 'supermarket', commune.code, '', 30]);
    ws.addRow(['UI-2', 'Sai loại', 'disco', commune.code, '', 30]);
    const file = path.join(os.tmpdir(), `venues-${process.pid}.xlsx`);
    await wb.xlsx.writeFile(file);
    const { page, errors, close } = await open('/venues/import');
    await page.locator('input[type=file]').first().setInputFiles(file);
    await page.getByRole('button', { name: 'Nhập từ Excel/CSV' }).first().click();
    await expect.poll(() => page.getByText(/Đã nhập 1\/2 dòng/).count()).toBe(1);
    expect(await page.getByRole('cell', { name: 'type' }).count()).toBe(1);
    fs.rmSync(file);
    expect(errors).toEqual([]);
    await close();
  });

  it('looks up check-ins of the area with statistics', async () => {
    const venue = await server.db.selectFrom('venues').innerJoin('venue_entrances as e', 'e.venue_id', 'venues.id').select(['e.id as entrance', 'venues.id']).where('code', '=', 'UI-1').executeTakeFirstOrThrow();
    const { signVenueToken } = await import('../../server/src/modules/venues');
    const token = signVenueToken(server.app.vigil.keys, venue.entrance, venue.id, null);
    for (const [i, name] of ['Khách Một', 'Khách Hai'].entries()) {
      const r = await server.app.inject({ method: 'POST', url: '/api/checkins', payload: { clientId: crypto.randomUUID(), venueToken: token, people: [{ fullName: name, phone: `09150000${10 + i}`, birthYear: 1980, communeCode: commune.code }] } });
      expect(r.statusCode, r.body).toBe(201);
    }
    const { page, errors, close } = await open('/checkins');
    await page.getByRole('button', { name: 'Tra cứu' }).click();
    await expect.poll(() => page.getByText('Tổng: 2 lượt, 2 người').count()).toBe(1);
    expect(await page.getByRole('cell', { name: /Siêu thị Mini/ }).count()).toBe(2);
    expect(await page.getByText('Khách Một').count()).toBe(1);
    // both just checked in: shown as still there, with the time of the automatic check-out
    expect(await page.getByText('Đang ở đây').count()).toBe(2);
    expect(await page.getByText(/tự động ra lúc/).count()).toBe(2);
    // an export asks why first (the reason goes to the audit log)
    expect(await page.getByRole('link', { name: 'Xuất Excel' }).count()).toBe(0);
    await page.getByTestId('export-reason').fill('Báo cáo tuần');
    expect(await page.getByRole('link', { name: 'Xuất Excel' }).getAttribute('href')).toMatch(/^\/api\/checkins\/export\?.*format=xlsx/);
    expect(errors).toEqual([]);
    await close();
  });
});
