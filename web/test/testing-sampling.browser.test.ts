// The sampling page (/sampling) on a field worker's 360x740 phone (issue 17): with the network gone, tubes and their
// people are queued on the device (client ids, collection times), nothing is attempted; when the network returns each
// tube is sent once and is on the server with its people. A reply lost on the way back is sent again and stored once.
// The whole staff app is served by the test server, so the service worker and the /sampling route are the real ones.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardReference, personalQrToken } from '../../server/src/modules/people';
import { alterChar, startTestServer } from '../../server/test/helpers';
import { writeBarcodeVideo } from './barcode';
import { ensureBuilt, launchBrowser, openPage, PASSWORD, type TestServer } from './browser';

let server: TestServer;
let browser: Browser;
const SHOTS = process.env.VIGIL_SCREENSHOTS ?? '/tmp';
const PEOPLE = ['Nguyễn Thị Lan', 'Trần Văn Minh', 'Lê Hoàng Nam', 'Võ Thị Yến', 'Đinh Văn Tùng'];
let tokens: string[] = [];
let ids: string[] = [];
let communeCode: string;

beforeAll(async () => {
  await ensureBuilt('index.html');
  server = await startTestServer();
  const commune = await server.db.selectFrom('admin_units').select('code').where('level', '=', 'commune').where('path', 'like', '/VN/40/%').orderBy('code').executeTakeFirstOrThrow();
  communeCode = commune.code;
  // the commune's health station runs the sampling point; its staff collect with their phones
  await server.createUser({ username: 'ts.cdc', password: PASSWORD, role: 'cdc_officer', jurisdictionCode: '40' });
  await server.createUser({ username: 'ts.xa', password: PASSWORD, role: 'commune_officer', jurisdictionCode: communeCode });
  const login = await server.app.inject({ method: 'POST', url: '/api/auth/login', headers: { 'x-requested-with': 'vigil' }, payload: { username: 'ts.cdc', password: PASSWORD } });
  const cdc = { cookie: String(login.headers['set-cookie']).split(';')[0]!, 'x-requested-with': 'vigil' };
  const point = await server.app.inject({ method: 'POST', url: '/api/testing/points', headers: cdc, payload: { code: 'NA-TYT-01', name: 'Trạm y tế xã', communeCode, team: 'Tổ lấy mẫu 1' } });
  expect(point.statusCode, point.body).toBe(201);
  // residents with personal QR codes (shown on their phones or printed on cards)
  tokens = [];
  ids = [];
  for (const [i, name] of PEOPLE.entries()) {
    const p = await server.db
      .insertInto('persons')
      .values({ full_name: name, name_key: name.toLowerCase(), birth_year: 1980 + i, commune_code: communeCode, source: 'officer' })
      .returning('id')
      .executeTakeFirstOrThrow();
    tokens.push(personalQrToken(server.app.vigil.keys, p.id));
    ids.push(p.id);
  }
  browser = await launchBrowser();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const phone = { viewport: { width: 360, height: 740 }, locale: 'vi-VN', isMobile: true, hasTouch: true };

async function signIn(page: Page, username: string) {
  const r = await page.request.post(`${server.url}/api/auth/login`, { headers: { 'x-requested-with': 'vigil' }, data: { username, password: PASSWORD } });
  expect(r.status()).toBe(200);
}

/** Opens /sampling, waits for the only sampling point to be chosen, and chooses the test type. */
async function openSampling(page: Page, type: RegExp) {
  await page.goto(`${server.url}/sampling`);
  await expect.poll(() => page.getByRole('textbox', { name: 'Điểm lấy mẫu' }).inputValue(), { timeout: 20_000 }).toContain('Trạm y tế xã');
  // a fresh phone has no test type chosen yet: the empty select says what to do instead of looking broken
  const typeBox = page.getByRole('textbox', { name: 'Loại xét nghiệm' });
  expect(await typeBox.inputValue()).toBe('');
  expect(await typeBox.getAttribute('placeholder')).toBe('Chạm để chọn loại xét nghiệm');
  expect(await page.getByRole('textbox', { name: 'Điểm lấy mẫu' }).getAttribute('placeholder')).toBe('Chạm để chọn điểm lấy mẫu');
  await page.screenshot({ path: `${SHOTS}/sampling-placeholder.png` });
  await chooseType(page, type);
}

async function chooseType(page: Page, type: RegExp) {
  await page.getByRole('textbox', { name: 'Loại xét nghiệm' }).click();
  await page.getByRole('option', { name: type }).click();
}

async function tube(page: Page, code: string) {
  await page.getByLabel('Mã ống (nhập tay)').fill(code);
  await page.getByRole('button', { name: 'Dùng mã này' }).click();
  await expect.poll(() => page.getByTestId('tube-code').textContent()).toBe(code);
}

async function personByCode(page: Page, text: string) {
  await page.getByLabel('Mã QR cá nhân (dán hoặc nhập tay)').fill(text);
  await page.getByRole('button', { name: 'Thêm', exact: true }).click();
}

const samples = () => server.db.selectFrom('samples').selectAll().execute();

/** The POSTs of queued tubes the page sent, with the client ids in each. */
function watchSends(ctx: BrowserContext) {
  const sent: string[][] = [];
  ctx.on('request', (r) => {
    if (r.method() === 'POST' && r.url().endsWith('/api/testing/samples/batch')) sent.push((r.postDataJSON() as { items: { clientId: string }[] }).items.map((i) => i.clientId));
  });
  return sent;
}

describe('sampling page (phone)', () => {
  it('queues tubes offline and sends each once when the network returns', async () => {
    const { ctx, page, errors } = await openPage(browser, phone);
    const sent = watchSends(ctx);
    await signIn(page, 'ts.xa');
    await openSampling(page, /RT-PCR/);
    // the service worker is installed; from the next load on it controls the page and keeps the sampling points and
    // test types, so the page can be opened again without a network
    await page.getByTestId('offline-ready').waitFor({ timeout: 30_000 });
    await page.reload();
    await expect.poll(() => page.evaluate(() => !!navigator.serviceWorker.controller), { timeout: 20_000 }).toBe(true);
    await expect
      .poll(() => page.evaluate(async () => (await (await caches.open('vigil-gate-api')).keys()).map((r) => new URL(r.url).pathname)), { timeout: 20_000 })
      .toEqual(expect.arrayContaining(['/api/auth/me', '/api/testing/points', '/api/testing/test-types']));
    await chooseType(page, /RT-PCR/);
    await page.screenshot({ path: `${SHOTS}/sampling-start.png`, fullPage: true });

    await ctx.setOffline(true);
    await expect.poll(() => page.getByText(/Mất mạng — mẫu được lưu/).count()).toBe(1);

    // a pooled tube: two residents by their QR (one as the URL the camera reads), one typed by hand
    await tube(page, 'NA-21-000101');
    await personByCode(page, tokens[0]!);
    await personByCode(page, `https://vigil.example.vn/p/${tokens[1]}`);
    await personByCode(page, tokens[0]!); // the same person twice: refused on the phone
    await expect.poll(() => page.getByText('Người này đã có trong ống.').count()).toBe(1);
    await page.getByRole('button', { name: 'Nhập thông tin người không có mã QR' }).click();
    await page.getByLabel('Họ và tên').fill('Phạm Thị Hoa');
    await page.getByLabel('Số điện thoại').fill('0912 345 678');
    await page.getByLabel('Năm sinh').fill('1961');
    await page.getByRole('button', { name: 'Thêm người này' }).click();
    await expect.poll(() => page.getByTestId('tube-person').count()).toBe(3);
    expect(await page.getByRole('heading', { name: 'Người trong ống (3/10)' }).count()).toBe(1);
    await page.screenshot({ path: `${SHOTS}/sampling-pool.png`, fullPage: true });
    await page.getByRole('button', { name: 'Lưu mẫu (3 người)' }).click();
    await expect.poll(() => page.getByTestId('queued').textContent()).toBe('Đang chờ gửi: 1');

    // an individual rapid test: one person per tube, a second one is refused
    await chooseType(page, /Test nhanh/);
    await tube(page, 'NA-21-000102');
    await personByCode(page, tokens[2]!);
    await expect.poll(() => page.getByTestId('tube-full').textContent()).toBe('Ống đã đủ 1 người.');
    await page.getByLabel('Mã QR cá nhân (dán hoặc nhập tay)').fill(tokens[1]!);
    expect(await page.getByRole('button', { name: 'Thêm', exact: true }).isDisabled()).toBe(true);
    await page.getByLabel('Mã QR cá nhân (dán hoặc nhập tay)').fill('');
    await page.getByRole('button', { name: 'Lưu mẫu (1 người)' }).click();
    await expect.poll(() => page.getByTestId('queued').textContent()).toBe('Đang chờ gửi: 2');
    expect(await page.getByTestId('sample-row').count()).toBe(2);
    expect(await page.getByTestId('sample-row').first().textContent()).toContain('Chờ gửi');

    // reopened without a network (the service worker serves the app): the queue is still there
    await page.reload();
    await expect.poll(() => page.getByTestId('queued').textContent(), { timeout: 20_000 }).toBe('Đang chờ gửi: 2');
    await page.screenshot({ path: `${SHOTS}/sampling-offline.png`, fullPage: true });
    expect(sent).toEqual([]); // nothing was attempted while offline
    expect(await samples()).toHaveLength(0);

    // the network returns: both tubes go, once each, and the server names the people
    await ctx.setOffline(false);
    await expect.poll(() => page.getByTestId('queued').textContent(), { timeout: 30_000 }).toBe('Đang chờ gửi: 0');
    await expect.poll(() => page.getByText('Đã ghi nhận').count(), { timeout: 10_000 }).toBe(2);
    const rows = await samples();
    expect(rows.map((r) => r.tube_code).sort()).toEqual(['NA-21-000101', 'NA-21-000102']);
    const members = await server.db
      .selectFrom('sample_members')
      .innerJoin('samples', 'samples.id', 'sample_members.sample_id')
      .innerJoin('persons', 'persons.id', 'sample_members.person_id')
      .select(['samples.tube_code', 'persons.full_name'])
      .execute();
    expect(members.filter((m) => m.tube_code === 'NA-21-000101').map((m) => m.full_name).sort()).toEqual(['Nguyễn Thị Lan', 'Phạm Thị Hoa', 'Trần Văn Minh']);
    expect(members.filter((m) => m.tube_code === 'NA-21-000102').map((m) => m.full_name)).toEqual(['Lê Hoàng Nam']);
    const clientIds = sent.flat();
    expect(new Set(clientIds).size).toBe(2);
    expect(clientIds).toHaveLength(2); // each tube was sent exactly once
    expect(await page.getByTestId('sample-row').first().textContent()).toContain('Lê Hoàng Nam');
    await page.screenshot({ path: `${SHOTS}/sampling-sent.png`, fullPage: true });
    expect(errors).toEqual([]);
    await ctx.close();
  }, 120_000); // two tubes, a reload offline and the sends, on a busy machine

  it('a reply lost on the way back: the tube is sent again and stored once', async () => {
    const { ctx, page, errors } = await openPage(browser, phone);
    await signIn(page, 'ts.xa');
    await openSampling(page, /RT-PCR/);
    // the first send reaches the server, but its answer never reaches the phone (the network drops)
    let lost = 0;
    await page.route('**/api/testing/samples/batch', async (route) => {
      if (lost === 0) {
        lost++;
        await route.fetch();
        await route.abort('connectionreset');
      } else await route.continue();
    });
    await tube(page, 'NA-21-000103');
    await page.getByRole('button', { name: 'Nhập thông tin người không có mã QR' }).click();
    await page.getByLabel('Họ và tên').fill('Đặng Văn Quý');
    await page.getByLabel('Số điện thoại').fill('0987 654 321');
    await page.getByRole('button', { name: 'Thêm người này' }).click();
    // online, a scanned QR is named at once (to compare with the person in front of the sampler); a forged one is refused
    await personByCode(page, tokens[3]!);
    await expect.poll(() => page.getByTestId('tube-person').nth(1).textContent()).toBe('Võ Thị Yến (1983)');
    // a creased card whose QR will not read: the reference printed under it, typed as printed (lower case, a space)
    const ref = cardReference(ids[4]!);
    await personByCode(page, `${ref.slice(0, 4).toLowerCase()} ${ref.slice(4)}`);
    await expect.poll(() => page.getByTestId('tube-person').nth(2).textContent()).toBe('Đinh Văn Tùng (1984)');
    await personByCode(page, alterChar(tokens[0]!, Math.floor(tokens[0]!.length / 2)));
    await expect.poll(() => page.getByTestId('tube-person').nth(3).getByRole('alert').count()).toBe(1);
    await page.getByRole('button', { name: 'Lưu mẫu (4 người)' }).click();
    await expect.poll(() => page.getByTestId('sampling-notice').textContent()).toBe('Bỏ những mã bị từ chối trước khi lưu.');
    await page.getByTestId('tube-person').nth(3).getByRole('button', { name: 'Bỏ' }).click();
    const second = page.waitForResponse((r) => r.url().endsWith('/api/testing/samples/batch') && r.status() === 200, { timeout: 30_000 });
    await page.getByRole('button', { name: 'Lưu mẫu (3 người)' }).click();
    await second; // the periodic retry
    await expect.poll(() => page.getByTestId('queued').textContent()).toBe('Đang chờ gửi: 0');
    expect(lost).toBe(1);
    expect((await samples()).filter((r) => r.tube_code === 'NA-21-000103')).toHaveLength(1);
    const inTube = await server.db.selectFrom('sample_members').innerJoin('samples', 'samples.id', 'sample_members.sample_id').select('person_id').where('tube_code', '=', 'NA-21-000103').execute();
    expect(inTube.map((m) => m.person_id)).toContain(ids[4]);
    // the phone is told it was already there
    await expect.poll(() => page.getByTestId('sample-row').first().textContent()).toContain('Đã có');
    expect(errors).toEqual([]);
    await ctx.close();
  }, 60_000);

  it("reads the tube's 1D barcode (Code 128) from the camera where the browser has no barcode detector", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-tube-'));
    const video = path.join(dir, 'tube.y4m');
    writeBarcodeVideo('NA-21-000777', video);
    const camBrowser = await launchBrowser(['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${video}`]);
    try {
      const { ctx, page, errors } = await openPage(camBrowser, { ...phone, permissions: ['camera'] });
      await signIn(page, 'ts.xa');
      await openSampling(page, /RT-PCR/);
      await page.getByRole('button', { name: 'Quét mã vạch ống' }).click();
      // headless Chromium on Linux has no BarcodeDetector, and jsQR reads no 1D code: ZXing read it
      await expect.poll(() => page.getByTestId('tube-code').textContent()).toBe('NA-21-000777');
      // the same camera now waits for the people's QR codes (jsQR); the tube's barcode held in view adds nobody
      await expect.poll(() => page.getByText(/Bộ quét:/).textContent()).toBe('Bộ quét: jsQR');
      expect(await page.getByRole('button', { name: 'Tắt camera' }).count()).toBe(1);
      const framesRead = () => page.locator('video').evaluate((v: HTMLVideoElement) => Number(v.dataset.framesRead ?? 0));
      const seen = await framesRead();
      await expect.poll(framesRead).toBeGreaterThanOrEqual(seen + 3);
      expect(await page.getByTestId('tube-person').count()).toBe(0);
      await page.screenshot({ path: `${SHOTS}/sampling-camera.png` });
      await page.getByRole('button', { name: 'Tắt camera' }).click();
      expect(errors).toEqual([]);
      await ctx.close();
    } finally {
      await camBrowser.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
