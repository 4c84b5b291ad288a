// Robot calls in the staff app: a campaign's live dashboard after a simulated day of calls, and the script editor
// (server check naming the broken state, a prompt played back through the TTS).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from '../../server/test/helpers';
import { localDay, localTime } from '../../server/src/platform/time';
import { acceleratedClock, runCampaignDay, SimulatedProvider, FEVERISH, WELL } from '../../server/src/modules/calls';
import { dailyHealthCheck, dialerDeps, HEALTH_CHECK, monitoredContacts, prepareDay, silentRenderer, vinhCommune } from '../../server/src/modules/calls/test-fixtures';
import { ensureBuilt, launchBrowser, openPage, PASSWORD, type TestServer } from './browser';

// the real clock: a pinned one would expire the session cookie in the browser
const DAY = localDay(new Date(), 'Asia/Ho_Chi_Minh');
let server: TestServer;
let browser: Browser;
let campaignId: string;
const shots = process.env.VIGIL_SCREENSHOTS ?? path.join(os.tmpdir(), 'vigil-shots');

beforeAll(async () => {
  await ensureBuilt('index.html');
  server = await startTestServer();
  await server.createUser({ username: 'calls.cdc', password: PASSWORD, role: 'cdc_officer', jurisdictionCode: '40' });
  const login = await server.app.inject({ method: 'POST', url: '/api/auth/login', headers: { 'x-requested-with': 'vigil' }, payload: { username: 'calls.cdc', password: PASSWORD } });
  const headers = { cookie: String(login.headers['set-cookie']).split(';')[0]!, 'x-requested-with': 'vigil' };
  const scriptId = (await server.app.inject({ method: 'POST', url: '/api/calls/scripts', headers, payload: { unitCode: '40', script: HEALTH_CHECK } })).json().id;
  const commune = await vinhCommune(server.db);
  const people = [
    { name: 'Trần Khỏe', phone: '+84912660001' },
    { name: 'Lê Sốt', phone: '+84912660002' },
    { name: 'Phạm Vắng', phone: '+84912660003' },
  ];
  await monitoredContacts(server.db, commune, DAY, people);
  const c = (await server.app.inject({ method: 'POST', url: '/api/calls/campaigns', headers, payload: { name: 'F1/F2 Vinh hằng ngày', unitCode: '40', scriptId, audience: 'monitoring' } })).json();
  campaignId = c.id;
  const row = (await server.db.selectFrom('call_campaigns').selectAll().where('id', '=', c.id).executeTakeFirstOrThrow());
  await prepareDay(server.app.vigil, row, DAY);
  const clock = acceleratedClock(localTime(DAY, '08:00', 'Asia/Ho_Chi_Minh'), 3000);
  const personas = new Map([[people[0]!.phone, WELL], [people[1]!.phone, FEVERISH], [people[2]!.phone, { kind: 'no-answer' as const }]]);
  await runCampaignDay(dialerDeps(server.app.vigil, new SimulatedProvider({ clock, personas }), clock, silentRenderer), c.id, DAY);
  browser = await launchBrowser();
  fs.mkdirSync(shots, { recursive: true });
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function signIn(page: Page) {
  await page.getByLabel('Tên đăng nhập').fill('calls.cdc');
  await page.getByLabel('Mật khẩu').fill(PASSWORD);
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
}

describe('robot calls pages', () => {
  it("shows a campaign's live dashboard and the day's calls", async () => {
    const { ctx, page, errors } = await openPage(browser, { viewport: { width: 1280, height: 900 }, locale: 'vi-VN' });
    await page.goto(`${server.url}/calls`);
    await signIn(page);
    await page.getByRole('link', { name: 'F1/F2 Vinh hằng ngày' }).click();
    const tile = (k: string) => page.getByTestId(`tile-${k}`).locator('p').nth(1).textContent();
    await expect.poll(() => tile('completed'), { timeout: 20_000 }).toBe('2');
    expect(await tile('symptomatic')).toBe('1');
    expect(await tile('failed')).toBe('1');
    expect(await tile('planned')).toBe('3');
    const rows = page.getByTestId('day-calls').locator('tbody tr');
    await expect.poll(() => rows.count()).toBe(3);
    await expect.poll(() => page.getByTestId('day-calls').textContent()).toContain('Không liên lạc được');
    await page.screenshot({ path: path.join(shots, 'calls-dashboard.png'), fullPage: true });
    expect(errors).toEqual([]);
    await ctx.close();
  }, 120_000);

  it("names a tracer's own call on the symptomatic list as a manual call, apart from the robot's", async () => {
    const login = await server.app.inject({ method: 'POST', url: '/api/auth/login', headers: { 'x-requested-with': 'vigil' }, payload: { username: 'calls.cdc', password: PASSWORD } });
    const headers = { cookie: String(login.headers['set-cookie']).split(';')[0]!, 'x-requested-with': 'vigil' };
    const [personId] = await monitoredContacts(server.db, await vinhCommune(server.db), DAY, [{ name: 'Đỗ Ho', phone: '+84912660009' }]);
    const res = await server.app.inject({ method: 'POST', url: '/api/calls/manual', headers, payload: { personId, disposition: 'completed', answers: { fever: '1', cough: '1' } } });
    expect(res.json()).toMatchObject({ symptomatic: true });
    const { ctx, page, errors } = await openPage(browser, { viewport: { width: 1280, height: 900 }, locale: 'vi-VN' });
    await page.goto(`${server.url}/calls/lists?kind=symptomatic&day=${DAY}`);
    await signIn(page);
    const row = (name: string) => page.getByTestId('calls-list').locator('tbody tr', { hasText: name });
    await expect.poll(() => row('Đỗ Ho').count(), { timeout: 20_000 }).toBe(1);
    expect(await row('Đỗ Ho').locator('td').last().textContent()).toBe('Cuộc gọi thủ công');
    expect(await row('Lê Sốt').locator('td').last().textContent()).toBe('Gọi tự động');
    await page.screenshot({ path: path.join(shots, 'calls-symptomatic-list.png'), fullPage: true });
    expect(errors).toEqual([]);
    await ctx.close();
  }, 120_000);

  it("names scripts in the supervisor's language, not by their code", async () => {
    const login = await server.app.inject({ method: 'POST', url: '/api/auth/login', headers: { 'x-requested-with': 'vigil' }, payload: { username: 'calls.cdc', password: PASSWORD } });
    const headers = { cookie: String(login.headers['set-cookie']).split(';')[0]!, 'x-requested-with': 'vigil' };
    const ids: string[] = [];
    for (const lang of ['vi', 'en'] as const) ids.push((await server.app.inject({ method: 'POST', url: '/api/calls/scripts', headers, payload: { unitCode: '40', script: dailyHealthCheck(lang) } })).json().id);
    await server.app.inject({ method: 'POST', url: '/api/calls/campaigns', headers, payload: { name: 'F1/F2 tiếng Anh', unitCode: '40', scriptId: ids[1], audience: 'monitoring' } });
    const c = (await server.app.inject({ method: 'POST', url: '/api/calls/campaigns', headers, payload: { name: 'F1/F2 mặc định', unitCode: '40', scriptId: ids[0], audience: 'monitoring' } })).json();
    for (const lang of ['vi', 'en'] as const) {
      const { ctx, page, errors } = await openPage(browser, { viewport: { width: 1280, height: 900 }, locale: lang === 'vi' ? 'vi-VN' : 'en-US' });
      await ctx.addInitScript((l) => localStorage.setItem('vigil.lang', l), lang);
      await page.goto(`${server.url}/calls`);
      if (lang === 'vi') await signIn(page);
      else {
        await page.getByLabel('Username').fill('calls.cdc');
        await page.getByLabel('Password').fill(PASSWORD);
        await page.getByRole('button', { name: 'Sign in' }).click();
      }
      const list = page.getByRole('table');
      await expect.poll(() => list.first().textContent(), { timeout: 20_000 }).toContain('F1/F2 mặc định');
      const text = (await list.first().textContent()) ?? '';
      expect(text).not.toContain('daily-health-check');
      if (lang === 'vi') {
        expect(text).toContain('Kiểm tra sức khỏe hằng ngày F1/F2');
        expect(text).toContain('Kiểm tra sức khỏe hằng ngày F1/F2 (tiếng Anh)');
      } else {
        expect(text).toContain('Daily health check of F1/F2 (Vietnamese)');
      }
      await page.screenshot({ path: path.join(shots, `calls-campaigns-${lang}.png`), fullPage: true });
      await page.goto(`${server.url}/calls/${c.id}`);
      await expect.poll(() => page.getByTestId('script-name').textContent(), { timeout: 20_000 }).toBe(lang === 'vi' ? 'Kiểm tra sức khỏe hằng ngày F1/F2' : 'Daily health check of F1/F2 (Vietnamese)');
      await page.screenshot({ path: path.join(shots, `calls-campaign-${lang}.png`), fullPage: true });
      expect(errors).toEqual([]);
      await ctx.close();
    }
  }, 120_000);

  it('checks a script on the server (naming the broken state) and plays a prompt', async () => {
    const { ctx, page, errors } = await openPage(browser, { viewport: { width: 1280, height: 900 }, locale: 'vi-VN' });
    await page.goto(`${server.url}/calls/scripts`);
    await signIn(page);
    const json = page.getByTestId('script-json');
    await expect.poll(() => json.inputValue(), { timeout: 20_000 }).toContain('"identity"');
    const broken = JSON.parse(await json.inputValue());
    broken.states.identity.branches = { '1': 'fever' };
    await json.fill(JSON.stringify(broken, null, 2));
    await page.getByRole('button', { name: 'Kiểm tra' }).click();
    await expect.poll(() => page.getByTestId('script-problems').textContent()).toContain('body.script.states.identity.branches');
    // preview: the server renders the prompt with espeak-ng and sends a WAV the page plays
    const [res] = await Promise.all([page.waitForResponse((r) => r.url().endsWith('/api/calls/preview'), { timeout: 60_000 }), page.getByRole('button', { name: 'Nghe thử fever' }).click()]);
    expect(res.status()).toBe(200);
    expect(res.headers()['content-type']).toBe('audio/wav');
    expect(Number(res.headers()['content-length'] ?? (await res.body()).length)).toBeGreaterThan(8000);
    await page.screenshot({ path: path.join(shots, 'calls-script-editor.png'), fullPage: true });
    expect(errors.filter((e) => !/play\(\)|NotAllowedError|NotSupportedError/.test(e))).toEqual([]);
    await ctx.close();
  }, 120_000);
});
