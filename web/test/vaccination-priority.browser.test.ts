// A citizen on a phone (360×740) who registered themself claiming a priority group sees in their electronic health
// book what became of the claim and why, in Vietnamese and in English: a self-declared occupation waits for staff to
// verify it; after staff accept it the book says so.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from '../../server/test/helpers';
import { ensureBuilt, launchBrowser, openPage, PASSWORD, signIn, type TestServer } from './browser';

let server: TestServer;
let browser: Browser;
let registrationId: string;
let staffHeaders: Record<string, string>;
const PHONE = { width: 360, height: 740 };

beforeAll(async () => {
  await ensureBuilt('index.html');
  server = await startTestServer({});
  const commune = (await server.db.selectFrom('admin_units').select('code').where('level', '=', 'commune').where('path', 'like', '/VN/40/%').orderBy('code').executeTakeFirstOrThrow()).code;
  await server.createUser({ username: 'prio.cdc', password: PASSWORD, role: 'cdc_officer', jurisdictionCode: '40' });
  await server.createUser({ username: 'prio.staff', password: PASSWORD, role: 'vaccination_staff', jurisdictionCode: commune });
  const login = async (username: string) => {
    const r = await server.app.inject({ method: 'POST', url: '/api/auth/login', headers: { 'x-requested-with': 'vigil' }, payload: { username, password: PASSWORD } });
    return { cookie: String(r.headers['set-cookie']).split(';')[0]!, 'x-requested-with': 'vigil' };
  };
  const cdc = await login('prio.cdc');
  staffHeaders = await login('prio.staff');
  const campaign = (await server.app.inject({ method: 'POST', url: '/api/vaccination/campaigns', headers: cdc, payload: { name: 'Tiêm COVID-19 Vinh', unitCode: '40', startsOn: '2021-01-01', endsOn: '2099-12-31', productCodes: ['EU/1/20/1528'], priorityCodes: ['g01-health', 'g08-chronic'] } })).json();
  const person = await server.db
    .insertInto('persons')
    .values({ full_name: 'Trần Thị Y Tá', name_key: 'tran thi y ta', phone: '+84913555002', birth_year: 1990, birth_date: '1990-04-05', commune_code: commune, source: 'officer' } as never)
    .returning('id')
    .executeTakeFirstOrThrow();
  const personId = (person as { id: string }).id;
  await server.createUser({ username: 'prio.citizen', password: PASSWORD, role: 'citizen', jurisdictionCode: '40', personId });
  const citizen = await login('prio.citizen');
  const reg = await server.app.inject({ method: 'POST', url: '/api/vaccination/registrations', headers: citizen, payload: { campaignId: campaign.id, personId, priorityCode: 'g01-health', occupation: 'health_worker' } });
  expect(reg.statusCode, reg.body).toBe(200);
  registrationId = reg.json().id;
  browser = await launchBrowser();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('priority claim in the health book', () => {
  it('shows the claim waiting for review with its reason (vi, en), then accepted after staff verify it', async () => {
    const shots = path.join(os.tmpdir(), 'vigil-vacc-shots');
    fs.mkdirSync(shots, { recursive: true });
    const vi = await openPage(browser, { viewport: PHONE, locale: 'vi-VN' });
    await vi.page.goto(`${server.url}/health-book`);
    await signIn(vi.page, 'prio.citizen');
    const card = vi.page.getByTestId('book-registrations');
    await expect.poll(() => card.textContent(), { timeout: 20_000 }).toContain('Nhóm ưu tiên: Người làm việc trong cơ sở y tế, ngành y tế');
    expect(await card.textContent()).toContain('Đang chờ cán bộ xác minh');
    expect(await card.textContent()).toContain('Nghề nghiệp bạn khai cần cán bộ xác minh');
    await vi.page.screenshot({ path: path.join(shots, 'health-book-priority-vi.png'), fullPage: true });
    expect(vi.errors).toEqual([]);
    await vi.ctx.close();

    const en = await openPage(browser, { viewport: PHONE, locale: 'en-GB' });
    await en.ctx.addInitScript(() => localStorage.setItem('vigil.lang', 'en'));
    await en.page.goto(`${server.url}/health-book`);
    await signIn(en.page, 'prio.citizen');
    const enCard = en.page.getByTestId('book-registrations');
    await expect.poll(() => enCard.textContent(), { timeout: 20_000 }).toContain('Waiting for staff to verify');
    expect(await enCard.textContent()).toContain('Priority group: Health-care workers');
    expect(await enCard.textContent()).toContain('The occupation you declared must be verified by staff');

    const decided = await server.app.inject({ method: 'POST', url: `/api/vaccination/registrations/${registrationId}/priority`, headers: staffHeaders, payload: { accept: true } });
    expect(decided.statusCode, decided.body).toBe(200);
    await en.page.reload();
    await expect.poll(() => en.page.getByTestId('book-registrations').textContent(), { timeout: 20_000 }).toContain('Confirmed');
    expect(await en.page.getByTestId('book-registrations').textContent()).toContain('Verified by staff');
    await en.page.screenshot({ path: path.join(shots, 'health-book-priority-en.png'), fullPage: true });
    expect(en.errors).toEqual([]);
    await en.ctx.close();
  });
});
