// Vaccination staff of a ward review the priority claims citizens made about themselves, on a phone (vi) and at a
// desk (en): the claims of their area only, filters, each claim's details, refusing needs a reason, accepting and
// refusing move the claim out of the waiting list, the decided lists show who decided and why.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from '../../server/test/helpers';
import { ensureBuilt, launchBrowser, openPage, PASSWORD, signIn, type TestServer } from './browser';

let server: TestServer;
let browser: Browser;
const regs: Record<string, string> = {};
const PHONE = { width: 360, height: 740 };
const DESK = { width: 1280, height: 800 };
const shots = path.join(os.tmpdir(), 'vigil-vacc-shots');

beforeAll(async () => {
  await ensureBuilt('index.html');
  server = await startTestServer({});
  const [communeA, communeB] = (await server.db.selectFrom('admin_units').select('code').where('level', '=', 'commune').where('path', 'like', '/VN/40/%').orderBy('code').limit(2).execute()).map((r) => r.code);
  await server.createUser({ username: 'rv.cdc', password: PASSWORD, role: 'cdc_officer', jurisdictionCode: '40' });
  await server.createUser({ username: 'rv.staff', password: PASSWORD, role: 'vaccination_staff', jurisdictionCode: communeA!, displayName: 'Y tá Lan' });
  const login = async (username: string) => {
    const r = await server.app.inject({ method: 'POST', url: '/api/auth/login', headers: { 'x-requested-with': 'vigil' }, payload: { username, password: PASSWORD } });
    return { cookie: String(r.headers['set-cookie']).split(';')[0]!, 'x-requested-with': 'vigil' };
  };
  const cdc = await login('rv.cdc');
  const campaign = (await server.app.inject({ method: 'POST', url: '/api/vaccination/campaigns', headers: cdc, payload: { name: 'Tiêm COVID-19 Vinh', unitCode: '40', startsOn: '2021-01-01', endsOn: '2099-12-31', productCodes: ['EU/1/20/1528'], priorityCodes: ['g01-health', 'g08-chronic'] } })).json();
  const claim = async (key: string, fullName: string, commune: string, body: Record<string, unknown>) => {
    const person = (await server.db
      .insertInto('persons')
      .values({ full_name: fullName, name_key: fullName.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/gi, 'd').toLowerCase(), phone: `+8491355${String(Object.keys(regs).length).padStart(4, '0')}`, birth_year: 1980, commune_code: commune, source: 'officer' } as never)
      .returning('id')
      .executeTakeFirstOrThrow()) as { id: string };
    await server.createUser({ username: `rv.${key}`, password: PASSWORD, role: 'citizen', jurisdictionCode: '40', personId: person.id });
    const reg = await server.app.inject({ method: 'POST', url: '/api/vaccination/registrations', headers: await login(`rv.${key}`), payload: { campaignId: campaign.id, personId: person.id, ...body } });
    expect(reg.statusCode, reg.body).toBe(200);
    regs[key] = reg.json().id;
  };
  await claim('nurse', 'Trần Thị Y Tá', communeA!, { priorityCode: 'g01-health', occupation: 'health_worker', organisation: 'Trạm y tế phường' });
  await claim('chronic', 'Lê Văn Bệnh Nền', communeA!, { priorityCode: 'g08-chronic' });
  await claim('outsider', 'Phạm Ngoài Vùng', communeB!, { priorityCode: 'g08-chronic' });
  browser = await launchBrowser();
  fs.mkdirSync(shots, { recursive: true });
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const claimCard = (page: Page, key: string) => page.locator(`[data-claim="${regs[key]}"]`);

describe('priority claims review page', () => {
  it('on a phone: the ward’s claims only, a name filter, refusing needs a reason, each decision leaves the waiting list', async () => {
    const { ctx, page, errors } = await openPage(browser, { viewport: PHONE, locale: 'vi-VN' });
    await page.goto(`${server.url}/vaccination/priority-review`);
    await signIn(page, 'rv.staff');
    await expect.poll(() => page.getByTestId('review-count').textContent(), { timeout: 20_000 }).toBe('2 hồ sơ');
    expect(await page.getByTestId('claim').count()).toBe(2);
    expect(await page.locator('body').textContent()).not.toContain('Phạm Ngoài Vùng'); // another ward's claim
    const nurse = claimCard(page, 'nurse');
    expect(await nurse.textContent()).toContain('Nhân viên y tế');
    expect(await nurse.textContent()).toContain('Trạm y tế phường');
    expect(await nurse.textContent()).toContain('Nghề nghiệp bạn khai cần cán bộ xác minh');
    await page.screenshot({ path: path.join(shots, 'priority-review-phone-vi.png'), fullPage: true });

    // name filter (typed without diacritics)
    await page.getByTestId('review-name').fill('le van');
    await expect.poll(() => page.getByTestId('review-count').textContent(), { timeout: 20_000 }).toBe('1 hồ sơ');
    expect(await claimCard(page, 'chronic').textContent()).toContain('Bệnh nền bạn khai cần cán bộ xác minh');
    // refusing without a reason is stopped on the page; with one, the claim is refused
    await claimCard(page, 'chronic').getByRole('button', { name: 'Từ chối' }).click();
    await expect.poll(() => claimCard(page, 'chronic').textContent()).toContain('Ghi lý do từ chối');
    await claimCard(page, 'chronic').getByTestId('claim-note').fill('Không có sổ khám bệnh, hẹn bổ sung');
    await claimCard(page, 'chronic').getByRole('button', { name: 'Từ chối' }).click();
    await expect.poll(() => page.getByTestId('review-count').textContent(), { timeout: 20_000 }).toBe('0 hồ sơ');
    await page.getByTestId('review-name').fill('');
    await expect.poll(() => page.getByTestId('review-count').textContent(), { timeout: 20_000 }).toBe('1 hồ sơ');
    await claimCard(page, 'nurse').getByTestId('claim-note').fill('Đã xem thẻ nhân viên y tế');
    await claimCard(page, 'nurse').getByRole('button', { name: 'Xác nhận' }).click();
    await expect.poll(() => page.getByTestId('review-count').textContent(), { timeout: 20_000 }).toBe('0 hồ sơ');
    expect(await page.locator('body').textContent()).toContain('Không còn hồ sơ nào chờ xét duyệt');

    await page.getByTestId('review-status').getByText('Đã từ chối').click();
    await expect.poll(() => claimCard(page, 'chronic').textContent(), { timeout: 20_000 }).toContain('Y tá Lan');
    expect(await claimCard(page, 'chronic').textContent()).toContain('Không có sổ khám bệnh, hẹn bổ sung');
    await page.screenshot({ path: path.join(shots, 'priority-review-phone-refused-vi.png'), fullPage: true });
    expect(errors).toEqual([]);
    await ctx.close();

    const rows = await server.db.selectFrom('vaccination_registrations').select(['id', 'priority_status', 'priority_reason', 'priority_review_note']).where('id', 'in', Object.values(regs)).execute();
    const byId = new Map(rows.map((r) => [r.id, r]));
    expect(byId.get(regs.nurse!)).toMatchObject({ priority_status: 'accepted', priority_reason: 'staff-verified', priority_review_note: 'Đã xem thẻ nhân viên y tế' });
    expect(byId.get(regs.chronic!)).toMatchObject({ priority_status: 'refused', priority_reason: 'staff-refused', priority_review_note: 'Không có sổ khám bệnh, hẹn bổ sung' });
    expect(byId.get(regs.outsider!)).toMatchObject({ priority_status: 'review' });
    // every listing was audited with the people it showed (never the outsider)
    const audits = await server.db.selectFrom('audit_log').select(['details']).where('action', '=', 'vaccination.priority_review.list').execute();
    expect(audits.length).toBeGreaterThan(0);
    const shown = new Set(audits.flatMap((a) => ((a.details as { people?: string[] }).people ?? [])));
    const outsiderPerson = await server.db.selectFrom('vaccination_registrations').select('person_id').where('id', '=', regs.outsider!).executeTakeFirstOrThrow();
    expect(shown.has(outsiderPerson.person_id)).toBe(false);
    expect(shown.size).toBe(2);
  });

  it('at a desk in English: the decided claims with who decided, when and why', async () => {
    const { ctx, page, errors } = await openPage(browser, { viewport: DESK, locale: 'en-GB' });
    await ctx.addInitScript(() => localStorage.setItem('vigil.lang', 'en'));
    await page.goto(`${server.url}/vaccination/priority-review`);
    await signIn(page, 'rv.staff');
    await expect.poll(() => page.getByTestId('review-count').textContent(), { timeout: 20_000 }).toBe('Claims: 0');
    expect(await page.locator('body').textContent()).toContain('No claims waiting for review');
    await page.getByTestId('review-status').getByText('Accepted').click();
    await expect.poll(() => claimCard(page, 'nurse').textContent(), { timeout: 20_000 }).toContain('Health worker');
    expect(await claimCard(page, 'nurse').textContent()).toContain('Verified by staff');
    expect(await claimCard(page, 'nurse').textContent()).toContain('Y tá Lan');
    await page.screenshot({ path: path.join(shots, 'priority-review-desk-en.png'), fullPage: true });
    expect(errors).toEqual([]);
    await ctx.close();
  });
});
