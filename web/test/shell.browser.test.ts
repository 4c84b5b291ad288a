// The staff web app in a real browser against a real server (fresh test database with the demo provinces):
// login page in Vietnamese, wrong password, sign-in throttling, sign-in, language switch, admin units table + map (English
// names, outlines where the children have no boundaries), drill-down, permissions in the menu, roles offered in
// the users form, phone layout, session expiry, sign-out.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { communesOf, person } from '../../server/src/modules/certificates/test-fixtures';
import { startTestServer, type TestContext } from '../../server/test/helpers';
import { ensureBuilt, launchBrowser, openPage, PASSWORD, type TestServer } from './browser';

let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  await ensureBuilt('index.html');
  server = await startTestServer();
  await server.createUser({ username: 'ui.admin', password: PASSWORD, role: 'national_admin', jurisdictionCode: 'VN' });
  await server.createUser({ username: 'ui.tracer', password: PASSWORD, role: 'contact_tracer', jurisdictionCode: '40' });
  await server.createUser({ username: 'ui.cdc', password: PASSWORD, role: 'cdc_officer', jurisdictionCode: '40' });
  await server.createUser({ username: 'ui.locked', password: PASSWORD, role: 'lab_staff', jurisdictionCode: '40' });
  // a vaccinator whose account is linked to her own health record: staff and a citizen
  const t = server as unknown as TestContext;
  const own = await person(t, 'Lê Thị Thu', (await communesOf(t)).commune, '1990-05-12');
  await server.createUser({ username: 'ui.both', password: PASSWORD, role: 'vaccination_staff', jurisdictionCode: '40', personId: own });
  browser = await launchBrowser();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const newPage = (viewport = { width: 1280, height: 800 }) => openPage(browser, { viewport, locale: 'vi-VN' });

async function signIn(page: Page, username: string, password = PASSWORD) {
  await page.getByLabel('Tên đăng nhập').fill(username);
  await page.getByLabel('Mật khẩu').fill(password);
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
}

describe('staff web shell', () => {
  it('signs in, switches language, browses admin units on the table and the map, signs out', async () => {
    const { ctx, page, errors } = await newPage();
    try {
      await page.goto(server.url + '/');

      // Login page, Vietnamese by default.
      await page.getByRole('heading', { name: 'Đăng nhập' }).waitFor();
      expect(await page.locator('html').getAttribute('lang')).toBe('vi');
      expect(await page.getByLabel('Tên đăng nhập').count()).toBe(1);
      expect(await page.getByLabel('Mật khẩu').count()).toBe(1);

      // Wrong password: the generic message, no hint which part was wrong.
      await signIn(page, 'ui.admin', 'not-the-password');
      await page.getByText('Tên đăng nhập hoặc mật khẩu không đúng').waitFor();

      await signIn(page, 'ui.admin');
      await page.getByText('Xin chào, ui.admin').waitFor();
      expect(await page.getByTestId('home-role').textContent()).toBe('Quản trị quốc gia');
      for (const label of ['Đơn vị hành chính', 'Người dùng', 'Nhật ký truy cập']) {
        expect(await page.getByRole('navigation').getByRole('link', { name: label }).count(), label).toBe(1);
      }

      // Switch to English: text, <html lang> and persistence across a reload.
      await page.getByTestId('language-switch').click();
      await page.getByRole('menuitem', { name: 'English' }).click();
      await page.getByText('Hello, ui.admin').waitFor();
      expect(await page.locator('html').getAttribute('lang')).toBe('en');
      await page.reload();
      await page.getByText('Hello, ui.admin').waitFor();
      expect(await page.evaluate(() => localStorage.getItem('vigil.lang'))).toBe('en');

      // Admin units: provinces in the table (English names in English), polygons on the map.
      await page.getByRole('navigation').getByRole('link', { name: 'Administrative units' }).click();
      await page.waitForURL('**/geo');
      const ngheAn = page.locator('[data-testid="geo-units"] tr[data-code="40"]');
      await ngheAn.waitFor();
      expect(await ngheAn.textContent()).toContain('Nghe An');
      expect(await page.locator('[data-testid="geo-units"] tbody tr[data-code]').count()).toBeGreaterThanOrEqual(60);
      await page.locator('.leaflet-container svg path.leaflet-interactive').first().waitFor();
      expect(await page.locator('.leaflet-container svg path.leaflet-interactive').count()).toBeGreaterThanOrEqual(60);
      expect(await page.locator('path.leaflet-interactive[data-code="40"]').count()).toBe(1);

      // Search narrows the table (diacritic-insensitive on the server).
      await page.getByPlaceholder('Search by name or code').fill('nghe an');
      await page.waitForFunction(() => document.querySelectorAll('[data-testid="geo-units"] tbody tr[data-code]').length === 1);
      await page.getByPlaceholder('Search by name or code').fill('');

      // Drill into a province from the table: breadcrumb, title, its districts. Their boundaries in the demo data
      // are generated from the province outline (the map says they are illustrative); likewise one level down.
      await page.locator('[data-testid="geo-units"] tr[data-code="40"]').click();
      await page.waitForURL('**/geo/40');
      await page.getByTestId('geo-title').filter({ hasText: 'Nghe An' }).waitFor();
      expect(await page.locator('[aria-current="page"]').filter({ hasText: 'Nghe An' }).count()).toBe(1);
      await page.locator('[data-testid="geo-units"] tr[data-code="412"]').waitFor();
      expect(await page.locator('[data-testid="geo-units"] tr[data-code="412"]').textContent()).toContain('Vinh');
      await page.locator('[data-map-mode="children"] path.leaflet-interactive[data-code="412"]').waitFor();
      expect(await page.locator('path.leaflet-interactive').count()).toBe(21);
      expect(await page.getByTestId('generated-boundaries').textContent()).toContain('illustrative');
      await page.locator('[data-testid="geo-units"] tr[data-code="412"]').click();
      await page.waitForURL('**/geo/412');
      await page.getByTestId('geo-title').filter({ hasText: 'Vinh' }).waitFor();
      await page.locator('[data-map-mode="children"] path.leaflet-interactive').first().waitFor();
      expect(await page.getByTestId('generated-boundaries').count()).toBe(1);
      await page.getByRole('link', { name: 'All', exact: true }).click();
      await page.waitForURL('**/geo');

      // Drill in from the map: click the province's polygon.
      await page.locator('path.leaflet-interactive[data-code="01"]').dispatchEvent('click');
      await page.waitForURL('**/geo/01');
      await page.getByTestId('geo-title').filter({ hasText: 'Hanoi' }).waitFor();
      // a unit whose children have no boundaries: its own outline
      await page.locator('[data-map-mode="outline"] path.leaflet-interactive[data-code="01"]').waitFor();
      expect(await page.getByTestId('generated-boundaries').count()).toBe(0);

      // Back to Vietnamese for the next visitor of this browser profile, then sign out.
      await page.getByTestId('language-switch').click();
      await page.getByRole('menuitem', { name: 'Tiếng Việt' }).click();
      await page.getByTestId('user-menu').click();
      await page.getByRole('menuitem', { name: 'Đăng xuất' }).click();
      await page.getByRole('heading', { name: 'Đăng nhập' }).waitFor();
      await page.goto(server.url + '/geo');
      await page.getByRole('heading', { name: 'Đăng nhập' }).waitFor(); // the session is really gone

      expect(errors).toEqual([]);
    } finally {
      await ctx.close();
    }
  }, 120_000);

  it('shows only what the role may do, and works on a 375 px phone', async () => {
    const { ctx, page, errors } = await newPage({ width: 375, height: 667 });
    try {
      await page.goto(server.url + '/');
      await signIn(page, 'ui.tracer');
      await page.getByText('Xin chào, ui.tracer').waitFor();
      expect(await page.getByTestId('home-role').textContent()).toBe('Điều tra viên truy vết');

      // The navbar is folded behind the burger on phones.
      const burger = page.getByRole('button', { name: 'Mở hoặc đóng menu' });
      await burger.click();
      const nav = page.getByRole('navigation');
      await nav.getByRole('link', { name: 'Đơn vị hành chính' }).waitFor({ state: 'visible' });
      expect(await nav.getByRole('link', { name: 'Người dùng' }).count()).toBe(0);
      expect(await nav.getByRole('link', { name: 'Nhật ký truy cập' }).count()).toBe(0);
      // staff pages only: a citizen's pages are not the tracer's work (her own record is not linked)
      for (const own of ['Sổ sức khỏe điện tử', 'Mã QR của tôi', 'Khai báo y tế', 'Chứng nhận tiêm chủng']) {
        expect(await nav.getByRole('link', { name: own, exact: true }).count(), own).toBe(0);
      }
      expect(await nav.getByTestId('menu-personal').count()).toBe(0);
      await nav.getByRole('link', { name: 'Đơn vị hành chính' }).click();

      // A provincial user starts at their own province (one row, one polygon), and the page fits the screen.
      await page.locator('[data-testid="geo-units"] tr[data-code="40"]').waitFor();
      expect(await page.locator('[data-testid="geo-units"] tbody tr[data-code]').count()).toBe(1);
      await page.locator('path.leaflet-interactive[data-code="40"]').waitFor();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow).toBeLessThanOrEqual(0);

      // The session ends server-side (expired, revoked): the next request drops to the login page, which says
      // why, and signing in again returns to where the user was.
      await ctx.clearCookies();
      await page.locator('[data-testid="geo-units"] tr[data-code="40"]').click();
      await page.getByText('Phiên đăng nhập đã hết hạn').waitFor();
      await signIn(page, 'ui.tracer');
      await page.getByTestId('geo-title').filter({ hasText: 'Nghệ An' }).waitFor();
      expect(new URL(page.url()).pathname).toBe('/geo/40');

      // A page the role may not open.
      await page.goto(server.url + '/users');
      await page.getByText('Không có quyền truy cập').waitFor();

      expect(errors).toEqual([]);
    } finally {
      await ctx.close();
    }
  }, 90_000);

  it('shows someone who is staff and a citizen both menus, grouped under their headings', async () => {
    const { ctx, page, errors } = await newPage({ width: 1280, height: 900 });
    try {
      await page.goto(server.url + '/');
      await signIn(page, 'ui.both');
      await page.getByText('Xin chào, ui.both').waitFor();
      const work = page.getByRole('group', { name: 'Công việc' });
      const personal = page.getByRole('group', { name: 'Cá nhân' });
      await work.getByRole('link', { name: 'Buổi tiêm', exact: true }).waitFor();
      expect(await personal.getByRole('link', { name: 'Sổ sức khỏe điện tử' }).count()).toBe(1);
      expect(await personal.getByRole('link', { name: 'Mã QR của tôi' }).count()).toBe(1);
      expect(await work.getByRole('link', { name: 'Sổ sức khỏe điện tử' }).count()).toBe(0);
      expect(await personal.getByRole('link', { name: 'Buổi tiêm', exact: true }).count()).toBe(0);
      await page.screenshot({ path: `${process.env.VIGIL_SCREENSHOTS ?? '/tmp'}/menu-staff-and-citizen.png`, fullPage: true });
      expect(errors).toEqual([]);
    } finally {
      await ctx.close();
    }
  }, 90_000);

  it('says how long sign-in must wait after wrong passwords, and offers only the roles the manager may grant', async () => {
    const { ctx, page, errors } = await newPage();
    try {
      await page.goto(server.url + '/');
      // Three wrong passwords are free; then each one makes this address wait longer (1 s, 2 s, 4 s …) before
      // the next try for this username, which is refused with Retry-After (never an account lockout).
      for (let i = 0; i < 3; i++) {
        await signIn(page, 'ui.locked', `wrong-password-${i}`);
        await page.getByText('Tên đăng nhập hoặc mật khẩu không đúng').waitFor();
      }
      const waiting = page.getByText(/Vui lòng chờ \d+ giây rồi thử lại/);
      for (let i = 3; i < 10 && !(await waiting.count()); i++) {
        await signIn(page, 'ui.locked', `wrong-password-${i}`);
        await page.getByText(/Tên đăng nhập hoặc mật khẩu không đúng|Vui lòng chờ/).first().waitFor();
      }
      await waiting.waitFor();

      // A provincial CDC officer may grant the roles below their own, not their own nor the national one.
      await signIn(page, 'ui.cdc');
      await page.getByText('Xin chào, ui.cdc').waitFor();
      await page.goto(server.url + '/users');
      await page.getByRole('button', { name: 'Thêm người dùng' }).click();
      await page.getByTestId('user-role').click();
      await page.getByRole('option', { name: 'Cán bộ huyện' }).waitFor();
      const offered = await page.getByRole('option').allTextContents();
      expect(offered).toContain('Điều tra viên truy vết');
      expect(offered).not.toContain('Quản trị quốc gia');
      expect(offered).not.toContain('Cán bộ CDC tỉnh');
      await page.keyboard.press('Escape');
      await page.getByRole('button', { name: 'Huỷ' }).click();

      // Their own account: the current role stays visible, locked.
      await page.locator('[data-testid="users-table"] tr[data-username="ui.cdc"]').getByRole('button', { name: 'Sửa' }).click();
      const role = page.getByTestId('user-role');
      await role.waitFor();
      expect(await role.inputValue()).toBe('Cán bộ CDC tỉnh');
      expect(await role.isDisabled()).toBe(true);

      expect(errors).toEqual([]);
    } finally {
      await ctx.close();
    }
  }, 90_000);
});
