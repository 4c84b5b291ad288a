// Sign-up by phone on a phone-sized screen, with the code read from what the SMSC process received; and an officer's
// campaign with a dry run first, in the full app served by the test server.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from '../../server/test/helpers';
import { Smsc } from '../../server/test/smsc-process';
import { ensureBuilt, launchBrowser, openPage, PASSWORD, type TestServer } from './browser';

let server: TestServer;
let browser: Browser;
let smsc: Smsc;
const shots = process.env.VIGIL_SCREENSHOTS ?? path.join(os.tmpdir(), 'vigil-shots');

beforeAll(async () => {
  await ensureBuilt('index.html');
  smsc = await Smsc.start();
  server = await startTestServer({ config: { smsProvider: 'smpp', smppUrl: smsc.url(), smsTps: 200, smsRetryDelaySeconds: 0 } });
  await server.createUser({ username: 'sms.cdc', password: PASSWORD, role: 'cdc_officer', jurisdictionCode: '40' });
  browser = await launchBrowser();
  fs.mkdirSync(shots, { recursive: true });
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await smsc?.stop();
});

describe('messaging pages', () => {
  it('a citizen signs up with their phone and the code sent by SMS, then is signed in', async () => {
    const { ctx, page, errors } = await openPage(browser, { viewport: { width: 360, height: 740 }, locale: 'vi-VN' });
    await page.goto(`${server.url}/`);
    await page.getByRole('link', { name: 'Chưa có tài khoản? Đăng ký bằng số điện thoại' }).click();
    await page.getByRole('textbox', { name: 'Số điện thoại' }).fill('0912 777 001');
    await page.getByRole('button', { name: 'Gửi mã xác nhận' }).click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toMatch(/Đã gửi mã 6 số đến •+001/);
    const sms = await smsc.next((l) => l.ev === 'submit' && l.dest === '84912777001');
    const code = String(sms.text).match(/\d{6}/)![0];
    await page.getByRole('textbox', { name: 'Mã xác nhận' }).fill(code === '000000' ? '111111' : '000000');
    await page.getByRole('textbox', { name: 'Họ và tên' }).fill('Nguyễn Thị Hoa');
    await page.getByLabel('Mật khẩu (ít nhất 10 ký tự)').fill('hoa-mat-khau-2021');
    await page.getByRole('button', { name: 'Tạo tài khoản' }).click();
    await expect.poll(() => page.getByText(/Wrong code; 4 attempt/).isVisible()).toBe(true); // named on the code field
    await page.getByRole('textbox', { name: 'Mã xác nhận' }).fill(code);
    await page.getByRole('button', { name: 'Tạo tài khoản' }).click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toMatch(/84912777001/);
    await page.screenshot({ path: path.join(shots, 'signup-phone.png') });
    await page.getByRole('link', { name: 'Vào ứng dụng' }).click();
    // signed in: the shell (its menu button), and the session is the citizen's
    const me = async () => (await page.request.get(`${server.url}/api/auth/me`)).json().then((b) => b.user?.displayName ?? null, () => null);
    await expect.poll(() => page.getByTestId('user-menu').isVisible(), { timeout: 20_000 }).toBe(true);
    expect(await me()).toBe('Nguyễn Thị Hoa');
    // the home page names the role, not an "area" (a citizen's scope is their own record)
    await expect.poll(() => page.getByTestId('home-role').textContent()).toBe('Người dân');
    expect(await page.locator('th', { hasText: 'Tên đăng nhập' }).count()).toBe(1);
    expect(await page.locator('th', { hasText: 'Địa bàn' }).count()).toBe(0);
    // and the phone number as typed nationally signs in too
    await ctx.clearCookies();
    await page.goto(`${server.url}/`);
    await page.getByRole('textbox', { name: /Tên đăng nhập/ }).fill('0912777001');
    await page.getByLabel(/Mật khẩu/).fill('hoa-mat-khau-2021');
    await page.getByRole('button', { name: /Đăng nhập/ }).click();
    await expect.poll(me, { timeout: 20_000 }).toBe('Nguyễn Thị Hoa');
    expect(errors).toEqual([]);
    await ctx.close();
  }, 120_000);

  it('an officer dry-runs a campaign from a list file, sends it, and sees its progress', async () => {
    const { ctx, page, errors } = await openPage(browser, { viewport: { width: 1280, height: 900 }, locale: 'vi-VN' });
    const r = await page.request.post(`${server.url}/api/auth/login`, { headers: { 'x-requested-with': 'vigil' }, data: { username: 'sms.cdc', password: PASSWORD } });
    expect(r.status()).toBe(200);
    await page.goto(`${server.url}/messaging`);
    await page.getByRole('textbox', { name: 'Tên chiến dịch' }).fill('Nhắc quét mã QR');
    await page.getByRole('textbox', { name: 'Nội dung (tiếng Việt)' }).fill('Sở Y tế: {name} ơi, nhớ quét mã QR khi vào chợ.');
    const csv = path.join(os.tmpdir(), `list-${process.pid}.csv`);
    fs.writeFileSync(csv, 'phone,name\n0912777101,Lan\nkhông phải số,Hùng\n0912777102,Minh\n');
    await page.locator('input[type=file]').setInputFiles(csv);
    await expect.poll(() => page.getByText('2 số hợp lệ').isVisible()).toBe(true);
    expect(await page.getByText(/3: không phải số/).isVisible()).toBe(true);
    await page.getByRole('button', { name: 'Chạy thử' }).click();
    await expect.poll(() => page.getByText(/Sẽ gửi 2 tin/).isVisible()).toBe(true);
    expect(await page.getByText(/Lan ơi, nhớ quét mã QR/).isVisible()).toBe(true);
    await page.getByRole('button', { name: 'Gửi' }).click();
    await expect.poll(() => page.getByText('Đã tạo chiến dịch').isVisible()).toBe(true);
    await expect.poll(() => page.getByText(/Đã nhận 2/).isVisible(), { timeout: 30_000 }).toBe(true);
    await page.screenshot({ path: path.join(shots, 'campaigns.png'), fullPage: true });
    expect(smsc.submits().filter((s) => s.dest === '84912777102').map((s) => s.text).join('')).toBe('Sở Y tế: Minh ơi, nhớ quét mã QR khi vào chợ.');
    // on a phone (a commune officer's) the lists scroll inside their frame: the page itself never scrolls sideways
    await page.setViewportSize({ width: 360, height: 740 });
    const sideways = () => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    await page.reload();
    await expect.poll(() => page.getByText(/Đã nhận 2/).isVisible()).toBe(true);
    expect(await sideways()).toBeLessThanOrEqual(0);
    await page.getByRole('tab', { name: 'Tin nhắn', exact: true }).click();
    await expect.poll(() => page.getByRole('table', { name: 'Tin nhắn' }).getByText(/Minh ơi/).isVisible()).toBe(true);
    // the purpose is named in the reader's language, not by its code
    const row = page.getByRole('table', { name: 'Tin nhắn' }).getByRole('row').filter({ hasText: 'Minh ơi' });
    expect(await row.getByRole('cell').nth(2).textContent()).toBe('Chiến dịch');
    expect(await sideways()).toBeLessThanOrEqual(0);
    await page.screenshot({ path: path.join(shots, 'messages-phone.png'), fullPage: true });
    expect(errors).toEqual([]);
    await ctx.close();
  }, 120_000);
});
