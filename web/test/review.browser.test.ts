// Found in the review of vaccination + calls (session 5), as a Vietnamese user sees the pages: the site day on a phone
// named its screening rules by their English codes and let the outcome badge run out of its card; lot expiry dates,
// the dashboard's and the calls pages' dates were ISO; the calls pages showed raw dispositions, symptoms and sources;
// the health book had no test results and no way to book or cancel an appointment; staff had no way to print a
// person's certificate. Each assertion fails without its fix.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from '../../server/test/helpers';
import { personalQrToken } from '../../server/src/modules/people';
import { localDay, localTime } from '../../server/src/platform/time';
import { acceleratedClock, runCampaignDay, SimulatedProvider, FEVERISH, WELL } from '../../server/src/modules/calls';
import { dialerDeps, HEALTH_CHECK, monitoredContacts, prepareDay, silentRenderer, vinhCommune } from '../../server/src/modules/calls/test-fixtures';
import { ensureBuilt, launchBrowser, openPage, PASSWORD, type TestServer } from './browser';

const DAY = localDay(new Date(), 'Asia/Ho_Chi_Minh');
const TOMORROW = localDay(new Date(Date.now() + 86_400_000), 'Asia/Ho_Chi_Minh');
const [Y, M, D] = DAY.split('-');
const PHONE = { width: 360, height: 740 };
const NAME = 'Trần Văn Thọ';
let server: TestServer;
let browser: Browser;
let personId: string;
let campaignId: string;

beforeAll(async () => {
  await ensureBuilt('index.html');
  server = await startTestServer();
  const commune = (await server.db.selectFrom('admin_units').select('code').where('level', '=', 'commune').where('path', 'like', '/VN/40/%').orderBy('code').executeTakeFirstOrThrow()).code;
  await server.createUser({ username: 'rv.cdc', password: PASSWORD, role: 'cdc_officer', jurisdictionCode: '40' });
  await server.createUser({ username: 'rv.staff', password: PASSWORD, role: 'vaccination_staff', jurisdictionCode: commune });
  await server.createUser({ username: 'rv.lab', password: PASSWORD, role: 'lab_staff', jurisdictionCode: '40' });
  const headersOf = async (username: string) => {
    const login = await server.app.inject({ method: 'POST', url: '/api/auth/login', headers: { 'x-requested-with': 'vigil' }, payload: { username, password: PASSWORD } });
    return { cookie: String(login.headers['set-cookie']).split(';')[0]!, 'x-requested-with': 'vigil' };
  };
  const headers = await headersOf('rv.cdc');
  const post = async (url: string, payload: object | string, h: Record<string, string> = headers) => {
    const r = await server.app.inject({ method: 'POST', url, headers: typeof payload === 'string' ? { ...h, 'content-type': 'text/csv' } : h, payload });
    expect(r.statusCode, r.body).toBeLessThan(300);
    return r.json();
  };
  // vaccination: a site with a lot, a session today; a person aged 70 (caution: 65 or over) with a national ID
  const campaign = await post('/api/vaccination/campaigns', { name: 'Tiêm COVID-19', unitCode: '40', startsOn: '2021-01-01', endsOn: '2099-12-31', productCodes: ['EU/1/20/1528'], priorityCodes: [] });
  const site = await post('/api/vaccination/sites', { code: 'TYT-RV', name: 'Trạm y tế Hưng Bình', address: '1 Lê Lợi', communeCode: commune, capacityPerHour: 60, openingHours: [{ days: [1, 2, 3, 4, 5, 6, 7], from: '00:00', to: '23:30' }] });
  await post(`/api/vaccination/sites/${site.id}/lots`, { productCode: 'EU/1/20/1528', lotNumber: 'FF2599', expiresOn: '2099-01-31', quantity: 100 });
  await post(`/api/vaccination/campaigns/${campaign.id}/sessions`, { siteId: site.id, day: DAY, productCode: 'EU/1/20/1528' });
  await post(`/api/vaccination/campaigns/${campaign.id}/sessions`, { siteId: site.id, day: TOMORROW, productCode: 'EU/1/20/1528' });
  const birthYear = Number(Y) - 70;
  const nationalId = `0400${String(birthYear).slice(2)}007711`;
  const p = await server.db
    .insertInto('persons')
    .values({ full_name: NAME, name_key: 'tran van tho', phone: '+84913555077', birth_year: birthYear, sex: 'male', national_id: nationalId, commune_code: commune, source: 'officer' } as never)
    .returning('id')
    .executeTakeFirstOrThrow();
  personId = (p as { id: string }).id;
  await server.createUser({ username: 'rv.tho', password: PASSWORD, role: 'citizen', jurisdictionCode: '40', personId });
  // a negative RT-PCR of that person (a sampling point's list, then the lab's result)
  await post('/api/testing/points', { code: 'RV-01', name: 'Điểm lấy mẫu', communeCode: commune });
  const sampler = await headersOf('rv.cdc');
  await post('/api/testing/samples/import', ['tube_code,person_national_id,person_phone,person_name,collected_at,site_code,test_type', `RV-T1,${nationalId},0913555077,${NAME},${new Date(Date.now() - 2 * 3600_000).toISOString()},RV-01,rt-pcr`].join('\n'), sampler);
  await post('/api/testing/results/import?name=lab.csv', `tube_code,result,resulted_at,lab_code\nRV-T1,negative,${new Date(Date.now() - 3600_000).toISOString()},LAB-NA\n`, await headersOf('rv.lab'));
  // calls: a monitoring campaign's day through the simulated provider: one well, one feverish, one never answering
  const scriptId = (await post('/api/calls/scripts', { unitCode: '40', script: HEALTH_CHECK })).id;
  const callsCommune = await vinhCommune(server.db);
  const people = [
    { name: 'Trần Khỏe', phone: '+84912670001' },
    { name: 'Lê Sốt', phone: '+84912670002' },
    { name: 'Phạm Vắng', phone: '+84912670003' },
  ];
  await monitoredContacts(server.db, callsCommune, DAY, people);
  const c = await post('/api/calls/campaigns', { name: 'F1/F2 hằng ngày', unitCode: '40', scriptId, audience: 'monitoring' });
  campaignId = c.id;
  await prepareDay(server.app.vigil, await server.db.selectFrom('call_campaigns').selectAll().where('id', '=', c.id).executeTakeFirstOrThrow(), DAY);
  const clock = acceleratedClock(localTime(DAY, '08:00', 'Asia/Ho_Chi_Minh'), 3000);
  const personas = new Map([[people[0]!.phone, WELL], [people[1]!.phone, FEVERISH], [people[2]!.phone, { kind: 'no-answer' as const }]]);
  await runCampaignDay(dialerDeps(server.app.vigil, new SimulatedProvider({ clock, personas }), clock, silentRenderer), c.id, DAY);
  browser = await launchBrowser();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function signIn(page: Page, username: string) {
  await page.getByLabel('Tên đăng nhập').fill(username);
  await page.getByLabel('Mật khẩu').fill(PASSWORD);
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
}

describe('review: Vietnamese pages', () => {
  it('site day on a phone: the rules that fired in Vietnamese, the outcome inside its card, the lot expiry as dd/mm/yyyy; the staff member prints the new dose’s certificate', async () => {
    const { ctx, page, errors } = await openPage(browser, { viewport: PHONE, locale: 'vi-VN' });
    await page.goto(`${server.url}/vaccination/site-day`);
    await signIn(page, 'rv.staff');
    await expect.poll(() => page.getByRole('textbox', { name: 'Điểm tiêm' }).inputValue(), { timeout: 20_000 }).toBe('Trạm y tế Hưng Bình');
    await page.getByLabel('Mã QR (dán hoặc nhập)').fill(personalQrToken(server.app.vigil.keys, personId));
    await page.getByRole('button', { name: 'Tra cứu' }).click();
    await expect.poll(() => page.getByTestId('person-card').textContent(), { timeout: 20_000 }).toContain(NAME);
    await page.getByLabel('Người được tiêm đồng ý tiêm chủng').check();
    await page.getByRole('button', { name: 'Phân loại' }).click();
    const result = page.getByTestId('screening-result');
    await expect.poll(() => result.getAttribute('data-outcome')).toBe('caution');
    expect(await result.textContent()).toContain('từ 65 tuổi trở lên');
    expect(await result.textContent()).not.toContain('age-65-plus');
    // the long outcome label wraps inside the card on a 360 px screen
    const badge = await result.locator('.mantine-Badge-root').boundingBox();
    expect(badge!.x + badge!.width).toBeLessThanOrEqual(PHONE.width - 8);
    // and its whole text shows (the label neither clipped nor cut with an ellipsis)
    const label = result.locator('.mantine-Badge-label');
    expect(await label.evaluate((e) => e.scrollWidth <= e.clientWidth + 1 && getComputedStyle(e).whiteSpace !== 'nowrap')).toBe(true);
    expect(await page.locator('body').evaluate((b) => b.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    await expect.poll(() => page.getByRole('textbox', { name: 'Lô vắc xin' }).inputValue()).toContain('HSD 31/01/2099');
    // the dose, then its certificate printed by the staff member (a person without a smartphone takes the paper)
    await page.getByLabel('Người tiêm').fill('ĐD Lan');
    await page.getByRole('button', { name: 'Ghi nhận mũi tiêm' }).click();
    await page.getByTestId('observation').waitFor();
    const certs = page.getByTestId('person-certificates');
    await expect
      .poll(async () => {
        await certs.getByRole('button', { name: 'Làm mới' }).click();
        return certs.getByRole('link', { name: 'Tải bản in (PDF)' }).count();
      }, { timeout: 30_000 })
      .toBe(1);
    expect(await certs.textContent()).toContain('Mũi 1/2');
    const href = await certs.getByRole('link', { name: 'Tải bản in (PDF)' }).getAttribute('href');
    const pdf = await ctx.request.get(`${server.url}${href}`);
    expect(pdf.status()).toBe(200);
    expect(pdf.headers()['content-type']).toBe('application/pdf');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-rv-'));
    fs.writeFileSync(path.join(dir, 'c.pdf'), await pdf.body());
    expect(spawnSync('pdftotext', [path.join(dir, 'c.pdf'), '-'], { encoding: 'utf8' }).stdout).toContain(NAME);
    fs.rmSync(dir, { recursive: true, force: true });
    expect(errors).toEqual([]);
    await ctx.close();
  });

  it('the health book shows the person’s test results', async () => {
    const { ctx, page, errors } = await openPage(browser, { viewport: PHONE, locale: 'vi-VN' });
    await page.goto(`${server.url}/health-book`);
    await signIn(page, 'rv.tho');
    const results = page.getByTestId('my-test-results');
    await expect.poll(() => results.textContent(), { timeout: 20_000 }).toContain('Âm tính');
    expect(await results.textContent()).toContain('Kết quả xét nghiệm');
    expect(errors).toEqual([]);
    await ctx.close();
  });

  it('a citizen books the next dose from the health book on a phone, moves it to another slot, then cancels it', async () => {
    const { ctx, page, errors } = await openPage(browser, { viewport: PHONE, locale: 'vi-VN' });
    await page.goto(`${server.url}/health-book`);
    await signIn(page, 'rv.tho');
    const card = page.getByTestId('book-appointment');
    await card.waitFor({ timeout: 20_000 });
    await expect.poll(() => card.getByRole('textbox', { name: 'Chiến dịch' }).inputValue()).toBe('Tiêm COVID-19');
    await card.getByLabel('Ngày tiêm').fill(TOMORROW);
    await card.getByTestId('slot').first().waitFor({ timeout: 20_000 });
    const shots = path.join(os.tmpdir(), 'vigil-review-shots');
    fs.mkdirSync(shots, { recursive: true });
    await page.screenshot({ path: path.join(shots, 'health-book-booking.png'), fullPage: true });
    await card.getByTestId('slot').first().getByRole('button', { name: 'Đặt lịch' }).click();
    const appointment = page.getByTestId('appointment');
    await expect.poll(() => appointment.first().textContent(), { timeout: 20_000 }).toContain('Đã đặt');
    const live = async () => Number((await server.db.selectFrom('vaccination_bookings' as never).select((e) => e.fn.countAll<string>().as('n')).where('person_id' as never, '=', personId as never).where('status' as never, '=', 'booked' as never).executeTakeFirstOrThrow()).n);
    expect(await live()).toBe(1);
    // rebook to another slot of the same day: the old appointment stays until the server confirms
    const slotOf = async () => (await server.db.selectFrom('vaccination_bookings' as never).select('slot_id' as never).where('person_id' as never, '=', personId as never).where('status' as never, '=', 'booked' as never).executeTakeFirstOrThrow()) as { slot_id: string };
    const booked = async (id: string) => Number(((await server.db.selectFrom('vaccination_slots' as never).select('booked' as never).where('id' as never, '=', id as never).executeTakeFirstOrThrow()) as { booked: number }).booked);
    const oldSlot = (await slotOf()).slot_id;
    expect(await booked(oldSlot)).toBe(1);
    await appointment.first().getByRole('button', { name: 'Đổi lịch' }).click();
    const move = page.getByTestId('rebook-appointment');
    await move.getByLabel('Ngày tiêm').fill(TOMORROW);
    await move.getByTestId('slot').nth(1).waitFor({ timeout: 20_000 });
    expect(await move.getByTestId('slot').first().getByRole('button', { name: 'Lịch hiện tại' }).isDisabled()).toBe(true);
    await page.screenshot({ path: path.join(shots, 'health-book-rebook.png'), fullPage: true });
    const newText = (await move.getByTestId('slot').nth(1).textContent())!;
    await move.getByTestId('slot').nth(1).getByRole('button', { name: 'Đổi sang' }).click();
    // the book lists the new appointment in place of the old one (a moved booking is not listed)
    const liveAppointment = appointment.filter({ hasText: 'Đã đặt' });
    await expect.poll(() => liveAppointment.textContent(), { timeout: 20_000 }).toContain(newText.split(' · ')[0]);
    expect(await appointment.count()).toBe(1);
    await move.waitFor({ state: 'detached' });
    expect(await live()).toBe(1);
    const newSlot = (await slotOf()).slot_id;
    expect(newSlot).not.toBe(oldSlot);
    expect(await booked(newSlot)).toBe(1);
    expect(await booked(oldSlot)).toBe(0);
    await liveAppointment.getByRole('button', { name: 'Huỷ lịch' }).click();
    await expect.poll(() => appointment.filter({ hasText: 'Đã đặt' }).count(), { timeout: 20_000 }).toBe(0);
    expect(await live()).toBe(0);
    expect(errors).toEqual([]);
    await ctx.close();
  });

  it('calls pages: dispositions, symptoms, sources in Vietnamese and days as dd/mm/yyyy', async () => {
    const { ctx, page, errors } = await openPage(browser, { viewport: { width: 1280, height: 900 }, locale: 'vi-VN' });
    await page.goto(`${server.url}/calls/${campaignId}`);
    await signIn(page, 'rv.cdc');
    const calls = page.getByTestId('day-calls');
    await expect.poll(() => calls.textContent(), { timeout: 20_000 }).toContain('Không nghe máy');
    const text = (await calls.textContent())!;
    expect(text).toContain('Hoàn thành (200)');
    expect(text).not.toMatch(/no-answer|completed \(/);
    expect(await page.getByText(`${D}/${M}/${Y}`).count()).toBeGreaterThan(0);
    await page.goto(`${server.url}/calls/lists?kind=symptomatic`);
    const list = page.getByTestId('calls-list');
    await expect.poll(() => list.textContent(), { timeout: 20_000 }).toContain('Lê Sốt');
    const row = (await list.textContent())!;
    expect(row).toContain('Sốt');
    expect(row).toContain('Gọi tự động');
    expect(row).toContain(`${D}/${M}/${Y}`);
    expect(row).not.toMatch(/fever|outbound/);
    expect(errors).toEqual([]);
    await ctx.close();
  });
});
