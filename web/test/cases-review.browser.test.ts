// What the session-6 review of the cases pages found a tracer or commune officer would not accept, in Chromium:
// a contacts list that did not fit a phone, phones as +84…, ISO days and server codes on Vietnamese pages,
// follow-up symptoms in English, an imported list's refused lines in English.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from '../../server/test/helpers';
import { scenario } from '../../server/src/modules/cases/test-fixtures';
import { ensureBuilt, launchBrowser, openPage, signIn, staffHeaders, type TestServer } from './browser';

let server: TestServer;
let browser: Browser;
let caseId: string;
let caseCode: string;
let hospitalCode: string;
const names = { f0: 'Phan Văn Nguồn', f1: 'Vũ Thị Tiếp' };
const iso = (msAgo: number) => new Date(Date.now() - msAgo).toISOString();
const H = 3600_000;

beforeAll(async () => {
  await ensureBuilt('index.html');
  server = await startTestServer();
  const headers = await staffHeaders(server, 'review.cdc');
  await staffHeaders(server, 'review.tracer', 'contact_tracer');
  const s = await scenario(server.db);
  const venue = await s.venue('CHO-REVIEW', 60);
  const f0 = await s.person(names.f0);
  const f1 = await s.person(names.f1, { phone: '+84912345678' });
  await s.stay(f0, venue, iso(5 * H), iso(4 * H));
  await s.stay(f1, venue, iso(4.5 * H), iso(3.5 * H));
  // a hospital visit the case declared by the hospital's QR (nobody else was there)
  const hospital = await s.venue('BV-REVIEW', 60);
  hospitalCode = (await server.db.selectFrom('venues').select('code').where('id', '=', hospital).executeTakeFirstOrThrow()).code;
  await s.declareAt(f0, hospital, iso(20 * H));
  const res = await server.app.inject({ method: 'POST', url: '/api/cases', headers, payload: { personId: f0, confirmedAt: iso(0.5 * H), source: 'community', onsetDate: iso(30 * H).slice(0, 10) } });
  expect(res.statusCode, res.body).toBe(201);
  caseId = res.json().case.id;
  caseCode = res.json().case.code;
  await server.events.settled();
  browser = await launchBrowser();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('on a phone', () => {
  it('the F1/F2 list is one card per person with the phone to tap as people write it and the order’s end as a day', async () => {
    const { ctx, page, errors } = await openPage(browser, { viewport: { width: 360, height: 740 }, locale: 'vi-VN', hasTouch: true, isMobile: true });
    await page.goto(`${server.url}/contacts`);
    await signIn(page, 'review.tracer');
    const card = page.getByTestId('contact-card').filter({ hasText: names.f1 });
    await expect.poll(() => card.count(), { timeout: 20_000 }).toBe(1);
    const tel = card.getByRole('link', { name: '0912 345 678' });
    expect(await tel.getAttribute('href')).toBe('tel:+84912345678');
    const text = (await card.textContent())!;
    expect(text).toMatch(/Cách ly → \d{2}\/\d{2}\/\d{4}/);
    expect(text).not.toMatch(/\d{4}-\d{2}-\d{2}|\+84/);
    // the card fits the screen: nothing to scroll sideways
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await page.screenshot({ path: '/tmp/vigil-contacts-phone.png' });
    // the export carries full phones: it asks why first
    expect(await page.getByRole('button', { name: 'Xuất Excel' }).isDisabled()).toBe(true);
    await page.getByTestId('export-reason').fill('gọi F1 hằng ngày');
    const href = (await page.getByRole('link', { name: 'Xuất Excel' }).getAttribute('href'))!;
    expect(new URL(href, server.url).searchParams.get('reason')).toBe('gọi F1 hằng ngày');
    expect(errors).toEqual([]);
    await ctx.close();
  });

  it('the follow-up list is a card per person (today, last temperature, days left, one tap to record); the form names the symptoms in Vietnamese', async () => {
    const { ctx, page, errors } = await openPage(browser, { viewport: { width: 360, height: 740 }, locale: 'vi-VN', hasTouch: true, isMobile: true });
    await page.goto(`${server.url}/followups`);
    await signIn(page, 'review.tracer');
    // nobody is on the tracer's own list yet: the page says so where the phone shows it (not off screen to the right)
    const empty = page.getByTestId('followup-grid').getByText('Không có ai cần theo dõi');
    await expect.poll(() => empty.count(), { timeout: 20_000 }).toBe(1);
    const box = (await empty.boundingBox())!;
    expect(box.x + box.width).toBeLessThanOrEqual(360);
    await page.getByText('Cả địa bàn').click();
    // a card per person, not a grid to scroll: today's state, the last temperature, days left, one tap to record
    const card = page.getByTestId('followup-card').filter({ hasText: names.f1 });
    await expect.poll(() => card.count(), { timeout: 20_000 }).toBe(1);
    expect(await card.getAttribute('data-today')).toBe('missing');
    expect(await card.getByTestId('followup-today').textContent()).toBe('Hôm nay:Chưa báo cáo');
    expect(await card.getByTestId('followup-facts').textContent()).toMatch(/^Nhiệt độ gần nhất: chưa đo · Còn \d+ ngày$/);
    expect(await card.getByRole('link').textContent()).toBe('0912 345 678');
    expect(await page.locator('table').count()).toBe(0);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    const recordBox = (await card.getByRole('button', { name: 'Ghi nhận' }).boundingBox())!;
    expect(recordBox.x + recordBox.width).toBeLessThanOrEqual(360);
    expect(recordBox.width).toBeGreaterThan(200);
    await page.screenshot({ path: '/tmp/vigil-followup-cards.png' });
    await card.getByRole('button', { name: 'Ghi nhận' }).click();
    const dialog = page.getByRole('dialog');
    await expect.poll(() => dialog.getByRole('checkbox', { name: 'Đau họng' }).count()).toBe(1);
    expect(await dialog.textContent()).not.toMatch(/sore throat|shortness of breath|headache/);
    // a number out of range is refused under the field, nothing recorded
    await dialog.getByLabel('Nhiệt độ (°C)').fill('374');
    await dialog.getByRole('button', { name: 'Lưu' }).click();
    await expect.poll(() => dialog.textContent()).toContain('Nhập nhiệt độ từ 30 đến 45 °C, ví dụ 37,5');
    // a comma as Vietnamese write it, pasted or from a phone's keyboard, is 37.4 °C (it was read as 374, kept as 45 °C: a fever)
    await dialog.getByLabel('Nhiệt độ (°C)').fill('37,4');
    await dialog.getByRole('checkbox', { name: 'Đau họng' }).check();
    await dialog.getByRole('button', { name: 'Lưu' }).click();
    await expect.poll(() => dialog.textContent()).toContain('Đã lưu');
    await page.keyboard.press('Escape');
    // reported today: off the list of those still to reach, and its card on the follow-up tab says what was reported
    await expect.poll(() => card.count(), { timeout: 15_000 }).toBe(0);
    await page.getByRole('tab', { name: 'Bảng theo dõi' }).click();
    const after = page.getByTestId('followup-card').filter({ hasText: names.f1 });
    await expect.poll(() => after.getAttribute('data-today'), { timeout: 15_000 }).toBe('symptoms');
    expect(await after.getByTestId('followup-today').textContent()).toBe('Hôm nay:Có triệu chứng');
    expect(await after.getByTestId('followup-facts').textContent()).toMatch(/^Nhiệt độ gần nhất: 37,4 °C \(\d{2}\/\d{2}\) · Còn \d+ ngày$/);
    await page.screenshot({ path: '/tmp/vigil-followup-cards-after.png' });
    // the test referral the symptom made says why in Vietnamese
    await page.getByRole('tab', { name: 'Chuyển xét nghiệm' }).click();
    const task = page.getByTestId('tasks-table').locator('tr', { hasText: names.f1 });
    await expect.poll(() => task.textContent(), { timeout: 15_000 }).toContain('Có triệu chứng: Đau họng');
    expect(errors).toEqual([]);
    await ctx.close();
  });
});

describe('at a desk', () => {
  it('the case page says days, the source and where contacts came from in Vietnamese', async () => {
    const { ctx, page, errors } = await openPage(browser, { viewport: { width: 1280, height: 900 }, locale: 'vi-VN' });
    await page.goto(`${server.url}/cases/${caseId}`);
    await signIn(page, 'review.cdc');
    await expect.poll(() => page.getByTestId('case-code').textContent(), { timeout: 20_000 }).toBe(caseCode);
    await expect.poll(() => page.getByTestId('case-timeline').textContent(), { timeout: 20_000 }).toContain('Người tiếp xúc · F1');
    const timeline = (await page.getByTestId('case-timeline').textContent())!;
    expect(timeline).toContain('Cộng đồng');
    expect(timeline).toContain('1 người · truy vết tự động');
    // a declaration says where it was made (name and code) and which form, not the form's code
    expect(timeline).toContain('Khai báo · Tại địa điểm / cơ sở y tế');
    expect(timeline).toContain(`Venue BV-REVIEW (${hospitalCode})`);
    expect(timeline).not.toMatch(/· venue\b/);
    await page.screenshot({ path: '/tmp/vigil-case-timeline.png', fullPage: true });
    expect(timeline).not.toMatch(/community|· trace|\d{4}-\d{2}-\d{2}/);
    expect(await page.textContent('body')).not.toMatch(/\d{4}-\d{2}-\d{2}|\+84/);
    expect(errors).toEqual([]);
    await ctx.close();
  });

  it('an imported contact list’s refused lines are listed by line, column and problem in Vietnamese', async () => {
    const { ctx, page, errors } = await openPage(browser, { viewport: { width: 1280, height: 900 }, locale: 'vi-VN' });
    await page.goto(`${server.url}/contacts`);
    await signIn(page, 'review.cdc');
    const csv = [
      'full_name,phone,national_id,address,relation,last_exposure_date,case_code',
      `Đỗ Văn Đúng,0912000701,,Số 1,household,${iso(24 * H).slice(0, 10)},${caseCode}`,
      `Sai Số,12ab,,Số 2,household,${iso(24 * H).slice(0, 10)},${caseCode}`,
      `Sai Ngày,0912000703,,Số 3,household,31/02/2021x,${caseCode}`,
      `Sai Ca,0912000704,,Số 4,household,${iso(24 * H).slice(0, 10)},XX99-00001`,
    ].join('\n');
    const chooser = page.waitForEvent('filechooser');
    await page.getByRole('button', { name: 'Tải lên' }).click();
    await (await chooser).setFiles({ name: 'f1.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    const table = page.getByTestId('import-errors');
    await expect.poll(() => table.locator('tbody tr').count(), { timeout: 20_000 }).toBe(3);
    const rows = await table.locator('tbody tr').allTextContents();
    expect(rows[0]).toMatch(/^3phonekhông phải số điện thoại hợp lệ/);
    expect(rows[1]).toMatch(/^4last_exposure_datekhông phải ngày hợp lệ/);
    expect(rows[2]).toMatch(/^5case_codekhông có ca bệnh mã này/);
    // a CDC officer does not call people: the list shows phones masked, not as links
    const row = page.getByTestId('contacts-table').locator('tr', { hasText: names.f1 });
    expect(await row.textContent()).toContain('•••••••678');
    expect(await row.getByRole('link', { name: /678/ }).count()).toBe(0);
    await page.screenshot({ path: '/tmp/vigil-contacts-import.png', fullPage: true });
    expect(errors).toEqual([]);
    await ctx.close();
  });

  it('the review list names a phone’s holder in another province only by province, with whom to ask', async () => {
    const far = await scenario(server.db).then((s) => s.person('Hoàng Thị Xa Lạ', { commune: '01', phone: '+84912000801' }));
    expect(far).toBeTruthy();
    const { ctx, page, errors } = await openPage(browser, { viewport: { width: 1280, height: 900 }, locale: 'vi-VN' });
    await page.goto(`${server.url}/contacts`);
    await signIn(page, 'review.cdc');
    const csv = ['full_name,phone,national_id,address,relation,last_exposure_date,case_code', `Người Trên Danh Sách,0912000801,,Số 8,household,${iso(24 * H).slice(0, 10)},${caseCode}`].join('\n');
    const chooser = page.waitForEvent('filechooser');
    await page.getByRole('button', { name: 'Tải lên' }).click();
    await (await chooser).setFiles({ name: 'f1.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    const item = page.getByTestId('reviews-table').locator('tr', { hasText: 'Người Trên Danh Sách' });
    await expect.poll(() => item.count(), { timeout: 20_000 }).toBe(1);
    expect(await item.getByTestId('review-elsewhere').textContent()).toBe('1 hồ sơ ở Hà Nội khớp số điện thoại này: hỏi CDC Hà Nội');
    expect(await page.textContent('body')).not.toContain('Hoàng Thị Xa Lạ');
    expect(await item.getByRole('button', { name: /^Chọn/ }).count()).toBe(0);
    await item.scrollIntoViewIfNeeded();
    await page.screenshot({ path: '/tmp/vigil-contacts-review.png' });
    expect(errors).toEqual([]);
    await ctx.close();
  });
});
