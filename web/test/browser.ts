// Shared setup of the browser tests (web/test/*.browser.test.ts): a headless Chromium, pages that collect their
// uncaught errors, and an up-to-date web/dist for the tests that open the app served by the test server.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import type { startTestServer } from '../../server/test/helpers';

export type TestServer = Awaited<ReturnType<typeof startTestServer>>;

/** Password of the users the browser tests create. */
export const PASSWORD = 'browser-test-pw-1';

const WEB = path.resolve(fileURLToPath(new URL('..', import.meta.url)));

/** Headless Chromium ($CHROMIUM_PATH, default /usr/bin/chromium); `extraArgs` are added to the usual flags. */
export function launchBrowser(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', ...extraArgs],
  });
}

/** A new context with one page; `errors` collects the page's uncaught errors. */
export async function openPage(browser: Browser, options: BrowserContextOptions): Promise<{ ctx: BrowserContext; page: Page; errors: string[] }> {
  const ctx = await browser.newContext(options);
  const page = await ctx.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  return { ctx, page, errors };
}

/** Newest modification time under the web sources that go into the build. */
function newestSource(): number {
  let newest = 0;
  const visit = (p: string) => {
    if (!fs.existsSync(p)) return;
    const st = fs.statSync(p);
    if (st.isDirectory()) for (const f of fs.readdirSync(p)) visit(path.join(p, f));
    else newest = Math.max(newest, st.mtimeMs);
  };
  for (const p of ['src', 'public', 'build', 'index.html', 'checkin.html', 'khai-bao.html', 'vite.config.ts', 'vite.citizen.config.ts']) visit(path.join(WEB, p));
  return newest;
}

/** `npm test` builds first; when run on its own, rebuild a missing or stale web/dist (`page`: one of its HTML files). */
export async function ensureBuilt(page: 'index.html' | 'checkin.html' | 'khai-bao.html'): Promise<void> {
  const dist = path.join(WEB, 'dist', page);
  if (fs.existsSync(dist) && fs.statSync(dist).mtimeMs >= newestSource()) return;
  const { build } = await import('vite');
  // as `npm run build`: the staff app (empties dist/), then the citizen pages. A production build: vitest sets
  // NODE_ENV=test, with which Vite would bundle React's development build (larger, slower; page weights wrong).
  const env = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({ configFile: path.join(WEB, 'vite.config.ts'), root: WEB, logLevel: 'warn', mode: 'production' });
    await build({ configFile: path.join(WEB, 'vite.citizen.config.ts'), root: WEB, logLevel: 'warn', mode: 'production' });
  } finally {
    process.env.NODE_ENV = env;
  }
}

/** A new staff user (`role` in `area`, by default a CDC officer of province 40) signed in: their API request headers. */
export async function staffHeaders(server: TestServer, username: string, role = 'cdc_officer', area = '40'): Promise<{ cookie: string; 'x-requested-with': string }> {
  await server.createUser({ username, password: PASSWORD, role, jurisdictionCode: area });
  const login = await server.app.inject({ method: 'POST', url: '/api/auth/login', headers: { 'x-requested-with': 'vigil' }, payload: { username, password: PASSWORD } });
  return { cookie: String(login.headers['set-cookie']).split(';')[0]!, 'x-requested-with': 'vigil' };
}

/**
 * A CDC officer (`username`, province 40) registers a venue in the province's first commune; returns the path of
 * its first entrance's poster QR (/c/<token>), the officer's request headers and the commune.
 */
export async function posterVenue(server: TestServer, username: string, venue: { name: string; type: string; address?: string }) {
  const headers = await staffHeaders(server, username);
  const commune = await server.db.selectFrom('admin_units').select(['code', 'name']).where('level', '=', 'commune').where('path', 'like', '/VN/40/%').orderBy('code').executeTakeFirstOrThrow();
  const created = await server.app.inject({ method: 'POST', url: '/api/venues', headers, payload: { address: '5 Quang Trung', defaultStayMinutes: 60, ...venue, communeCode: commune.code } });
  if (created.statusCode !== 201) throw new Error(`venue not created: ${created.body}`);
  const v = created.json() as { venue: { id: string }; entrances: { id: string }[] };
  const qr = await server.app.inject({ method: 'GET', url: `/api/venues/${v.venue.id}/entrances/${v.entrances[0]!.id}/qr`, headers });
  const qrPath = new URL((qr.json() as { url: string }).url).pathname;
  if (!qrPath.startsWith('/c/')) throw new Error(`unexpected QR URL ${qrPath}`);
  return { qrPath, venueId: v.venue.id, entranceId: v.entrances[0]!.id, headers, commune };
}

/** Signs in on the login page the app shows (Vietnamese or English labels). */
export async function signIn(page: Page, username: string, password = PASSWORD) {
  await page.getByLabel(/Tên đăng nhập|Username/).fill(username);
  await page.getByLabel(/Mật khẩu|Password/).fill(password);
  await page.getByRole('button', { name: /Đăng nhập|Sign in/ }).click();
}
