// Every staff page in both languages in a real browser: the texts come from the i18next catalogues (no raw key such
// as `people.title` or `venues.register` on screen), and switching to English changes the page's texts.
// Screenshots go to $VIGIL_SHOTS (default: a temp dir) for a person to look at.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from '../../server/test/helpers';
import en from '../src/app/locales/en.json';
import { ensureBuilt, launchBrowser, openPage, PASSWORD, type TestServer } from './browser';

let server: TestServer;
let browser: Browser;
let shots: string;

const PAGES = ['/', '/venues', '/checkins', '/people', '/people/link-requests', '/declarations', '/cases', '/contacts', '/followups', '/places', '/messaging', '/users', '/audit'];
// a catalogue key left on screen: a top-level subtree name, a dot, a camelCase word (`people.title`, `cases.list.new`)
const RAW_KEY = new RegExp(`\\b(${Object.keys(en).join('|')})\\.[a-z][A-Za-z]+(\\.[A-Za-z]+)*\\b`);

beforeAll(async () => {
  await ensureBuilt('index.html');
  server = await startTestServer();
  shots = process.env.VIGIL_SHOTS ?? fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-shots-'));
  await server.createUser({ username: 'nat.admin', password: PASSWORD, role: 'national_admin', jurisdictionCode: 'VN' });
  browser = await launchBrowser();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('staff pages in Vietnamese and English', () => {
  for (const lang of ['vi', 'en'] as const) {
    it(`show catalogue texts, no raw keys (${lang})`, async () => {
      const { ctx, page, errors } = await openPage(browser, { viewport: { width: 1366, height: 768 } });
      await ctx.addInitScript((l) => localStorage.setItem('vigil.lang', l), lang);
      const r = await page.request.post(`${server.url}/api/auth/login`, { headers: { 'x-requested-with': 'vigil' }, data: { username: 'nat.admin', password: PASSWORD } });
      expect(r.status()).toBe(200);
      for (const url of PAGES) {
        await page.goto(server.url + url);
        await page.locator('main h1, main h2, main h3, main h4').first().waitFor();
        await page.waitForLoadState('networkidle');
        expect(await page.evaluate(() => document.documentElement.lang), url).toBe(lang);
        // codes shown on purpose beside their label (audit actions, in monospace) are not texts
        const text = await page.evaluate(() => {
          const out: string[] = [];
          const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
          for (let n = walker.nextNode(); n; n = walker.nextNode()) {
            const el = n.parentElement;
            if (el && !getComputedStyle(el).fontFamily.includes('monospace')) out.push(n.textContent ?? '');
          }
          return out.join(' ');
        });
        expect(text.match(RAW_KEY)?.[0] ?? null, `${lang} ${url}`).toBeNull();
        await page.screenshot({ path: path.join(shots, `i18n-${lang}${url.replace(/\//g, '_')}.png`), fullPage: true });
      }
      expect(errors).toEqual([]);
      await ctx.close();
    }, 180_000);
  }
});

describe('the English catalogue is loaded only for English readers', () => {
  it('a Vietnamese page does not download it; picking English loads it and the page turns English; a reload stays English', async () => {
    const { ctx, page, errors } = await openPage(browser, { viewport: { width: 360, height: 740 } });
    const scripts: string[] = [];
    page.on('request', (r) => {
      if (r.resourceType() === 'script') scripts.push(new URL(r.url()).pathname);
    });
    const r = await page.request.post(`${server.url}/api/auth/login`, { headers: { 'x-requested-with': 'vigil' }, data: { username: 'nat.admin', password: PASSWORD } });
    expect(r.status()).toBe(200);
    await page.goto(`${server.url}/venues`);
    await page.locator('main h1, main h2, main h3, main h4').first().waitFor();
    await page.waitForLoadState('networkidle');
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('vi');
    const english = (p: string) => /^\/assets\/en-[\w-]+\.js$/.test(p);
    expect(scripts.filter(english)).toEqual([]);
    await page.getByTestId('language-switch').click();
    const loaded = page.waitForResponse((res) => english(new URL(res.url()).pathname));
    await page.getByRole('menuitem', { name: 'English' }).click();
    expect((await loaded).status()).toBe(200);
    await expect.poll(() => page.evaluate(() => document.documentElement.lang)).toBe('en');
    await expect.poll(() => page.getByTestId('language-switch').getAttribute('aria-label')).toBe(`${en.lang.label}: ${en.lang.en}`);
    // a new visit: English from the first paint (the page waits for the catalogue rather than flashing Vietnamese)
    await page.reload();
    await page.locator('main h1, main h2, main h3, main h4').first().waitFor();
    expect(await page.getByTestId('language-switch').getAttribute('aria-label')).toBe(`${en.lang.label}: ${en.lang.en}`);
    expect(errors).toEqual([]);
    await ctx.close();
  }, 120_000);
});
