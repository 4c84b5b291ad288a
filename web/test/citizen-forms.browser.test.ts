// The citizen pages on a 360x740 phone (issue 14, items 1 and 6): a temperature typed or pasted with either
// decimal separator is kept as typed and stored as typed; "required" marks go once the field is filled; an empty
// submit brings the first problem into view; the declaration after a check-in starts from the details the phone
// just used; the purposes of visit fit the venue; the check-out screen tells the time and keeps the declaration link.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from '../../server/test/helpers';
import { ensureBuilt, launchBrowser, openPage, posterVenue, type TestServer } from './browser';

let server: TestServer;
let browser: Browser;
let hospital: Awaited<ReturnType<typeof posterVenue>>;
const HOSPITAL = 'Bệnh viện Đa khoa Thành phố Vinh';
const SHOTS = process.env.VIGIL_SCREENSHOTS ?? '/tmp';
const phone = { viewport: { width: 360, height: 740 }, locale: 'vi-VN', hasTouch: true, isMobile: true };

beforeAll(async () => {
  await ensureBuilt('khai-bao.html');
  server = await startTestServer();
  hospital = await posterVenue(server, 'cf.cdc', { name: HOSPITAL, type: 'hospital', address: '178 Tôn Thất Tùng' });
  browser = await launchBrowser();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const declareUrl = () => `${server.url}/khai-bao?venue=${encodeURIComponent(hospital.qrPath.slice(3))}`;
const inView = (page: Page, selector: string) =>
  page.locator(selector).first().evaluate((el) => {
    const r = el.getBoundingClientRect();
    return r.bottom > 0 && r.top < window.innerHeight;
  });

/** Answers every yes/no question "Không" and picks the purpose; the person's fields are left as they are. */
async function answerHealthy(page: Page, purpose: string) {
  await page.getByRole('radio', { name: purpose }).check();
  const booleans = page.locator('[data-question]').filter({ has: page.getByText('Không', { exact: true }) });
  for (let i = 0; i < (await booleans.count()); i++) await booleans.nth(i).getByText('Không', { exact: true }).click();
}

async function fillPerson(page: Page, name: string, phoneNo: string) {
  await page.getByLabel('Họ và tên').fill(name);
  await page.getByLabel('Số điện thoại').fill(phoneNo);
  await page.getByLabel('Năm sinh').fill('1972');
  await page.getByRole('textbox', { name: 'Phường/Xã' }).fill(hospital.commune.name.slice(0, 6));
  await page.getByRole('option', { name: new RegExp(hospital.commune.name) }).first().click();
}

describe('temperature on the declaration page (item 1)', () => {
  it('keeps 38,5 and 38.5 as typed or pasted, names what is out of range, and stores 38.5', async () => {
    const { ctx, page, errors } = await openPage(browser, phone);
    await ctx.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
    await page.goto(declareUrl());
    const temp = page.getByLabel('Nhiệt độ cơ thể đo được (nếu có)');
    await temp.waitFor();

    // Vietnamese comma, key by key: the field shows what is typed at every step, also after leaving it
    await temp.pressSequentially('38,');
    expect(await temp.inputValue()).toBe('38,');
    await temp.pressSequentially('5');
    await temp.blur();
    expect(await temp.inputValue()).toBe('38,5');
    // a dot works as well
    await temp.fill('');
    await temp.pressSequentially('38.5');
    await temp.blur();
    expect(await temp.inputValue()).toBe('38.5');

    // out of range: not clamped to 43, named at the field, nothing sent
    await temp.fill('');
    await temp.pressSequentially('45');
    await temp.blur();
    expect(await temp.inputValue()).toBe('45');
    await fillPerson(page, 'Hồ Thị Sốt', '0912 345 101');
    await answerHealthy(page, 'Khám, chữa bệnh');
    await page.getByRole('button', { name: 'Gửi tờ khai' }).click();
    await expect.poll(() => page.getByText('Phải từ 34 đến 43').count()).toBe(1);
    await temp.fill('');
    await temp.pressSequentially('38,55');
    // changing the answer takes its mark away
    expect(await page.getByText('Phải từ 34 đến 43').count()).toBe(0);
    await page.getByRole('button', { name: 'Gửi tờ khai' }).click();
    await expect.poll(() => page.getByText('Tối đa 1 chữ số sau dấu phẩy').count()).toBe(1);
    expect(await server.db.selectFrom('declarations').select('id').execute()).toHaveLength(0);

    // pasted from a thermometer app: 38.5 stays 38.5 (it used to become 43)
    await page.evaluate(() => navigator.clipboard.writeText('38.5'));
    await temp.fill('');
    await temp.focus();
    await page.keyboard.press('Control+V');
    await temp.blur();
    expect(await temp.inputValue()).toBe('38.5');
    await page.screenshot({ path: `${SHOTS}/khai-bao-temperature.png` });
    await page.getByRole('button', { name: 'Gửi tờ khai' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toContain('Cảm ơn bạn đã khai báo y tế.');
    const d = await server.db.selectFrom('declarations').select(['answers', 'flagged']).executeTakeFirstOrThrow();
    expect((d.answers as Record<string, unknown>).temperature).toBe(38.5);
    expect(d.flagged).toBe(true); // 38.5 °C is a fever for the risk rules
    expect(errors).toEqual([]);
    await ctx.close();
  });
});

describe('citizen pages (item 6)', () => {
  it('an empty submit on the declaration page brings the first problem into view; a filled field loses its mark', async () => {
    const { ctx, page, errors } = await openPage(browser, phone);
    await page.goto(declareUrl());
    await page.locator('[data-question="visit_purpose"]').waitFor();
    const submit = page.getByRole('button', { name: 'Gửi tờ khai' });
    await submit.scrollIntoViewIfNeeded();
    expect(await inView(page, 'input[autocomplete="name"]')).toBe(false);
    await submit.click();
    // the first marked field (the name, at the top) is on screen and focused, not the button at the bottom
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('autocomplete'))).toBe('name');
    expect(await inView(page, 'input[autocomplete="name"]')).toBe(true);
    await page.screenshot({ path: `${SHOTS}/khai-bao-empty-submit.png` });
    const name = page.getByLabel('Họ và tên');
    const tel = page.getByLabel('Số điện thoại');
    expect(await name.getAttribute('aria-invalid')).toBe('true');
    await name.fill('Nguyễn Văn Đủ');
    // the name is filled: its "Bắt buộc" goes at once; the phone's stays until it is filled too
    await expect.poll(() => name.getAttribute('aria-invalid')).not.toBe('true');
    expect(await tel.getAttribute('aria-invalid')).toBe('true');
    const purpose = page.locator('[data-question="visit_purpose"]');
    expect(await purpose.getByText('Bắt buộc').count()).toBe(1);
    await page.getByRole('radio', { name: 'Khám, chữa bệnh' }).check();
    await expect.poll(() => purpose.getByText('Bắt buộc').count()).toBe(0);
    expect(await page.locator('[data-question="fever"]').getByText('Bắt buộc').count()).toBe(1);
    expect(errors).toEqual([]);
    await ctx.close();
  });

  it('check-in marks, then the declaration filled in from the check-in, then the check-out screen with its time and link', async () => {
    const { page, ctx, errors } = await openPage(browser, phone);
    await page.goto(`${server.url}${hospital.qrPath}`);
    await expect.poll(() => page.locator('h1').textContent()).toBe(HOSPITAL);
    await page.getByRole('button', { name: 'Check-in', exact: true }).click();
    await expect.poll(() => page.locator('.err').count()).toBe(4);
    await page.getByLabel('Họ và tên').fill('Đinh Thị Hoa');
    // the filled field's "Bắt buộc" goes, the three others stay
    await expect.poll(() => page.locator('.err').count()).toBe(3);
    expect(await page.getByLabel('Họ và tên').getAttribute('aria-invalid')).toBe('false');
    await page.getByLabel('Số điện thoại').fill('0912 345 202');
    await page.getByLabel('Năm sinh').fill('1991');
    await expect.poll(() => page.locator('.err').count()).toBe(1);
    await page.getByLabel('Xã/phường nơi ở').fill(hospital.commune.name.slice(0, 6));
    await page.getByRole('option', { name: new RegExp(hospital.commune.name) }).first().click();
    await expect.poll(() => page.locator('.err').count()).toBe(0);
    await page.getByRole('button', { name: 'Check-in', exact: true }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toContain(`Đã check-in tại ${HOSPITAL}`);

    // the declaration link: the details just used are filled in, at a hospital the hospital's purposes
    await page.getByRole('link', { name: 'Khai báo y tế tại địa điểm này' }).click();
    await page.locator('[data-question="visit_purpose"]').waitFor();
    expect(await page.getByLabel('Họ và tên').inputValue()).toBe('Đinh Thị Hoa');
    expect(await page.getByLabel('Số điện thoại').inputValue()).toBe('0912 345 202');
    expect(await page.getByLabel('Năm sinh').inputValue()).toBe('1991');
    expect(await page.getByRole('textbox', { name: 'Phường/Xã' }).inputValue()).toContain(hospital.commune.name);
    expect(await page.getByText('Đã điền sẵn thông tin bạn vừa dùng để check-in').count()).toBe(1);
    expect(await page.getByRole('radio', { name: 'Mua sắm, ăn uống, sử dụng dịch vụ' }).count()).toBe(0);
    await page.screenshot({ path: `${SHOTS}/khai-bao-prefilled.png` });
    // nothing answered yet: the first unanswered question comes into view
    await page.getByRole('button', { name: 'Gửi tờ khai' }).click();
    await expect.poll(() => inView(page, '[data-question="visit_purpose"]')).toBe(true);
    await answerHealthy(page, 'Thăm, chăm sóc người bệnh');
    await page.getByRole('button', { name: 'Gửi tờ khai' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toContain('Cảm ơn bạn đã khai báo y tế.');
    // the same person as the check-in (not a second record from retyped details)
    const checkin = await server.db.selectFrom('checkins').select('person_id').executeTakeFirstOrThrow();
    const decl = await server.db.selectFrom('declarations').select(['subject_person_id', 'answers']).where('subject_person_id', '=', checkin.person_id).executeTakeFirst();
    expect(decl?.answers).toMatchObject({ visit_purpose: 'visit_patient' });

    // back at the check-in page: check out; the screen says when, and the declaration is still one tap away
    await page.goto(`${server.url}${hospital.qrPath}`);
    await page.getByRole('button', { name: 'Check-out' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toContain(`Đã check-out khỏi ${HOSPITAL}`);
    const out = await server.db.selectFrom('checkins').select('checkout_at').executeTakeFirstOrThrow();
    const hhmm = out.checkout_at!.toLocaleTimeString('vi-VN', { hour: '2-digit', minute: '2-digit' });
    expect(await page.getByRole('status').textContent()).toContain(`Lúc ${hhmm}`);
    expect(await page.getByRole('status').getByRole('link', { name: 'Khai báo y tế tại địa điểm này' }).getAttribute('href')).toBe(`/khai-bao?venue=${encodeURIComponent(hospital.qrPath.slice(3))}`);
    await page.screenshot({ path: `${SHOTS}/checkin-checked-out.png` });
    expect(errors).toEqual([]);
    await ctx.close();
  });
});
