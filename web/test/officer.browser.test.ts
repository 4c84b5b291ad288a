// Officers' pages at a desk (1366x768) in a real browser against a real server: the check-in look-up by phone
// and by venue with totals that follow the filter, a person's last 14 days, the audit log in words, the work
// list's badges whole, a venue's short codes and QR-address warning, and a venue operator's commune picker.
// Screenshots go to $VIGIL_SHOTS (default: a temp dir) for a person to look at.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from '../../server/test/helpers';
import { ensureBuilt, launchBrowser, openPage, PASSWORD, type TestServer } from './browser';

let server: TestServer;
let browser: Browser;
let shots: string;
let cdc: { headers: Record<string, string> };
const area = { a: '', aName: '', aDistrict: '', b: '' };
let venueA: { id: string; name: string };
let khoa: string;

const DESK = { width: 1366, height: 768 };
const json = async (method: string, url: string, headers: Record<string, string> | null, payload?: unknown) => {
  const r = await server.app.inject({ method: method as 'GET', url, headers: headers ?? {}, payload: payload as object });
  if (r.statusCode >= 300) throw new Error(`${method} ${url}: ${r.statusCode} ${r.body}`);
  return r.json();
};

beforeAll(async () => {
  await ensureBuilt('index.html');
  server = await startTestServer();
  shots = process.env.VIGIL_SHOTS ?? fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-shots-'));
  const communes = await server.db.selectFrom('admin_units').select(['code', 'name', 'parent_code']).where('level', '=', 'commune').where('path', 'like', '/VN/40/%').orderBy('code').execute();
  area.a = communes[0]!.code;
  area.aName = communes[0]!.name;
  area.aDistrict = communes[0]!.parent_code!;
  area.b = communes.find((c) => c.parent_code !== area.aDistrict)!.code;
  await server.createUser({ username: 'off.cdc', password: PASSWORD, role: 'cdc_officer', jurisdictionCode: '40' });
  await server.createUser({ username: 'off.op', password: PASSWORD, role: 'venue_operator', jurisdictionCode: area.aDistrict });
  cdc = await server.login('cdc_officer', '40');

  // two venues, three check-ins of two people
  const mk = async (name: string, communeCode: string, entrances: string[]) =>
    json('POST', '/api/venues', cdc.headers, { name, type: 'market', communeCode, entrances: entrances.map((n) => ({ name: n })) }) as Promise<{
      venue: { id: string; name: string };
      entrances: { checkinUrl: string }[];
    }>;
  const a = await mk('Chợ Vinh', area.a, ['Cổng 1', 'Cổng 2', 'Cổng 3', 'Cổng 4', 'Cổng 5', 'Cổng 6']);
  const b = await mk('Siêu thị Cửa Lò', area.b, ['Cửa chính']);
  venueA = a.venue;
  const checkin = async (url: string, fullName: string, phone: string, communeCode: string) => {
    const r = await json('POST', '/api/checkins', null, { clientId: crypto.randomUUID(), venueToken: url.split('/c/')[1], people: [{ fullName, phone, birthYear: 1985, communeCode }] });
    return r.results[0].people[0].personId as string;
  };
  khoa = await checkin(a.entrances[0]!.checkinUrl, 'Hồ Văn Khoa', '0911000001', area.a);
  await checkin(b.entrances[0]!.checkinUrl, 'Hồ Văn Khoa', '0911000001', area.a);
  await checkin(b.entrances[0]!.checkinUrl, 'Hồ Thị Lan', '0911000002', area.b);

  // flagged declarations for the work list: one referred for a test
  const declare = (answers: Record<string, unknown>, n: number, who?: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
    json('POST', '/api/public/declarations', null, {
      formKey: 'domestic',
      formVersion: 1,
      person: who ?? { fullName: `Người khai ${n}`, phone: `09120000${10 + n}`, birthYear: 1970, communeCode: area.a },
      ...extra,
      answers: { travel_14d: false, fever: false, cough: false, shortness_of_breath: false, sore_throat: false, loss_of_taste_smell: false, fatigue: false, diarrhea: false, contact_f0: false, contact_from_outbreak: false, contact_symptoms: false, ...answers },
    });
  const d1 = await declare({ fever: true, cough: true }, 1);
  await declare({ travel_14d: true, travel_places: [area.b], fatigue: true }, 2);
  await declare({ contact_f0: true }, 3);
  // Khoa declares at the market after checking in there
  await declare({}, 4, { fullName: 'Hồ Văn Khoa', phone: '0911000001', birthYear: 1985, communeCode: area.a }, { venueToken: a.entrances[0]!.checkinUrl });
  await json('POST', `/api/declarations/${d1.declaration.id}/actions`, cdc.headers, { action: 'referred', note: 'Chuyển xét nghiệm PCR' });
  browser = await launchBrowser();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function signedIn(username: string, url: string, lang = 'vi-VN'): Promise<{ page: Page; errors: string[]; close(): Promise<void> }> {
  const { ctx, page, errors } = await openPage(browser, { viewport: DESK, locale: lang });
  const r = await page.request.post(`${server.url}/api/auth/login`, { headers: { 'x-requested-with': 'vigil' }, data: { username, password: PASSWORD } });
  expect(r.status()).toBe(200);
  await page.goto(server.url + url);
  return { page, errors, close: () => ctx.close() };
}

const shot = (page: Page, name: string) => page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });

describe('officer pages at 1366x768', () => {
  it('looks up check-ins by a typed phone number and by a venue picked by name; totals follow the filter', async () => {
    const { page, errors, close } = await signedIn('off.cdc', '/checkins');
    await page.getByTestId('person-search').fill('0911 000 001');
    await page.getByRole('button', { name: 'Tra cứu' }).click();
    await expect.poll(() => page.getByTestId('checkin-totals').textContent()).toBe('Tổng: 2 lượt, 1 người');
    await expect.poll(() => page.getByRole('row').filter({ hasText: 'Hồ Văn Khoa' }).count()).toBe(2);
    await expect.poll(() => page.getByRole('row').filter({ hasText: 'Hồ Thị Lan' }).count()).toBe(0);

    // exports need a reason; the link carries the filter and the UI language
    expect(await page.getByRole('link', { name: 'Xuất CSV' }).count()).toBe(0);
    await page.getByTestId('export-reason').fill('Truy vết F1');
    const href = await page.getByRole('link', { name: 'Xuất CSV' }).getAttribute('href');
    expect(href).toMatch(/person=0911/);
    expect(href).toMatch(/lang=vi/);
    const csv = await page.request.get(server.url + href!);
    expect(csv.status()).toBe(200);
    expect((await csv.text()).split('\r\n')[0]).toContain('Họ và tên');
    await shot(page, 'checkins-by-phone');

    // text that is no phone, ID or name: a Vietnamese message, not a regex
    await page.getByTestId('person-search').fill('???');
    await page.getByRole('button', { name: 'Tra cứu' }).click();
    await page.getByText('Hãy gõ số điện thoại, số CCCD/CMND hoặc họ tên.').first().waitFor();

    // by venue: type part of the name, pick it
    await page.getByTestId('person-search').fill('');
    await page.getByRole('textbox', { name: 'Địa điểm (tìm theo tên hoặc mã)' }).fill('sieu thi');
    await page.getByRole('option', { name: /Siêu thị Cửa Lò/ }).click();
    await page.getByRole('button', { name: 'Tra cứu' }).click();
    await expect.poll(() => page.getByRole('row').filter({ hasText: 'Chợ Vinh' }).count()).toBe(0);
    await expect.poll(() => page.getByTestId('checkin-totals').textContent()).toBe('Tổng: 2 lượt, 2 người');
    expect(await page.getByRole('row').filter({ hasText: 'Siêu thị Cửa Lò' }).count()).toBe(2);
    expect(errors).toEqual([]);
    await close();
  });

  it("shows a person's check-ins and declarations of the last 14 days on their page", async () => {
    const { page, errors, close } = await signedIn('off.cdc', `/people/${khoa}?reason=${encodeURIComponent('Truy vết F1')}`);
    const card = page.getByTestId('person-activity');
    await card.getByText('Check-in và khai báo 14 ngày qua').waitFor();
    await expect.poll(() => card.getByRole('row').count()).toBe(3);
    expect(await card.getByText(/Chợ Vinh · Cổng 1/).count()).toBe(1);
    expect(await card.getByText('tại Chợ Vinh').count()).toBe(1); // the declaration, where it was made
    expect(await card.getByText(/Siêu thị Cửa Lò · Cửa chính/).count()).toBe(1);
    await shot(page, 'person-14-days');
    const audit = await server.db.selectFrom('audit_log').select('subject_id').where('action', '=', 'person.checkins.read').execute();
    expect(audit.map((a) => a.subject_id)).toContain(khoa);
    expect(errors).toEqual([]);
    await close();
  });

  it('shows audit actions in words in both languages', async () => {
    for (const [lang, words] of [
      ['vi-VN', 'Xem check-in của một người'],
      ['en-US', "Viewed a person's check-ins"],
    ] as const) {
      const { page, errors, close } = await signedIn('off.cdc', `/audit?action=person.checkins.read`, lang);
      if (lang === 'en-US') {
        await page.getByTestId('language-switch').click();
        await page.getByRole('menuitem', { name: 'English' }).click();
      }
      const table = page.getByTestId('audit-table');
      await table.getByText(words).first().waitFor();
      await shot(page, `audit-${lang}`);
      expect(errors).toEqual([]);
      await close();
    }
  });

  it('shows the work list badges whole', async () => {
    const { page, errors, close } = await signedIn('off.cdc', '/declarations');
    const table = page.getByTestId('worklist');
    await expect.poll(() => table.getByRole('row').count()).toBeGreaterThan(2);
    const cut = await page.$$eval('[data-testid="worklist"] .mantine-Badge-root', (badges) =>
      badges.filter((b) => {
        const label = (b.querySelector('.mantine-Badge-label') as HTMLElement | null) ?? (b as HTMLElement);
        return label.scrollWidth > label.clientWidth + 1 || b.scrollWidth > b.clientWidth + 1;
      }).map((b) => b.textContent),
    );
    await shot(page, 'worklist');
    expect(cut).toEqual([]);
    expect(await table.getByText('Đã chuyển xét nghiệm').count()).toBeGreaterThan(0);
    expect(errors).toEqual([]);
    await close();
  });

  it("lists a venue's entrances in the order added, with their short codes, and warns that QR codes point at this server", async () => {
    const { page, errors, close } = await signedIn('off.cdc', `/venues/${venueA.id}`);
    await page.getByTestId('qr-loopback').waitFor();
    expect(await page.getByTestId('qr-loopback').textContent()).toContain('VIGIL_PUBLIC_URL');
    const codes = await page.getByTestId('short-code').allTextContents();
    expect(codes.map((c) => c.split('-')[2])).toEqual(['1', '2', '3', '4', '5', '6']);
    const names = await page.locator('table tbody tr td:first-child').allTextContents();
    expect(names.slice(0, 6).map((n) => n.replace(/\s*\(.*\)$/, ''))).toEqual(['Cổng 1', 'Cổng 2', 'Cổng 3', 'Cổng 4', 'Cổng 5', 'Cổng 6']);
    await shot(page, 'venue');
    expect(errors).toEqual([]);
    await close();
  });

  it("draws the demo province's districts on the map, saying the boundaries are generated", async () => {
    const { page, errors, close } = await signedIn('off.cdc', '/geo/40');
    await page.locator('[data-map-mode="children"] path.leaflet-interactive[data-code="412"]').waitFor();
    expect(await page.locator('path.leaflet-interactive').count()).toBe(21);
    await page.getByTestId('generated-boundaries').waitFor();
    await shot(page, 'map-nghe-an');
    expect(errors).toEqual([]);
    await close();
  });

  it("gives a venue operator their own area's communes only, in one language", async () => {
    const { page, errors, close } = await signedIn('off.op', '/venues/new');
    const picker = page.getByRole('textbox', { name: 'Xã/phường' });
    await picker.click();
    const inArea = await server.db.selectFrom('admin_units').select(['code']).where('parent_code', '=', area.aDistrict).execute();
    await expect.poll(() => page.getByRole('option').count()).toBe(Math.min(20, inArea.length));
    const offered = await page.getByRole('option').allTextContents();
    expect(offered.every((o) => inArea.some((u) => o.includes(`(${u.code})`)))).toBe(true);
    expect(await page.getByText(`Chỉ các xã/phường trong địa bàn của bạn (${inArea.length})`).count()).toBe(1);
    expect(await page.getByText('one per line').count()).toBe(0);
    expect(await page.getByText('Mỗi dòng một lối vào hoặc phòng').count()).toBe(1);
    await shot(page, 'venue-form-operator');
    expect(errors).toEqual([]);
    await close();
  });
});
