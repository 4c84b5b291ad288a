// What the citizen pages cost a phone on a slow network (issue 14, item 4): pre-compressed files, a year of
// caching for hashed assets, compressed API answers, and the byte budgets of the first visit, measured in
// Chromium with the network throttled to 1.6 Mbps / 150 ms RTT. Timings are printed by `npm run bench -- pages`,
// never asserted here.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAIR_MOBILE, kB, loadPage, phoneContext } from '../../bench/_pageload';
import { startTestServer } from '../../server/test/helpers';
import { ensureBuilt, launchBrowser, posterVenue, type TestServer } from './browser';

let server: TestServer;
let browser: Browser;
let qrPath: string;

/** The check-in page's budget for a first visit (everything, headers included). */
const CHECKIN_BUDGET = 60_000;
const DECLARE_BUDGET = 150_000;

beforeAll(async () => {
  await ensureBuilt('khai-bao.html');
  server = await startTestServer();
  ({ qrPath } = await posterVenue(server, 'pg.cdc', { name: 'Bệnh viện Đa khoa Thành phố Vinh', type: 'hospital', address: '178 Tôn Thất Tùng' }));
  browser = await launchBrowser();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('serving the web app', () => {
  it('sends pre-compressed assets, caches hashed files for a year and pages never without asking', async () => {
    const page = await server.app.inject({ method: 'GET', url: qrPath, headers: { 'accept-encoding': 'gzip, deflate, br' } });
    expect(page.statusCode).toBe(200);
    expect(page.headers['cache-control']).toBe('no-cache');
    const script = /src="(\/assets\/checkin-[^"]+\.js)"/.exec(page.rawPayload.toString('utf8'))?.[1] ?? /src="(\/assets\/checkin-[^"]+\.js)"/.exec((await server.app.inject({ method: 'GET', url: qrPath })).body)?.[1];
    expect(script).toBeTruthy();

    const br = await server.app.inject({ method: 'GET', url: script!, headers: { 'accept-encoding': 'gzip, deflate, br' } });
    expect(br.statusCode).toBe(200);
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(String(br.headers.vary).toLowerCase()).toContain('accept-encoding');
    expect(br.headers['content-type']).toMatch(/javascript/);
    const gz = await server.app.inject({ method: 'GET', url: script!, headers: { 'accept-encoding': 'gzip' } });
    expect(gz.headers['content-encoding']).toBe('gzip');
    const plain = await server.app.inject({ method: 'GET', url: script! });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(br.rawPayload.length).toBeLessThan(plain.rawPayload.length / 2);
    // the copies are picked by Accept-Encoding only
    expect((await server.app.inject({ method: 'GET', url: `${script}.br` })).headers['content-type']).toMatch(/text\/html/);

    const declare = await server.app.inject({ method: 'GET', url: '/khai-bao?venue=x' });
    expect(declare.headers['cache-control']).toBe('no-cache');
    expect(declare.body).toContain('/assets/khai-bao-');
  });

  it('compresses API answers over 1 kB, not the small ones', async () => {
    const forms = await server.app.inject({ method: 'GET', url: '/api/public/declaration-forms/venue', headers: { 'accept-encoding': 'br, gzip' } });
    expect(forms.statusCode, forms.body).toBe(200);
    expect(forms.headers['content-encoding']).toBe('br');
    const small = await server.app.inject({ method: 'GET', url: '/healthz', headers: { 'accept-encoding': 'br, gzip' } });
    expect(small.headers['content-encoding']).toBeUndefined();
  });
});

describe('first visit on a phone at 1.6 Mbps / 150 ms', () => {
  it(`check-in page: at most ${CHECKIN_BUDGET / 1000} kB, and nothing again on the next visit`, async () => {
    const ctx = await phoneContext(browser);
    const page = await ctx.newPage();
    const ready = (p: typeof page) => p.getByRole('button', { name: 'Check-in', exact: true }).waitFor({ state: 'visible', timeout: 60_000 });
    const first = await loadPage(page, `${server.url}${qrPath}`, FAIR_MOBILE, ready);
    console.log(`check-in page, first visit: ${kB(first.bytes)} in ${first.requests} requests, usable after ${first.usableMs} ms`, first.byPath);
    expect(first.bytes).toBeLessThanOrEqual(CHECKIN_BUDGET);
    await page.screenshot({ path: `${process.env.VIGIL_SCREENSHOTS ?? '/tmp'}/checkin-throttled.png` });
    // another poster's QR later: the page is revalidated, the hashed script and style come from the cache
    const again = await loadPage(page, `${server.url}${qrPath}`, FAIR_MOBILE, ready);
    expect(Object.keys(again.byPath).filter((p) => p.startsWith('/assets/'))).toEqual([]);
    expect(again.bytes).toBeLessThan(first.bytes / 3);
    await ctx.close();
  });

  it(`declaration page /khai-bao: at most ${DECLARE_BUDGET / 1000} kB, none of the staff app`, async () => {
    const ctx = await phoneContext(browser);
    const page = await ctx.newPage();
    const figures = await loadPage(page, `${server.url}/khai-bao?venue=${encodeURIComponent(qrPath.slice(3))}`, FAIR_MOBILE, (p) =>
      p.locator('[data-question="visit_purpose"]').waitFor({ state: 'visible', timeout: 60_000 }),
    );
    console.log(`/khai-bao, first visit: ${kB(figures.bytes)} in ${figures.requests} requests, usable after ${figures.usableMs} ms`, figures.byPath);
    expect(figures.bytes).toBeLessThanOrEqual(DECLARE_BUDGET);
    expect(Object.keys(figures.byPath).some((p) => /\/assets\/(index|react|mantine)-/.test(p))).toBe(false);
    await page.screenshot({ path: `${process.env.VIGIL_SCREENSHOTS ?? '/tmp'}/khai-bao-throttled.png`, fullPage: false });
    await ctx.close();
  });
});
