// A site day on a phone (360×740) in Chromium against a real server: the staff member scans the person's QR with
// the (fake) camera, screens them, records the dose, watches the 30-minute observation run out, ends it; the person
// then finds the dose in their electronic health book with its certificate: the QR picture reads back (zbarimg) as an
// HC1 text that `vigil cert verify` accepts with the server's trust list, and the PDF prints it (its QR reads back too).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from '../../server/test/helpers';
import { personalQrToken } from '../../server/src/modules/people';
import { localDay } from '../../server/src/platform/time';
import { spawnSync } from 'node:child_process';
import { cliTestTimeout, runVigil } from '../../server/test/cli-run';
import { ensureBuilt, launchBrowser, openPage, PASSWORD, type TestServer } from './browser';
import { qrVideo } from './qr-video';

let server: TestServer;
let browser: Browser;
let dir: string;
let offsetMs = 0;
const NAME = 'Nguyễn Thị Hoa';
const PHONE = { width: 360, height: 740 };

beforeAll(async () => {
  await ensureBuilt('index.html');
  server = await startTestServer({ clock: () => new Date(Date.now() + offsetMs) });
  const commune = (await server.db.selectFrom('admin_units').select('code').where('level', '=', 'commune').where('path', 'like', '/VN/40/%').orderBy('code').executeTakeFirstOrThrow()).code;
  await server.createUser({ username: 'vacc.cdc', password: PASSWORD, role: 'cdc_officer', jurisdictionCode: '40' });
  await server.createUser({ username: 'vacc.staff', password: PASSWORD, role: 'vaccination_staff', jurisdictionCode: commune });
  const login = await server.app.inject({ method: 'POST', url: '/api/auth/login', headers: { 'x-requested-with': 'vigil' }, payload: { username: 'vacc.cdc', password: PASSWORD } });
  const headers = { cookie: String(login.headers['set-cookie']).split(';')[0]!, 'x-requested-with': 'vigil' };
  const post = async (url: string, payload: object) => {
    const r = await server.app.inject({ method: 'POST', url, headers, payload });
    expect(r.statusCode, r.body).toBeLessThan(300);
    return r.json();
  };
  const today = localDay(new Date(), server.config.timeZone);
  const campaign = await post('/api/vaccination/campaigns', { name: 'Tiêm COVID-19 Vinh', unitCode: '40', startsOn: '2021-01-01', endsOn: '2099-12-31', productCodes: ['EU/1/20/1528'], priorityCodes: [] });
  const site = await post('/api/vaccination/sites', { code: 'TYT-BROWSER', name: 'Trạm y tế phường Hưng Bình', address: '12 Lê Hồng Phong', communeCode: commune, capacityPerHour: 60, openingHours: [{ days: [1, 2, 3, 4, 5, 6, 7], from: '00:00', to: '23:30' }] });
  await post(`/api/vaccination/sites/${site.id}/lots`, { productCode: 'EU/1/20/1528', lotNumber: 'FF2588', expiresOn: '2099-01-31', quantity: 100 });
  await post(`/api/vaccination/campaigns/${campaign.id}/sessions`, { siteId: site.id, day: today, productCode: 'EU/1/20/1528' });
  const person = await server.db
    .insertInto('persons')
    .values({ full_name: NAME, name_key: 'nguyen thi hoa', phone: '+84913555001', birth_year: 1988, commune_code: commune, source: 'officer' } as never)
    .returning('id')
    .executeTakeFirstOrThrow();
  const personId = (person as { id: string }).id;
  await server.createUser({ username: 'vacc.hoa', password: PASSWORD, role: 'citizen', jurisdictionCode: '40', personId });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-vacc-'));
  await qrVideo(personalQrToken(server.app.vigil.keys, personId), path.join(dir, 'qr.y4m'));
  browser = await launchBrowser(['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${path.join(dir, 'qr.y4m')}`]);
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

async function signIn(page: Page, username: string) {
  await page.getByLabel('Tên đăng nhập').fill(username);
  await page.getByLabel('Mật khẩu').fill(PASSWORD);
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
}

describe('site day on a phone', () => {
  it('scan → screening → dose → observation, then the dose and its certificate in the health book', async () => {
    const { ctx, page, errors } = await openPage(browser, { viewport: PHONE, locale: 'vi-VN', permissions: ['camera'] });
    await page.goto(`${server.url}/vaccination/site-day`);
    await signIn(page, 'vacc.staff');
    // the staff member's only site is chosen by itself
    await expect.poll(() => page.getByRole('textbox', { name: 'Điểm tiêm' }).inputValue(), { timeout: 20_000 }).toBe('Trạm y tế phường Hưng Bình');
    await page.getByRole('button', { name: 'Mở camera' }).click();
    await expect.poll(() => page.getByTestId('person-card').textContent(), { timeout: 20_000 }).toContain(NAME);
    // screening: the temperature written the Vietnamese way (decimal comma), pasted or from a phone's keyboard, is read
    // as 36.8, not 368 clamped to 45 (a fever: the person sent away)
    const temperature = page.getByRole('textbox', { name: 'Nhiệt độ (°C)' });
    await temperature.fill('36,8');
    await temperature.blur();
    expect(await temperature.inputValue()).toBe('36,8');
    // healthy, consents
    await page.getByLabel('Người được tiêm đồng ý tiêm chủng').check();
    await page.getByRole('button', { name: 'Phân loại' }).click();
    await expect.poll(() => page.getByTestId('screening-result').getAttribute('data-outcome')).toBe('eligible');
    // dose: the site's lot is offered first; the vaccinator's name is typed once
    await expect.poll(() => page.getByRole('textbox', { name: 'Lô vắc xin' }).inputValue()).toContain('FF2588');
    await page.getByLabel('Người tiêm').fill('ĐD Trần Lan');
    await page.getByRole('button', { name: 'Ghi nhận mũi tiêm' }).click();
    await expect.poll(() => page.getByTestId('observation-timer').textContent()).toMatch(/Còn lại (30:00|29:\d\d)/);
    const shots = path.join(os.tmpdir(), 'vigil-vacc-shots');
    fs.mkdirSync(shots, { recursive: true });
    await page.screenshot({ path: path.join(shots, 'site-day.png'), fullPage: true });
    // ending the observation early is refused by the server; after 30 minutes (server clock) it ends
    await page.getByRole('button', { name: 'Kết thúc theo dõi' }).click();
    await expect.poll(() => page.getByText('Chưa đủ 30 phút theo dõi.').count()).toBe(1);
    offsetMs += 31 * 60_000;
    await page.getByRole('button', { name: 'Kết thúc theo dõi' }).click();
    await expect.poll(() => page.getByTestId('observation-ended').count()).toBe(1);
    const dose = await server.db.selectFrom('vaccination_doses' as never).select(['lot_number', 'vaccinator', 'observation_ended_at'] as never).executeTakeFirstOrThrow();
    expect(dose).toMatchObject({ lot_number: 'FF2588', vaccinator: 'ĐD Trần Lan' });
    expect(errors).toEqual([]);
    await ctx.close();

    // the person opens their health book on their own phone (once the dose event has issued the certificate)
    await server.events.settled();
    const citizen = await openPage(browser, { viewport: PHONE, locale: 'vi-VN' });
    await citizen.page.goto(`${server.url}/health-book`);
    await signIn(citizen.page, 'vacc.hoa');
    await expect.poll(() => citizen.page.getByTestId('book-doses').textContent(), { timeout: 20_000 }).toContain('Mũi 1/2: Comirnaty (Pfizer-BioNTech), lô FF2588');
    await expect.poll(() => citizen.page.getByTestId('book-doses').textContent()).toMatch(/Mũi 2 đến hẹn từ ngày \d{2}\/\d{2}\/\d{4}/);

    // the certificate of the dose: shown with its QR and a PDF to download
    const card = citizen.page.getByTestId('certificate-card');
    await expect.poll(() => card.count(), { timeout: 20_000 }).toBe(1);
    expect(await card.textContent()).toContain(NAME);
    expect(await card.textContent()).toContain('Mũi 1/2');
    await citizen.page.screenshot({ path: path.join(shots, 'health-book.png'), fullPage: true });
    const img = card.getByRole('img', { name: 'Mã QR chứng nhận' });
    await expect.poll(() => img.evaluate((i: HTMLImageElement) => i.complete && i.naturalWidth)).toBeGreaterThan(100);
    const png = await citizen.page.request.get(`${server.url}${await img.getAttribute('src')}`);
    expect(png.headers()['content-type']).toBe('image/png');
    fs.writeFileSync(path.join(dir, 'qr.png'), await png.body());
    const readQr = (file: string) => spawnSync('zbarimg', ['--quiet', '--raw', '-Sdisable', '-Sqrcode.enable', file], { encoding: 'utf8' }).stdout.trim();
    const hc1 = readQr(path.join(dir, 'qr.png'));
    expect(hc1).toMatch(/^HC1:/);
    const pdf = await citizen.page.request.get(`${server.url}${await card.getByRole('link', { name: 'Tải bản in (PDF)' }).getAttribute('href')}`);
    expect(pdf.headers()['content-type']).toBe('application/pdf');
    fs.writeFileSync(path.join(dir, 'certificate.pdf'), await pdf.body());
    expect(spawnSync('pdftotext', [path.join(dir, 'certificate.pdf'), '-'], { encoding: 'utf8' }).stdout).toContain(NAME);
    expect(spawnSync('pdftoppm', ['-png', '-r', '110', '-singlefile', path.join(dir, 'certificate.pdf'), path.join(shots, 'certificate')]).status).toBe(0);
    expect(readQr(path.join(shots, 'certificate.png'))).toBe(hc1);
    expect(citizen.errors).toEqual([]);
    await citizen.ctx.close();

    // `vigil cert verify` accepts it with the trust list the server publishes
    const trust = path.join(dir, 'trust.json');
    fs.writeFileSync(trust, (await server.app.inject({ method: 'GET', url: '/api/certificates/trust-list' })).body);
    const verified = await runVigil(['cert', 'verify', '--trust', trust, '--json', hc1], {});
    expect(verified.code, verified.out).toBe(0);
    expect(JSON.parse(verified.stdout)).toMatchObject({ valid: true, payload: { dob: '1988', v: [{ dn: 1, sd: 2, mp: 'EU/1/20/1528' }] } });
  }, 240_000 + cliTestTimeout(1));
});
