// A citizen who signed up with a phone opens "Thông tin của bạn" (/me) on a 360x740 phone: the form starts from the
// name typed at sign-up and the account's phone, so registering the record is a commune away.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from '../../server/test/helpers';
import { ensureBuilt, launchBrowser, openPage, PASSWORD, type TestServer } from './browser';

let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  await ensureBuilt('index.html');
  server = await startTestServer();
  await server.createUser({ username: '84912000457', password: PASSWORD, role: 'citizen', jurisdictionCode: 'VN', displayName: 'Nguyễn Thị Hoà' });
  await server.createUser({ username: 'nguoi.dan', password: PASSWORD, role: 'citizen', jurisdictionCode: 'VN', displayName: 'nguoi.dan' });
  browser = await launchBrowser();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function openMe(username: string) {
  const { ctx, page, errors } = await openPage(browser, { viewport: { width: 360, height: 740 }, locale: 'vi-VN', hasTouch: true, isMobile: true });
  const login = await page.request.post(`${server.url}/api/auth/login`, { headers: { 'x-requested-with': 'vigil' }, data: { username, password: PASSWORD } });
  expect(login.status()).toBe(200);
  await page.goto(`${server.url}/me`);
  await page.getByRole('heading', { name: 'Thông tin của bạn' }).waitFor();
  return { ctx, page, errors };
}

describe('my details', () => {
  it('start from the sign-up name and the account phone', async () => {
    const { ctx, page, errors } = await openMe('84912000457');
    try {
      expect(await page.getByLabel('Họ và tên').inputValue()).toBe('Nguyễn Thị Hoà');
      expect(await page.getByLabel('Số điện thoại').inputValue()).toBe('0912000457');
      expect(errors).toEqual([]);
    } finally {
      await ctx.close();
    }
  });

  it('leave them empty when the account says nothing of them', async () => {
    const { ctx, page } = await openMe('nguoi.dan');
    try {
      expect(await page.getByLabel('Họ và tên').inputValue()).toBe('');
      expect(await page.getByLabel('Số điện thoại').inputValue()).toBe('');
    } finally {
      await ctx.close();
    }
  });
});
