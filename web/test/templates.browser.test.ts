// SMS templates page in Chromium: a national administrator previews an edit (an unknown variable is refused by
// name), saves it and sees the history; a provincial officer reads the texts but cannot save.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from '../../server/test/helpers';
import { ensureBuilt, launchBrowser, openPage, PASSWORD, type TestServer } from './browser';

let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  await ensureBuilt('index.html');
  server = await startTestServer();
  await server.createUser({ username: 'tpl.admin', password: PASSWORD, role: 'national_admin', jurisdictionCode: 'VN' });
  await server.createUser({ username: 'tpl.cdc', password: PASSWORD, role: 'cdc_officer', jurisdictionCode: '40' });
  browser = await launchBrowser();
}, 240_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function openTemplates(page: Page, username: string) {
  await page.goto(`${server.url}/messaging`);
  await page.getByLabel('Tên đăng nhập').fill(username);
  await page.getByLabel('Mật khẩu').fill(PASSWORD);
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  await page.getByRole('tab', { name: 'Mẫu tin' }).click();
  return page.getByTestId('template-contact.warning');
}

describe('SMS templates page', () => {
  it('previews, refuses an unknown variable, saves and shows the history', async () => {
    const { ctx, page, errors } = await openPage(browser, { viewport: { width: 1280, height: 900 }, locale: 'vi-VN' });
    const card = await openTemplates(page, 'tpl.admin');
    const vi = card.getByLabel('Nội dung (tiếng Việt)');
    await vi.fill('{sender}: {name} ơi, ở nhà đến {until}');
    await card.getByRole('button', { name: 'Xem trước' }).click();
    await expect.poll(() => card.textContent()).toMatch(/\{name\}/);
    await vi.fill('{sender}: bạn là F1 ({place}, {date}). Ở nhà đến hết {until}, gọi {hotline}.');
    await card.getByRole('button', { name: 'Xem trước' }).click();
    await expect.poll(() => card.getByRole('status').textContent()).toContain('Sở Y tế Nghệ An: bạn là F1 (Chợ Vinh, 12/08)');
    await card.getByRole('button', { name: 'Lưu mẫu' }).click();
    await expect.poll(() => page.getByTestId('template-contact.warning').textContent()).toContain('Lịch sử thay đổi');
    expect(await page.getByTestId('template-contact.warning').textContent()).toContain('tpl.admin');
    await page.screenshot({ path: '/tmp/vigil-templates.png', fullPage: true });
    expect(errors.filter((e) => !/400/.test(e))).toEqual([]);
    await ctx.close();
  });

  it('a provincial officer reads the texts but has no save button', async () => {
    const { ctx, page } = await openPage(browser, { viewport: { width: 1280, height: 900 }, locale: 'vi-VN' });
    const card = await openTemplates(page, 'tpl.cdc');
    await expect.poll(() => card.getByLabel('Nội dung (tiếng Việt)').inputValue(), { timeout: 20_000 }).toContain('bạn là F1');
    expect(await card.getByRole('button', { name: 'Lưu mẫu' }).count()).toBe(0);
    await ctx.close();
  });
});
