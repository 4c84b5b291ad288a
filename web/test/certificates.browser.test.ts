// Certificates in Chromium on a phone (360x740): the verifier page reads a certificate's QR from the camera (a fake
// camera playing the QR) and says it is valid, refuses an altered one pasted in; a citizen sees their own and their
// child's certificate with its QR and PDF link.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestContext } from '../../server/test/helpers';
import { addDependant, personalQrToken } from '../../server/src/modules/people';
import { communesOf, dose, person, publishDose } from '../../server/src/modules/certificates/test-fixtures';
import { ensureBuilt, launchBrowser, openPage, PASSWORD, type TestServer } from './browser';
import { qrVideo } from './qr-video';

let server: TestServer;
let browser: Browser;
let hc1: string;
const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-cert-browser-'));
const phone = { viewport: { width: 360, height: 740 }, locale: 'vi-VN', isMobile: true, hasTouch: true };

beforeAll(async () => {
  await ensureBuilt('index.html');
  server = await startTestServer();
  const t = server as unknown as TestContext;
  const { commune } = await communesOf(t);
  const me = await person(t, 'Đinh Thị Hồng Nhung', commune, '1985-11-20');
  const child = await person(t, 'Đinh Gia Bảo', commune, '2010-04-01');
  await addDependant(server.db, me, child, 'child', null, new Date());
  await server.createUser({ username: 'cert.citizen', password: PASSWORD, role: 'citizen', jurisdictionCode: commune, personId: me });
  await publishDose(t, dose(me, { doseNumber: 2, givenOn: '2021-10-20' }));
  await publishDose(t, dose(child, { givenOn: '2021-11-02' }));
  const row = await server.db.selectFrom('dcc_certificates').select('hc1').where('person_id', '=', me).executeTakeFirstOrThrow();
  hc1 = row.hc1;
  // an individual RT-PCR of the child, negative: the parent may ask for its test certificate
  const sampler = await t.login('commune_officer', commune);
  const lab = await t.login('lab_staff', '40');
  const collectedAt = new Date(Date.now() - 3 * 3_600_000).toISOString();
  const tube = await server.app.inject({ method: 'POST', url: '/api/testing/samples', headers: sampler.headers, payload: { tubeCode: `BR-${process.pid}`, testType: 'rt-pcr', collectedAt, communeCode: commune, people: [{ token: personalQrToken(server.app.vigil.keys, child) }] } });
  if (tube.statusCode !== 201) throw new Error(tube.body);
  const result = await server.app.inject({ method: 'POST', url: '/api/testing/results', headers: lab.headers, payload: { tubeCode: `BR-${process.pid}`, result: 'negative', resultedAt: new Date().toISOString() } });
  if (result.statusCode !== 200) throw new Error(result.body);
  browser = await launchBrowser();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  fs.rmSync(outDir, { recursive: true, force: true });
});

async function signIn(page: Page) {
  await page.goto(`${server.url}/`);
  await page.getByLabel('Tên đăng nhập').fill('cert.citizen');
  await page.getByLabel('Mật khẩu').fill(PASSWORD);
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  await expect.poll(() => page.getByLabel('Tên đăng nhập').count()).toBe(0);
}

describe('certificate pages', () => {
  it('verifies a certificate read from the camera', async () => {
    const video = path.join(outDir, 'cert.y4m');
    await qrVideo(hc1, video);
    const cam = await launchBrowser(['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${video}`]);
    try {
      const { ctx, page, errors } = await openPage(cam, { ...phone, permissions: ['camera'] });
      await signIn(page);
      await page.goto(`${server.url}/verify`);
      await page.getByRole('button', { name: 'Quét mã QR bằng camera' }).click();
      const result = page.getByTestId('verify-result');
      await expect.poll(() => result.getAttribute('data-valid')).toBe('true');
      await expect.poll(() => result.getByText('HỢP LỆ', { exact: true }).count()).toBe(1);
      expect(await result.getByText('Đinh Thị Hồng Nhung').count()).toBe(1);
      expect(await result.locator('[data-check="signature"]').getAttribute('data-state')).toBe('true');
      await page.screenshot({ path: path.join(outDir, 'verify-valid.png'), fullPage: true });
      if (process.env.VIGIL_SCREENSHOTS) fs.copyFileSync(path.join(outDir, 'verify-valid.png'), path.join(process.env.VIGIL_SCREENSHOTS, 'certificates-verify.png'));
      expect(errors).toEqual([]);
      await ctx.close();
    } finally {
      await cam.close();
    }
  });

  it('says an altered certificate pasted in is not valid, and which check failed', async () => {
    const { ctx, page, errors } = await openPage(browser, phone);
    await signIn(page);
    await page.goto(`${server.url}/verify`);
    const altered = hc1.slice(0, 80) + (hc1[80] === 'A' ? 'B' : 'A') + hc1.slice(81);
    await page.getByLabel('Hoặc dán nội dung mã QR').fill(altered);
    await page.getByRole('button', { name: 'Kiểm tra' }).click();
    const result = page.getByTestId('verify-result');
    await expect.poll(() => result.getAttribute('data-valid')).toBe('false');
    expect(await result.getByText('KHÔNG HỢP LỆ').count()).toBe(1);
    expect(errors).toEqual([]);
    await ctx.close();
  });

  it('lets a doorman without an account check a certificate on the public page (/kiem-tra): what it says, valid or why not', async () => {
    const { ctx, page, errors } = await openPage(browser, phone);
    await page.goto(`${server.url}/kiem-tra`);
    expect(await page.getByLabel('Tên đăng nhập').count()).toBe(0);
    await page.getByLabel('Hoặc dán nội dung mã QR').fill(hc1);
    await page.getByRole('button', { name: 'Kiểm tra' }).click();
    const result = page.getByTestId('verify-result');
    await expect.poll(() => result.getAttribute('data-valid')).toBe('true');
    expect(await result.getByText('Đinh Thị Hồng Nhung').count()).toBe(1);
    expect(await result.getByText('20/11/1985').count()).toBe(1);
    expect(await result.getByText('20/10/2021').count()).toBe(1);
    // the doorman sees the answer, not the layers behind it
    expect(await result.locator('[data-check]').count()).toBe(0);
    await page.screenshot({ path: path.join(outDir, 'public-verify.png'), fullPage: true });
    if (process.env.VIGIL_SCREENSHOTS) fs.copyFileSync(path.join(outDir, 'public-verify.png'), path.join(process.env.VIGIL_SCREENSHOTS, 'certificates-public-verify.png'));
    if (process.env.VIGIL_KEEP_SHOTS) fs.copyFileSync(path.join(outDir, 'public-verify.png'), path.join(process.env.VIGIL_KEEP_SHOTS, 'public-verify.png'));
    const altered = hc1.slice(0, 80) + (hc1[80] === 'A' ? 'B' : 'A') + hc1.slice(81);
    await page.getByLabel('Hoặc dán nội dung mã QR').fill(altered);
    await page.getByRole('button', { name: 'Kiểm tra' }).click();
    await expect.poll(() => result.getAttribute('data-valid')).toBe('false');
    expect(await result.getByText('KHÔNG HỢP LỆ').count()).toBe(1);
    // and why: the verifier's first problem, under the title
    expect((await result.getByRole('alert').textContent())!.replace('KHÔNG HỢP LỆ', '').trim().length).toBeGreaterThan(10);
    expect(errors).toEqual([]);
    await ctx.close();
  });

  it("shows the citizen's own and their child's certificates with QR and PDF", async () => {
    const { ctx, page, errors } = await openPage(browser, phone);
    await signIn(page);
    await page.goto(`${server.url}/certificates`);
    const cards = page.getByTestId('certificate-card');
    await expect.poll(() => cards.count()).toBe(2);
    // on the cards: the household's test results below also name the child, once they have loaded
    expect(await cards.getByText('Đinh Gia Bảo').count()).toBe(1);
    expect(await cards.getByText(/Mũi 2\/2/).count()).toBe(1);
    const img = cards.first().getByRole('img', { name: 'Mã QR chứng nhận' });
    await expect.poll(() => img.evaluate((i: HTMLImageElement) => i.complete && i.naturalWidth)).toBeGreaterThan(100);
    const pdf = await page.request.get(`${server.url}${await cards.first().getByRole('link', { name: 'Tải bản in (PDF)' }).getAttribute('href')}`);
    expect(pdf.headers()['content-type']).toBe('application/pdf');
    await page.screenshot({ path: path.join(outDir, 'my-certificates.png'), fullPage: true });
    if (process.env.VIGIL_SCREENSHOTS) fs.copyFileSync(path.join(outDir, 'my-certificates.png'), path.join(process.env.VIGIL_SCREENSHOTS, 'certificates-mine.png'));
    expect(errors).toEqual([]);
    await ctx.close();
  });

  it("issues the child's negative test as a test certificate when the parent asks", async () => {
    const { ctx, page, errors } = await openPage(browser, phone);
    await signIn(page);
    await page.goto(`${server.url}/certificates`);
    const ask = page.getByTestId('ask-test-certificate');
    await expect.poll(() => ask.getByText(/Đinh Gia Bảo.*ÂM TÍNH/).count(), { timeout: 20_000 }).toBe(1);
    const cards = page.getByTestId('certificate-card');
    await expect.poll(() => cards.count()).toBe(2);
    await ask.getByRole('button', { name: 'Cấp chứng nhận' }).click();
    await expect.poll(() => cards.count()).toBe(3);
    const test = cards.filter({ hasText: 'Xét nghiệm' });
    expect(await test.textContent()).toMatch(/Đinh Gia Bảo.*ÂM TÍNH \(không phát hiện\)/);
    await page.screenshot({ path: path.join(outDir, 'test-certificate.png'), fullPage: true });
    if (process.env.VIGIL_KEEP_SHOTS) fs.copyFileSync(path.join(outDir, 'test-certificate.png'), path.join(process.env.VIGIL_KEEP_SHOTS, 'test-certificate.png'));
    // asked again: the same certificate, no second one
    await ask.getByRole('button', { name: 'Cấp chứng nhận' }).click();
    await expect.poll(() => ask.getByText('Đã cấp chứng nhận xét nghiệm.').count()).toBe(1);
    expect(await cards.count()).toBe(3);
    expect(errors).toEqual([]);
    await ctx.close();
  });
});
