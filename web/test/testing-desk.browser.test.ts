// The desk side of testing in the staff app (issue 17): the lab uploads a results file (refused lines listed, the same
// file again changes nothing), enters one result by tube code and corrects another with a reason (the old result
// shown, and kept); the positive pool's people appear as retest tasks, one is marked done; the dashboard draws its
// figures and exports them; a citizen in the positive pool reads it on their own page (phone).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { personalQrToken } from '../../server/src/modules/people';
import { startTestServer } from '../../server/test/helpers';
import { ensureBuilt, launchBrowser, openPage, PASSWORD, type TestServer } from './browser';

let server: TestServer;
let browser: Browser;
let tmp: string;
const SHOTS = process.env.VIGIL_SCREENSHOTS ?? '/tmp';
const desk = { viewport: { width: 1280, height: 900 }, locale: 'vi-VN' };
const phone = { viewport: { width: 360, height: 740 }, locale: 'vi-VN', isMobile: true, hasTouch: true };

beforeAll(async () => {
  await ensureBuilt('index.html');
  server = await startTestServer();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-testing-desk-'));
  const commune = await server.db.selectFrom('admin_units').select('code').where('level', '=', 'commune').where('path', 'like', '/VN/40/%').orderBy('code').executeTakeFirstOrThrow();
  const people: string[] = [];
  for (const [i, name] of ['Hoàng Văn Dũng', 'Đỗ Thị Mai', 'Vũ Văn Tài', 'Bùi Thị Ngọc', 'Ngô Văn Phúc'].entries()) {
    const p = await server.db
      .insertInto('persons')
      .values({ full_name: name, name_key: name.toLowerCase(), birth_year: 1970 + i, commune_code: commune.code, source: 'officer' })
      .returning('id')
      .executeTakeFirstOrThrow();
    people.push(p.id);
  }
  await server.createUser({ username: 'td.cdc', password: PASSWORD, role: 'cdc_officer', jurisdictionCode: '40' });
  await server.createUser({ username: 'td.lab', password: PASSWORD, role: 'lab_staff', jurisdictionCode: '40' });
  await server.createUser({ username: 'td.dan', password: PASSWORD, role: 'citizen', jurisdictionCode: commune.code, personId: people[0]! });
  const login = await server.app.inject({ method: 'POST', url: '/api/auth/login', headers: { 'x-requested-with': 'vigil' }, payload: { username: 'td.cdc', password: PASSWORD } });
  const cdc = { cookie: String(login.headers['set-cookie']).split(';')[0]!, 'x-requested-with': 'vigil' };
  const point = await server.app.inject({ method: 'POST', url: '/api/testing/points', headers: cdc, payload: { code: 'NA-TD-01', name: 'Điểm lấy mẫu chợ Vinh', communeCode: commune.code } });
  expect(point.statusCode, point.body).toBe(201);
  const token = (i: number) => ({ token: personalQrToken(server.app.vigil.keys, people[i]!) });
  const collectedAt = new Date(Date.now() - 6 * 3600_000).toISOString();
  for (const s of [
    { tubeCode: 'VN-POOL-1', testType: 'rt-pcr', people: [token(0), token(1), token(2)] },
    { tubeCode: 'VN-IND-1', testType: 'antigen', people: [token(3)] },
    { tubeCode: 'VN-IND-2', testType: 'rt-pcr', people: [token(4)] },
  ]) {
    const r = await server.app.inject({ method: 'POST', url: '/api/testing/samples', headers: cdc, payload: { ...s, collectedAt, pointCode: 'NA-TD-01' } });
    expect(r.statusCode, r.body).toBe(201);
  }
  browser = await launchBrowser();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

async function signIn(page: Page, username: string) {
  const r = await page.request.post(`${server.url}/api/auth/login`, { headers: { 'x-requested-with': 'vigil' }, data: { username, password: PASSWORD } });
  expect(r.status()).toBe(200);
}

const resultRows = async (tube: string) =>
  server.db.selectFrom('test_results').innerJoin('samples', 'samples.id', 'test_results.sample_id').select(['test_results.result']).where('samples.tube_code', '=', tube).execute();

describe('testing desk pages', () => {
  it('lab: uploads a results file with per-line errors, enters one result and corrects another with a reason', async () => {
    const { ctx, page, errors } = await openPage(browser, desk);
    await signIn(page, 'td.lab');
    await page.goto(`${server.url}/testing`);
    await page.getByRole('tab', { name: 'Nhập kết quả' }).click();
    await expect.poll(() => page.url()).toContain('/testing/lab');
    // the lab collects no samples: no sampling page in its menu
    expect(await page.getByRole('link', { name: 'Lấy mẫu xét nghiệm' }).count()).toBe(0);

    // the template downloads as an Excel workbook
    const template = await page.request.get(`${server.url}${await page.getByRole('link', { name: 'Tải tệp mẫu (Excel)' }).getAttribute('href')}`);
    expect(template.status()).toBe(200);
    expect(template.headers()['content-type']).toContain('spreadsheetml');

    const at = new Date().toISOString();
    const file = path.join(tmp, 'ket-qua.csv');
    fs.writeFileSync(file, ['tube_code,result,resulted_at,lab_code', `VN-POOL-1,positive,${at},LAB-NA`, `VN-IND-1,negative,${at},LAB-NA`, `VN-KHONG-CO,negative,${at},LAB-NA`, `VN-IND-2,maybe,${at},LAB-NA`].join('\n'));
    const upload = async () => {
      await page.locator('input[type=file]').setInputFiles(file);
      await page.getByRole('button', { name: 'Nhập kết quả' }).click();
      await page.getByTestId('import-result').waitFor();
      return page.getByTestId('import-result').textContent();
    };
    expect(await upload()).toContain('Đã nhập 2/4 dòng; 0 dòng đã có; 2 dòng lỗi.');
    const errs = page.getByTestId('import-errors').locator('tbody tr');
    expect(await errs.count()).toBe(2);
    expect(await errs.nth(0).locator('td').first().textContent()).toBe('4');
    expect(await errs.nth(1).locator('td').first().textContent()).toBe('5');
    // why, in the page's language (the server words it in English)
    expect(await errs.nth(0).locator('td').last().textContent()).toBe('không có mẫu nào được lấy với mã ống này');
    expect(await errs.nth(1).locator('td').last().textContent()).toMatch(/^phải là dương tính, âm tính hoặc không hợp lệ/);
    await page.screenshot({ path: `${SHOTS}/testing-lab-upload.png`, fullPage: true });
    // the same file again: nothing changes, nothing counted twice
    await page.getByRole('button', { name: 'Nhập kết quả' }).click();
    await expect.poll(() => page.getByTestId('import-result').textContent()).toContain('Đã nhập 0/4 dòng; 2 dòng đã có; 2 dòng lỗi.');
    expect(await resultRows('VN-POOL-1')).toHaveLength(1);

    // one result typed in by tube code
    await page.getByLabel('Mã ống').fill('VN-IND-2');
    await page.getByRole('button', { name: 'Tìm' }).click();
    await page.getByText('Âm tính', { exact: true }).click();
    await page.getByLabel('Mã phòng xét nghiệm').fill('LAB-NA');
    await page.getByRole('button', { name: 'Lưu kết quả' }).click();
    await expect.poll(() => page.getByTestId('result-saved').textContent()).toBe('Đã lưu kết quả của ống VN-IND-2: Âm tính.');
    expect(await resultRows('VN-IND-2')).toEqual([{ result: 'negative' }]);

    // a correction: the old result is shown, a reason is required, both are kept
    await page.getByLabel('Mã ống').fill('VN-IND-1');
    await page.getByRole('button', { name: 'Tìm' }).click();
    await expect.poll(() => page.getByTestId('old-result').textContent()).toContain('Kết quả cũ: Âm tính');
    await page.getByText('Dương tính', { exact: true }).click();
    await page.getByRole('button', { name: 'Sửa kết quả' }).click();
    await expect.poll(() => page.getByText('Cần ghi lý do sửa.').count()).toBe(1);
    await page.getByLabel('Lý do sửa').fill('Nhập nhầm ống khi đọc máy');
    await page.getByRole('button', { name: 'Sửa kết quả' }).click();
    await expect.poll(() => page.getByTestId('result-saved').textContent()).toBe('Đã sửa kết quả của ống VN-IND-1: Âm tính → Dương tính.');
    await expect.poll(() => page.getByTestId('result-history').locator('.mantine-Timeline-item').count()).toBe(2);
    expect(await page.getByTestId('result-history').textContent()).toContain('Nhập nhầm ống khi đọc máy');
    expect((await resultRows('VN-IND-1')).map((r) => r.result).sort()).toEqual(['negative', 'positive']);
    await page.screenshot({ path: `${SHOTS}/testing-lab-correction.png`, fullPage: true });
    expect(errors).toEqual([]);
    await ctx.close();
  }, 90_000);

  it('retest tasks of the positive pool, one marked done; the dashboard draws and exports', async () => {
    const { ctx, page, errors } = await openPage(browser, desk);
    await signIn(page, 'td.cdc');
    await page.goto(`${server.url}/testing/retests`);
    await expect.poll(() => page.getByTestId('task-row').count()).toBe(3);
    expect(await page.getByTestId('tasks-retest').textContent()).toContain('Đỗ Thị Mai');
    const row = page.getByTestId('task-row').filter({ hasText: 'Đỗ Thị Mai' });
    await row.getByRole('button', { name: 'Đã xong' }).click();
    await page.getByLabel('Ghi chú (không bắt buộc)').fill('Đã lấy mẫu đơn');
    await page.getByRole('button', { name: 'Xác nhận đã xong' }).click();
    await expect.poll(() => page.getByTestId('task-row').count()).toBe(2);
    await page.getByText('Đã xong', { exact: true }).first().click(); // the status filter
    await expect.poll(() => page.getByTestId('task-row').count()).toBe(1);
    expect(await page.getByTestId('task-row').textContent()).toContain('Đã lấy mẫu đơn');

    await page.getByRole('tab', { name: 'Thống kê' }).click();
    await expect.poll(() => page.getByTestId('dashboard-summary').textContent()).toBe('3 xét nghiệm, 5 người, 2 dương tính.');
    expect(await page.getByTestId('stat-retests').textContent()).toBe('2');
    await expect.poll(() => page.getByTestId('chart-per-day').locator('svg').count()).toBe(1);
    expect(await page.getByTestId('chart-pools').locator('svg').count()).toBe(1);
    await page.screenshot({ path: `${SHOTS}/testing-dashboard.png`, fullPage: true });
    const xlsx = await page.request.get(`${server.url}${await page.getByTestId('dashboard-export').getAttribute('href')}`);
    expect(xlsx.status()).toBe(200);
    expect(xlsx.headers()['content-type']).toContain('spreadsheetml');
    expect((await xlsx.body()).subarray(0, 2).toString()).toBe('PK');
    expect(errors).toEqual([]);
    await ctx.close();
  }, 60_000);

  it('samples: the list filters by result and opens a tube; a sample list from another system is imported', async () => {
    const { ctx, page, errors } = await openPage(browser, desk);
    await signIn(page, 'td.cdc');
    await page.goto(`${server.url}/testing/samples`);
    await expect.poll(() => page.getByTestId('sample-list-row').count()).toBe(3);
    await page.getByRole('textbox', { name: 'Trạng thái' }).click();
    await page.getByRole('option', { name: 'Dương tính' }).click();
    await expect.poll(() => page.getByTestId('sample-list-row').count()).toBe(2);
    await page.getByRole('button', { name: 'VN-POOL-1' }).click();
    await expect.poll(() => page.getByRole('dialog').textContent()).toContain('Hoàng Văn Dũng, Đỗ Thị Mai, Vũ Văn Tài');
    await page.keyboard.press('Escape');

    const at = new Date(Date.now() - 3600_000).toISOString();
    const file = path.join(tmp, 'danh-sach-mau.csv');
    fs.writeFileSync(
      file,
      [
        'tube_code,person_national_id,person_phone,person_name,collected_at,site_code,test_type',
        `VN-IMP-1,040190000111,0912000111,Lý Văn Sơn,${at},NA-TD-01,rt-pcr`,
        `VN-IMP-1,040190000112,0912000112,Lý Thị Hà,${at},NA-TD-01,rt-pcr`,
        `VN-IMP-2,040190000113,0912000113,Mai Văn Lộc,ngày mai,NA-TD-01,rt-pcr`,
      ].join('\n'),
    );
    await page.locator('input[type=file]').setInputFiles(file);
    await page.getByRole('button', { name: 'Nhập danh sách' }).click();
    await expect.poll(() => page.getByTestId('import-result').textContent()).toContain('Đã nhập 2/3 dòng; 0 dòng đã có; 1 dòng lỗi.');
    expect(await page.getByTestId('import-errors').locator('tbody tr').count()).toBe(1);
    expect(await page.getByTestId('import-errors').locator('tbody tr td').first().textContent()).toBe('4');
    const members = await server.db.selectFrom('samples').innerJoin('sample_members', 'sample_members.sample_id', 'samples.id').select('samples.tube_code').where('samples.tube_code', 'like', 'VN-IMP-%').execute();
    expect(members.map((m) => m.tube_code)).toEqual(['VN-IMP-1', 'VN-IMP-1']);
    await page.screenshot({ path: `${SHOTS}/testing-samples.png`, fullPage: true });
    expect(errors).toEqual([]);
    await ctx.close();
  }, 60_000);

  it('sampling points: an officer adds one for a team and closes it; the phones stop offering it', async () => {
    const { ctx, page, errors } = await openPage(browser, desk);
    await signIn(page, 'td.cdc');
    await page.goto(`${server.url}/testing/points`);
    await expect.poll(() => page.getByTestId('point-row').count()).toBe(1);
    const commune = await server.db.selectFrom('admin_units').select(['code', 'name']).where('level', '=', 'commune').where('path', 'like', '/VN/40/%').orderBy('code').executeTakeFirstOrThrow();
    await page.getByLabel('Mã điểm').fill('NA-TD-02');
    await page.getByLabel('Tên điểm').fill('Trường THCS Lê Lợi');
    await page.getByRole('textbox', { name: 'Xã/phường' }).fill(commune.name);
    await page.getByRole('option', { name: new RegExp(commune.name) }).first().click();
    await page.getByLabel('Tổ lấy mẫu').last().fill('Tổ 3');
    await page.getByRole('button', { name: 'Thêm điểm' }).click();
    await expect.poll(() => page.getByTestId('point-row').count()).toBe(2);
    const added = await server.db.selectFrom('sampling_points').select(['commune_code', 'team', 'active']).where('code', '=', 'NA-TD-02').executeTakeFirstOrThrow();
    expect(added).toEqual({ commune_code: commune.code, team: 'Tổ 3', active: true });
    // the same code again: refused, the field named
    await page.getByLabel('Mã điểm').fill('NA-TD-02');
    await page.getByLabel('Tên điểm').fill('Trùng mã');
    await page.getByRole('button', { name: 'Thêm điểm' }).click();
    await expect.poll(() => page.getByText('exists already').count()).toBe(1);
    // closed: no longer offered on the sampling page
    await page.getByTestId('point-row').filter({ hasText: 'NA-TD-02' }).getByRole('switch').click({ force: true });
    await expect.poll(async () => (await server.db.selectFrom('sampling_points').select('active').where('code', '=', 'NA-TD-02').executeTakeFirstOrThrow()).active).toBe(false);
    const offered = await page.request.get(`${server.url}/api/testing/points`, { headers: { 'x-requested-with': 'vigil' } });
    expect(((await offered.json()) as { items: { code: string }[] }).items.map((p) => p.code)).toEqual(['NA-TD-01']);
    await page.screenshot({ path: `${SHOTS}/testing-points.png`, fullPage: true });
    expect(errors).toEqual([]);
    await ctx.close();
  }, 60_000);

  it("a citizen reads their own results on their page (phone)", async () => {
    const { ctx, page, errors } = await openPage(browser, phone);
    await signIn(page, 'td.dan');
    await page.goto(`${server.url}/me`);
    const card = page.getByTestId('my-test-results');
    await expect.poll(() => card.getByTestId('my-test').count(), { timeout: 20_000 }).toBe(1);
    expect(await card.getByTestId('result-badge').textContent()).toBe('Mẫu gộp dương tính');
    expect(await card.textContent()).toContain('xét nghiệm lại riêng');
    await card.scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${SHOTS}/testing-me.png` });
    expect(errors).toEqual([]);
    await ctx.close();
  });
});
