// The reader's language (`vigil.lang` in localStorage) is one setting across the staff app and the check-in page:
// kept as the plain code by both, and a value the check-in page kept as JSON before ('"en"') is still honoured (and
// rewritten plain).
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from '../../server/test/helpers';
import { ensureBuilt, launchBrowser, openPage, posterVenue, type TestServer } from './browser';

let server: TestServer;
let browser: Browser;
let qrPath: string;

beforeAll(async () => {
  await ensureBuilt('index.html');
  await ensureBuilt('checkin.html');
  server = await startTestServer();
  qrPath = (await posterVenue(server, 'lang.cdc', { name: 'Chợ Ga Vinh', type: 'market' })).qrPath;
  browser = await launchBrowser();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const stored = (page: import('playwright-core').Page) => page.evaluate(() => localStorage.getItem('vigil.lang'));
const htmlLang = (page: import('playwright-core').Page) => page.evaluate(() => document.documentElement.lang);

/** Opens the check-in page; it is in English and has kept the plain code. */
async function checkinInEnglish(page: import('playwright-core').Page) {
  await page.goto(`${server.url}${qrPath}`);
  await expect.poll(() => page.locator('h1').textContent(), { timeout: 15_000 }).toBe('Chợ Ga Vinh');
  expect(await htmlLang(page)).toBe('en');
  expect(await stored(page)).toBe('en');
}

describe('the chosen language on the phone', () => {
  it('picked in the staff app, the check-in page opens in it; both keep the plain code', async () => {
    const { ctx, page, errors } = await openPage(browser, { viewport: { width: 360, height: 740 }, locale: 'vi-VN' });
    await page.goto(`${server.url}/`);
    await page.getByRole('heading', { name: 'Đăng nhập' }).waitFor();
    await page.getByTestId('language-switch').click();
    await page.getByRole('menuitem', { name: 'English' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(await stored(page)).toBe('en');
    await checkinInEnglish(page);
    expect(errors).toEqual([]);
    await ctx.close();
  }, 90_000);

  it('kept as JSON by an older check-in page, the staff app still opens in it and rewrites it plain', async () => {
    const { ctx, page, errors } = await openPage(browser, { viewport: { width: 360, height: 740 }, locale: 'vi-VN' });
    await page.goto(`${server.url}${qrPath}`);
    await expect.poll(() => page.locator('h1').textContent(), { timeout: 15_000 }).toBe('Chợ Ga Vinh');
    await page.evaluate(() => localStorage.setItem('vigil.lang', JSON.stringify('en')));
    await page.goto(`${server.url}/`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(await htmlLang(page)).toBe('en');
    expect(await stored(page)).toBe('en');
    // and the check-in page reads the old form too
    await page.evaluate(() => localStorage.setItem('vigil.lang', JSON.stringify('en')));
    await checkinInEnglish(page);
    expect(errors).toEqual([]);
    await ctx.close();
  }, 90_000);
});
