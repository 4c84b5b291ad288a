// The cases pages in Chromium against a real server: a confirmed case's page (trace progress → done, timeline,
// contacts, the transmission graph), and the citizen check-in page telling a phone that was at the same venue at
// the same time as a case (matched on the phone against the published notices).
import { devices, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from '../../server/test/helpers';
import { scenario } from '../../server/src/modules/cases/test-fixtures';
import { ensureBuilt, launchBrowser, openPage, PASSWORD, type TestServer } from './browser';

let server: TestServer;
let browser: Browser;
let caseId: string;
let caseCode: string;
let venueId: string;
let venueName: string;
let shopId: string;
let qrPath: string;
const names = { f0: 'Nguyễn Văn Không', f1: 'Trần Thị Một', f2: 'Lê Văn Hai', fresh: 'Hoàng Văn Mới' };
const iso = (msAgo: number) => new Date(Date.now() - msAgo).toISOString();
const H = 3600_000;

beforeAll(async () => {
  await ensureBuilt('index.html');
  // the mass-exposure rule at 1 (more than one other person at an F1's stay): the supermarket below is a crowd
  server = await startTestServer({ config: { traceMassExposure: 1 } });
  await server.createUser({ username: 'cases.cdc', password: PASSWORD, role: 'cdc_officer', jurisdictionCode: '40' });
  const login = await server.app.inject({ method: 'POST', url: '/api/auth/login', headers: { 'x-requested-with': 'vigil' }, payload: { username: 'cases.cdc', password: PASSWORD } });
  const headers = { cookie: String(login.headers['set-cookie']).split(';')[0]!, 'x-requested-with': 'vigil' };
  // a venue made through the API (it has an entrance and a poster QR), people and stays straight in the tables
  const s = await scenario(server.db);
  venueName = 'Chợ Ga Vinh';
  const created = await server.app.inject({ method: 'POST', url: '/api/venues', headers, payload: { name: venueName, type: 'market', communeCode: s.commune, address: '1 Phan Bội Châu', defaultStayMinutes: 60 } });
  expect(created.statusCode, created.body).toBe(201);
  venueId = created.json().venue.id;
  const qr = await server.app.inject({ method: 'GET', url: `/api/venues/${venueId}/entrances/${created.json().entrances[0].id}/qr`, headers });
  qrPath = new URL(qr.json().url).pathname;
  const other = await s.venue('QUAN-PHO', 60);
  const f0 = await s.person(names.f0);
  const f1 = await s.person(names.f1);
  const f2 = await s.person(names.f2);
  await s.person(names.fresh, { phone: '+84987650001', nationalId: '040090009999' });
  await s.person('Hoàng Văn Mười', { phone: '+84987650002' }); // a namesake-ish neighbour in the results
  await s.stay(f0, venueId, iso(5 * H), iso(4 * H));
  await s.stay(f1, venueId, iso(4.5 * H), iso(3.5 * H));
  await s.stay(f1, other, iso(2 * H), iso(1.5 * H));
  await s.stay(f2, other, iso(1.8 * H), iso(1 * H));
  // the F1 later at a supermarket with two people: announced (a mass exposure), not listed
  const shop = (shopId = await s.venue('SIEU-THI', 60));
  await s.stay(f1, shop, iso(3 * H), iso(2.5 * H));
  for (const n of ['Đinh Văn Ba', 'Đinh Thị Tư']) await s.stay(await s.person(n), shop, iso(2.9 * H), iso(2.6 * H));
  const res = await server.app.inject({ method: 'POST', url: '/api/cases', headers, payload: { personId: f0, confirmedAt: iso(0.5 * H), source: 'community' } });
  expect(res.statusCode, res.body).toBe(201);
  caseId = res.json().case.id;
  caseCode = res.json().case.code;
  browser = await launchBrowser();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function signIn(page: Page, lang: 'vi' | 'en' = 'vi') {
  const [user, pass, submit] = lang === 'vi' ? ['Tên đăng nhập', 'Mật khẩu', 'Đăng nhập'] : ['Username', 'Password', 'Sign in'];
  await page.getByLabel(user).fill('cases.cdc');
  await page.getByLabel(pass).fill(PASSWORD);
  await page.getByRole('button', { name: submit }).click();
}

describe('case page', () => {
  it('shows the case, tracing done with F1 and F2, the timeline, the contacts and the transmission graph', async () => {
    const { ctx, page, errors } = await openPage(browser, { viewport: { width: 1280, height: 900 }, locale: 'vi-VN' });
    await page.goto(`${server.url}/cases/${caseId}`);
    await signIn(page);
    await expect.poll(() => page.getByTestId('case-code').textContent(), { timeout: 20_000 }).toBe(caseCode);
    // tracing runs in the background; the page polls until it is done
    await expect.poll(() => page.getByTestId('trace-status').getAttribute('data-status'), { timeout: 30_000 }).toBe('done');
    await expect.poll(() => page.getByTestId('count-F1').textContent()).toBe('1');
    expect(await page.getByTestId('count-F2').textContent()).toBe('1');
    // the supermarket's two people were not listed: the case page says so, with the rule
    await expect.poll(() => page.getByTestId('mass-exposure').textContent()).toMatch(/^2 người tại Venue SIEU-THI \(SIEU-THI-\d+\) .* cùng 1 F1 không được lập danh sách F2 từng người; đã công bố thông báo địa điểm\.$/);
    expect(await page.getByTestId('mass-exposures').textContent()).toContain('hơn 1 người khác');
    await page.getByTestId('trace-card').screenshot({ path: '/tmp/vigil-case-mass.png' });
    await expect.poll(() => page.getByTestId('case-timeline').textContent()).toContain(venueName);
    await page.getByRole('tab', { name: /Người tiếp xúc/ }).click();
    await expect.poll(() => page.getByTestId('contacts-table').textContent()).toContain(names.f1);
    expect(await page.getByTestId('contacts-table').textContent()).toContain(names.f2);
    // the F2's stay says with how many F1s; who they were is read when the list is opened
    const f2Row = page.getByTestId('contacts-table').locator('tr', { hasText: names.f2 });
    expect(await f2Row.textContent()).toContain('cùng 1 F1 — danh sách');
    await f2Row.getByRole('button', { name: 'danh sách' }).click();
    await expect.poll(() => page.locator('[data-testid^="sources-list-"]').textContent()).toContain(`F1 ${names.f1}`);
    await page.screenshot({ path: '/tmp/vigil-case-sources.png' });
    await page.keyboard.press('Escape');
    await page.getByRole('tab', { name: 'Sơ đồ lây nhiễm' }).click();
    // ECharts draws SVG: the case, the contacts and the venue are labelled nodes
    await expect.poll(() => page.getByTestId('transmission-graph').locator('svg text').allTextContents(), { timeout: 10_000 }).toEqual(expect.arrayContaining([expect.stringContaining(caseCode), names.f1, names.f2, venueName]));
    await page.screenshot({ path: '/tmp/vigil-case-page.png', fullPage: true });
    expect(errors).toEqual([]);
    await ctx.close();
  });
});

describe('new case', () => {
  it('finds the person by name or phone and confirms a case for them, no record id to type', async () => {
    const { ctx, page, errors } = await openPage(browser, { viewport: { width: 1280, height: 900 }, locale: 'vi-VN' });
    await page.goto(`${server.url}/cases`);
    await signIn(page);
    await page.getByRole('button', { name: 'Thêm ca bệnh' }).click();
    const dialog = page.getByRole('dialog');
    const who = dialog.getByLabel('Người bệnh');
    await who.fill('Hoàng Văn');
    const results = dialog.getByRole('listbox', { name: 'Người tìm thấy' });
    await expect.poll(() => results.getByRole('option').allTextContents(), { timeout: 15_000 }).toEqual(expect.arrayContaining([expect.stringContaining(names.fresh), expect.stringContaining('Hoàng Văn Mười')]));
    // by phone: exactly the one person
    await who.fill('0987650001');
    await expect.poll(() => results.getByRole('option').allTextContents(), { timeout: 15_000 }).toEqual([expect.stringContaining(names.fresh)]);
    expect(await dialog.getByRole('button', { name: 'Lưu' }).isDisabled()).toBe(true); // nobody picked yet
    await results.getByRole('option').first().click();
    expect(await dialog.getByText(names.fresh).count()).toBe(1);
    await dialog.getByRole('button', { name: 'Lưu' }).click();
    await expect.poll(() => page.getByTestId('case-code').textContent(), { timeout: 20_000 }).toMatch(/^NA40-\d{5}$/);
    expect(await page.textContent('body')).toContain(names.fresh);
    await page.screenshot({ path: '/tmp/vigil-case-new.png', fullPage: true });
    expect(errors).toEqual([]);
    await ctx.close();
  });
});

describe('citizen exposure notice', () => {
  it('a phone that was at the venue while the case was there learns it, matched on the phone', async () => {
    await ensureBuilt('checkin.html');
    const { ctx, page, errors } = await openPage(browser, { ...devices['Galaxy S9+'], viewport: { width: 360, height: 740 }, locale: 'vi-VN' });
    const requests: string[] = [];
    page.on('request', (r) => requests.push(`${r.method()} ${r.url()}`));
    // the phone's own history: it was at this venue from 4h45 to 4h15 ago (checked in there earlier)
    await page.addInitScript(
      ([venue, name, from, to]) => localStorage.setItem('vigil.checkin.visits', JSON.stringify([{ venueId: venue, venueName: name, from, to }])),
      [venueId, venueName, iso(4.75 * H), iso(4.25 * H)],
    );
    await page.goto(`${server.url}${qrPath}`);
    const alert = page.getByTestId('exposure-alert');
    await expect.poll(() => alert.count(), { timeout: 15_000 }).toBe(1);
    expect(await alert.textContent()).toContain(`Bạn đã ở ${venueName} từ`);
    // a case's own notice: the general title, not the self-monitoring one of a crowd
    expect(await page.getByTestId('exposure-title').textContent()).toBe('Bạn có thể đã tiếp xúc với ca bệnh');
    // nothing about the phone's history went to the server: the notices were fetched with a plain GET
    const noticeRequests = requests.filter((r) => r.includes('exposure-notices'));
    expect(noticeRequests.length).toBeGreaterThan(0);
    for (const r of noticeRequests) expect(r).toBe(`GET ${server.url}/api/public/exposure-notices`);
    expect(requests.some((r) => r.includes(venueId) && r.includes('exposure'))).toBe(false);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await page.screenshot({ path: '/tmp/vigil-exposure-phone.png', fullPage: true });
    expect(errors).toEqual([]);
    await ctx.close();
  });

  it('a phone that was at the supermarket with the F1 (a mass exposure) is told so, with 7 days of self-monitoring', async () => {
    const { ctx, page, errors } = await openPage(browser, { viewport: { width: 360, height: 740 }, locale: 'vi-VN' });
    await page.addInitScript(
      ([venue, name, from, to]) => localStorage.setItem('vigil.checkin.visits', JSON.stringify([{ venueId: venue, venueName: name, from, to }])),
      [shopId, 'Venue SIEU-THI', iso(2.8 * H), iso(2.7 * H)],
    );
    await page.goto(`${server.url}${qrPath}`);
    const alert = page.getByTestId('exposure-alert');
    await expect.poll(() => alert.count(), { timeout: 15_000 }).toBe(1);
    const text = await alert.textContent();
    expect(text).toContain('cùng thời gian với người tiếp xúc gần (F1) của một ca bệnh');
    expect(text).toContain('theo dõi sức khoẻ 7 ngày');
    expect(text).not.toContain('14 ngày');
    // the title says what a level-2 notice is: self-monitoring, not an F1's quarantine
    expect(await page.getByTestId('exposure-title').textContent()).toBe('Bạn ở cùng nơi với người tiếp xúc gần (F1): hãy tự theo dõi sức khoẻ, bạn không phải F1');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await page.screenshot({ path: '/tmp/vigil-exposure-mass-phone.png', fullPage: true });
    expect(errors).toEqual([]);
    await ctx.close();
  });

  it('in English, a level-2 notice is titled as self-monitoring too', async () => {
    const { ctx, page, errors } = await openPage(browser, { viewport: { width: 360, height: 740 }, locale: 'en-GB' });
    await page.addInitScript(
      ([venue, name, from, to]) => {
        localStorage.setItem('vigil.checkin.visits', JSON.stringify([{ venueId: venue, venueName: name, from, to }]));
        localStorage.setItem('vigil.lang', JSON.stringify('en')); // as older check-in pages kept it (still read)
      },
      [shopId, 'Venue SIEU-THI', iso(2.8 * H), iso(2.7 * H)],
    );
    await page.goto(`${server.url}${qrPath}`);
    const title = page.getByTestId('exposure-title');
    await expect.poll(() => title.count(), { timeout: 15_000 }).toBe(1);
    expect(await title.textContent()).toBe('You were near close contacts (F1) of a case: watch your health — you are not an F1');
    expect(await page.getByTestId('exposure-alert').textContent()).toContain('Watch your health for 7 days');
    await page.screenshot({ path: '/tmp/vigil-exposure-mass-phone-en.png', fullPage: true });
    expect(errors).toEqual([]);
    await ctx.close();
  });

  it('a phone whose visit did not overlap sees nothing', async () => {
    const { ctx, page } = await openPage(browser, { viewport: { width: 360, height: 740 }, locale: 'vi-VN' });
    await page.addInitScript(
      ([venue, name, from, to]) => localStorage.setItem('vigil.checkin.visits', JSON.stringify([{ venueId: venue, venueName: name, from, to }])),
      // after the case left (4 h ago) and after the notice's window, which is widened to whole half hours
      [venueId, venueName, iso(2.9 * H), iso(2.5 * H)],
    );
    const notices = page.waitForResponse((r) => r.url().includes('/api/public/exposure-notices'));
    await page.goto(`${server.url}${qrPath}`);
    await notices;
    await expect.poll(() => page.locator('h1').count()).toBeGreaterThan(0);
    expect(await page.getByTestId('exposure-alert').count()).toBe(0);
    await ctx.close();
  });
});

describe('exposure notices page (officers)', () => {
  it('shows each notice\'s level on a phone: a case was there (1) or a crowd with F1s (2, with its figures), in Vietnamese and English', async () => {
    const expected = {
      vi: { one: 'Mức 1 · Ca bệnh (F0) đã đến', two: 'Mức 2 · Đông người, có F1', explain: '2 người có mặt cùng lúc với F1 của ca bệnh (1 F1), không lập danh sách F2 từng người: tự theo dõi sức khoẻ 7 ngày, không phải cách ly' },
      en: { one: 'Level 1 · A case (F0) was there', two: 'Level 2 · Crowd with F1s', explain: "2 people there at the same time as the case's F1s (1), not listed as F2 one by one: 7 days of self-monitoring, no quarantine order" },
    };
    for (const lang of ['vi', 'en'] as const) {
      const { ctx, page, errors } = await openPage(browser, { viewport: { width: 360, height: 740 }, locale: 'vi-VN' });
      await ctx.addInitScript((l) => localStorage.setItem('vigil.lang', l), lang);
      await page.goto(`${server.url}/exposures`);
      await signIn(page, lang);
      const table = page.getByTestId('notices-table');
      await expect.poll(() => table.locator('tr[data-level="2"]').count(), { timeout: 15_000 }).toBe(1);
      const e = expected[lang];
      const rowOf = (level: number, venue: string) => table.locator(`tr[data-level="${level}"]`, { hasText: venue });
      expect(await rowOf(1, venueName).getByTestId('notice-level').textContent()).toBe(e.one);
      expect(await rowOf(1, venueName).getByTestId('notice-level-explain').count()).toBe(0);
      const crowd = rowOf(2, 'Venue SIEU-THI');
      expect(await crowd.getByTestId('notice-level').textContent()).toBe(e.two);
      // the supermarket: two people there besides the F1 (the rule at 1 for this server), one F1
      expect(await crowd.getByTestId('notice-level-explain').textContent()).toBe(e.explain);
      // on a phone the venue and its level come first, readable without scrolling sideways
      const box = await crowd.getByTestId('notice-level').boundingBox();
      expect(box!.x + box!.width).toBeLessThanOrEqual(360);
      await page.screenshot({ path: `/tmp/vigil-notices-phone-${lang}.png`, fullPage: true });
      expect(errors).toEqual([]);
      await ctx.close();
    }
  });
});

describe('places page', () => {
  it('says why each camera is down in the reader’s language, from the stored reason code', async () => {
    const commune = (await server.db.selectFrom('admin_units').select('code').where('level', '=', 'commune').where('path', 'like', '/VN/40/%').orderBy('code').executeTakeFirstOrThrow()).code;
    const place = await server.db.insertInto('quarantine_places').values({ name: 'KTX Sư phạm', kind: 'concentrated', commune_code: commune, capacity: 50 }).returning('id').executeTakeFirstOrThrow();
    const cams: [string, string, string | null][] = [
      ['Cam HTTP', 'http', '503'],
      ['Cam chậm', 'timeout', '3000'],
      ['Cam chặn', 'blocked', '10.0.0.5'],
      ['Cam ngắt', 'reset', 'ECONNRESET'],
    ];
    await server.db.insertInto('place_cameras').values(cams.map(([name, reason, detail]) => ({ place_id: place.id, name, stream_url: 'rtsp://cam.invalid/live', last_probe_at: new Date(), last_probe_ok: false, last_probe_reason: reason, last_probe_detail: detail }))).execute();
    const expected = {
      vi: ['Cam HTTP · máy chủ báo lỗi HTTP 503', 'Cam chậm · không trả lời trong 3000 ms', 'Cam chặn · địa chỉ 10.0.0.5 bị chặn', 'Cam ngắt · kết nối bị ngắt (ECONNRESET)'],
      en: ['Cam HTTP · the server answered HTTP 503', 'Cam chậm · no answer in 3000 ms', 'Cam chặn · address 10.0.0.5 blocked', 'Cam ngắt · connection reset (ECONNRESET)'],
    };
    for (const lang of ['vi', 'en'] as const) {
      const { ctx, page, errors } = await openPage(browser, { viewport: { width: 1280, height: 900 }, locale: 'vi-VN' });
      await ctx.addInitScript((l) => localStorage.setItem('vigil.lang', l), lang);
      await page.goto(`${server.url}/places`);
      await signIn(page, lang);
      const down = page.getByTestId('cameras-down');
      await expect.poll(() => down.textContent()).toContain('KTX Sư phạm · Cam ngắt');
      const text = (await down.textContent())!;
      for (const line of expected[lang]) expect(text, lang).toContain(line);
      expect(text).not.toMatch(/places\.probe|undefined/);
      await page.screenshot({ path: `/tmp/vigil-places-cameras-${lang}.png`, fullPage: true });
      expect(errors).toEqual([]);
      await ctx.close();
    }
  });
});
