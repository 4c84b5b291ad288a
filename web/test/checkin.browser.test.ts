// The citizen check-in page on a phone-sized screen against a real server: open a poster's QR URL, fill the short
// form, see "checked in", check out, check in again with only the remembered person, and refused QR codes.
import { devices, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alterChar, startTestServer } from '../../server/test/helpers';
import { ensureBuilt, launchBrowser, openPage, PASSWORD, posterVenue, type TestServer } from './browser';

let server: TestServer;
let browser: Browser;
let qrPath: string;
let venueName: string;
let communeName: string;

beforeAll(async () => {
  await ensureBuilt('checkin.html');
  server = await startTestServer();
  venueName = 'Chợ Đêm Vinh';
  // the URL printed on the poster (its QR), pointed at this test server
  const v = await posterVenue(server, 'ci.cdc', { name: venueName, type: 'market' });
  qrPath = v.qrPath;
  communeName = v.commune.name;
  browser = await launchBrowser();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('citizen check-in page (phone)', () => {
  it('opens the poster URL, fills the form, sees "checked in", checks out and in again with the remembered person', async () => {
    const { ctx, page, errors } = await openPage(browser, { ...devices['Galaxy S9+'], viewport: { width: 360, height: 740 }, locale: 'vi-VN' });
    await page.goto(`${server.url}${qrPath}`);
    await expect.poll(() => page.locator('h1').textContent()).toBe(venueName);
    // no horizontal scrolling on a 360 px screen
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);

    // submitting the empty form names the missing fields, in Vietnamese
    await page.getByRole('button', { name: 'Check-in', exact: true }).click();
    await expect.poll(() => page.locator('.err').count()).toBeGreaterThanOrEqual(4);
    expect(await page.locator('.err').first().textContent()).toBe('Bắt buộc');

    await page.getByLabel('Họ và tên').fill('Nguyễn Thị Mai');
    // a number of the right length that no Vietnamese network uses (old 012x prefix): only the server knows; its
    // refusal is shown at the field, in Vietnamese, and nothing is written
    await page.getByLabel('Số điện thoại').fill('0123 456 789');
    await page.getByLabel('Năm sinh').fill('1990');
    await page.getByLabel('Xã/phường nơi ở').fill(communeName.slice(0, 6));
    await page.getByRole('option', { name: new RegExp(communeName) }).first().click();
    await page.getByRole('button', { name: 'Check-in', exact: true }).click();
    await expect.poll(() => page.locator('.err').allTextContents()).toContain('Số điện thoại không hợp lệ');
    expect(await page.getByText('Vui lòng kiểm tra lại các ô được đánh dấu.').count()).toBe(1);
    expect(await server.db.selectFrom('checkins').select('id').execute()).toHaveLength(0);

    await page.getByLabel('Số điện thoại').fill('0912 345 679');
    await page.getByRole('button', { name: 'Check-in', exact: true }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toContain(`Đã check-in tại ${venueName}`);
    expect(await page.getByRole('status').textContent()).toContain('Nguyễn Thị Mai');
    // the venue's health declaration is one tap away, naming the venue by its QR
    expect(await page.getByRole('link', { name: 'Khai báo y tế tại địa điểm này' }).getAttribute('href')).toBe(`/khai-bao?venue=${encodeURIComponent(qrPath.slice(3))}`);

    const rows = await server.db.selectFrom('checkins').selectAll().execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.source).toBe('qr');

    // reopening the page shows the current check-in; check out
    await page.reload();
    await expect.poll(() => page.getByRole('status').textContent()).toContain('Đã check-in');
    await page.getByRole('button', { name: 'Check-out' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toContain(`Đã check-out khỏi ${venueName}`);
    expect((await server.db.selectFrom('checkins').select('checkout_at').executeTakeFirstOrThrow()).checkout_at).not.toBeNull();

    // next time: only the remembered person, no form; in English
    await page.getByRole('button', { name: 'Check-in lại' }).click();
    await page.getByRole('button', { name: 'English' }).click();
    await expect.poll(() => page.getByText('Who is checking in?').count()).toBe(1);
    expect(await page.getByRole('checkbox', { name: 'Nguyễn Thị Mai' }).isChecked()).toBe(true);
    await page.getByRole('button', { name: 'Check in', exact: true }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toContain(`Checked in at ${venueName}`);
    expect(await server.db.selectFrom('checkins').select('id').execute()).toHaveLength(2);
    expect(errors).toEqual([]);
    await ctx.close();
  });

  it('shows a clear Vietnamese message for a forged QR code', async () => {
    const { ctx, page } = await openPage(browser, { viewport: { width: 360, height: 740 }, locale: 'vi-VN' });
    const token = qrPath.slice(3);
    const forged = alterChar(token, 10);
    await page.goto(`${server.url}/c/${forged}`);
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('Mã QR không hợp lệ');
    await ctx.close();
  });

  it('counts a check-in once when the server recorded it but the answer was lost (5xx) and the person taps again', async () => {
    const { ctx, page, errors } = await openPage(browser, { viewport: { width: 360, height: 740 }, locale: 'vi-VN' });
    let lost = 0;
    await page.route('**/api/checkins', async (route) => {
      if (lost++ > 0) return route.continue();
      await route.fetch(); // the server records it …
      await route.fulfill({ status: 502, contentType: 'application/json', body: '{"error":{"code":"BAD_GATEWAY","message":"proxy timeout","details":[]}}' }); // … the phone hears 502
    });
    await page.goto(`${server.url}${qrPath}`);
    await expect.poll(() => page.locator('h1').textContent()).toBe(venueName);
    await page.getByLabel('Họ và tên').fill('Quàng Thị Nga');
    await page.getByLabel('Số điện thoại').fill('0912 345 888');
    await page.getByLabel('Năm sinh').fill('1985');
    await page.getByLabel('Xã/phường nơi ở').fill(communeName.slice(0, 6));
    await page.getByRole('option', { name: new RegExp(communeName) }).first().click();
    await page.getByRole('button', { name: 'Check-in', exact: true }).click();
    await expect.poll(() => page.getByRole('alert').count()).toBeGreaterThan(0);
    await page.getByRole('button', { name: 'Check-in', exact: true }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toContain(`Đã check-in tại ${venueName}`);
    const rows = await server.db
      .selectFrom('checkins')
      .innerJoin('persons', 'persons.id', 'checkins.person_id')
      .select('checkins.id')
      .where('persons.full_name', '=', 'Quàng Thị Nga')
      .execute();
    expect(rows).toHaveLength(1);
    expect(lost).toBe(2);
    expect(errors.filter((e) => !e.includes('502'))).toEqual([]);
    await ctx.close();
  });

  it('declares health without an account from the check-in page link; the venue’s unit gets the flagged declaration', async () => {
    const { ctx, page, errors } = await openPage(browser, { viewport: { width: 360, height: 740 }, locale: 'vi-VN' });
    await page.goto(`${server.url}/khai-bao?venue=${encodeURIComponent(qrPath.slice(3))}`);
    await expect.poll(() => page.getByText(`Khai báo tại: ${venueName}`).count()).toBe(1);
    await expect.poll(() => page.locator('h1').textContent()).toContain('Khai báo y tế khi vào cơ sở khám chữa bệnh');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    // nothing filled in: the person's fields are named, nothing is sent
    await page.getByRole('button', { name: 'Gửi tờ khai' }).click();
    await expect.poll(() => page.getByText('Vui lòng kiểm tra lại các câu trả lời được đánh dấu.').count()).toBe(1);

    await page.getByLabel('Họ và tên').fill('Lường Văn Minh');
    await page.getByLabel('Số điện thoại').fill('0912 345 999');
    await page.getByLabel('Năm sinh').fill('1979');
    await page.getByRole('textbox', { name: 'Phường/Xã' }).fill(communeName.slice(0, 6));
    await page.getByRole('option', { name: new RegExp(communeName) }).first().click();
    // at a market: the purposes of a market visit, not the hospital's
    expect(await page.getByRole('radio', { name: 'Khám, chữa bệnh' }).count()).toBe(0);
    await page.getByRole('radio', { name: 'Mua sắm, ăn uống, sử dụng dịch vụ' }).check();
    const booleans = page.locator('[data-question]').filter({ has: page.getByText('Không', { exact: true }) });
    for (let i = 0; i < (await booleans.count()); i++) await booleans.nth(i).getByText('Không', { exact: true }).click();
    await page.locator('[data-question="contact_f0"]').getByText('Có', { exact: true }).click();
    await page.getByRole('button', { name: 'Gửi tờ khai' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toContain('Cảm ơn bạn đã khai báo y tế.');
    expect(await page.getByRole('status').textContent()).toContain('nhân viên y tế có thể liên hệ');

    const d = await server.db
      .selectFrom('declarations as d')
      .innerJoin('venues as v', 'v.id', 'd.venue_id')
      .select(['d.flagged', 'd.responsible_unit_code', 'v.commune_code', 'v.name'])
      .executeTakeFirstOrThrow();
    expect(d).toMatchObject({ flagged: true, name: venueName });
    expect(d.responsible_unit_code).toBe(d.commune_code);
    expect(errors).toEqual([]);
    await ctx.close();
  });

  it('a signed-in citizen declares at the venue from /declare?venue=…', async () => {
    await server.createUser({ username: 'ci.citizen', password: PASSWORD, role: 'citizen', jurisdictionCode: '40' });
    const { ctx, page, errors } = await openPage(browser, { viewport: { width: 390, height: 844 }, locale: 'vi-VN' });
    const login = await page.request.post(`${server.url}/api/auth/login`, { headers: { 'x-requested-with': 'vigil' }, data: { username: 'ci.citizen', password: PASSWORD } });
    expect(login.status()).toBe(200);
    const commune = await server.db.selectFrom('admin_units').select('code').where('name', '=', communeName).executeTakeFirstOrThrow();
    const me = await page.request.put(`${server.url}/api/me/person`, {
      headers: { 'x-requested-with': 'vigil' },
      data: { fullName: 'Vi Thị Hoà', phone: '0912345111', birthYear: 1992, communeCode: commune.code },
    });
    expect(me.status(), await me.text()).toBe(200);
    await page.goto(`${server.url}/declare?venue=${encodeURIComponent(qrPath.slice(3))}`);
    await expect.poll(() => page.getByText(`Khai báo tại: ${venueName}`).count()).toBe(1);
    await page.getByRole('radio', { name: 'Công tác, làm việc' }).check();
    const booleans = page.locator('[data-question]').filter({ has: page.getByText('Không', { exact: true }) });
    for (let i = 0; i < (await booleans.count()); i++) await booleans.nth(i).getByText('Không', { exact: true }).click();
    await page.getByRole('button', { name: 'Gửi tờ khai' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toContain('Cảm ơn bạn đã khai báo y tế.');
    const d = await server.db.selectFrom('declarations').select(['channel', 'flagged', 'venue_id']).where('channel', '=', 'citizen').executeTakeFirstOrThrow();
    expect(d).toMatchObject({ flagged: false });
    expect(d.venue_id).not.toBeNull();
    expect(errors).toEqual([]);
    await ctx.close();
  });
});
