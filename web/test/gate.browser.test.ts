// The staff gate page on a phone, offline: scans are queued on the device (with their client ids and scan times),
// nothing reaches the server while offline, and everything is sent — once — when the network returns.
// The page is built here on its own (web/test/harness/gate.html) and served with /api proxied to a real test server.
import fs from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alterChar, startTestServer } from '../../server/test/helpers';
import { launchBrowser, openPage, PASSWORD, type TestServer } from './browser';
import { buildHarness, serveHarness } from './harness/serve';
import { qrVideo } from './qr-video';

let server: TestServer;
let browser: Browser;
let closeFront: (() => Promise<void>) | null = null;
let frontUrl: string;
let outDir: string;
let personQrs: string[] = [];
let entranceName: string;

beforeAll(async () => {
  outDir = await buildHarness(['gate']);
  server = await startTestServer();
  const commune = await server.db.selectFrom('admin_units').select('code').where('level', '=', 'commune').where('path', 'like', '/VN/40/%').orderBy('code').executeTakeFirstOrThrow();
  await server.createUser({ username: 'gate.cdc', password: PASSWORD, role: 'cdc_officer', jurisdictionCode: '40' });
  await server.createUser({ username: 'gate.op', password: PASSWORD, role: 'venue_operator', jurisdictionCode: commune.code });
  const login = async (username: string) => {
    const r = await server.app.inject({ method: 'POST', url: '/api/auth/login', headers: { 'x-requested-with': 'vigil' }, payload: { username, password: PASSWORD } });
    return { cookie: String(r.headers['set-cookie']).split(';')[0]!, 'x-requested-with': 'vigil' };
  };
  const cdc = await login('gate.cdc');
  const op = await login('gate.op');
  // the operator registers their factory; the CDC approves it
  const v = await server.app.inject({ method: 'POST', url: '/api/venues', headers: op, payload: { name: 'Nhà máy May 10', type: 'factory', communeCode: commune.code, entrances: [{ name: 'Cổng công nhân' }] } });
  expect(v.statusCode, v.body).toBe(201);
  entranceName = 'Nhà máy May 10 — Cổng công nhân';
  const ok = await server.app.inject({ method: 'POST', url: `/api/venues/${v.json().venue.id}/status`, headers: cdc, payload: { status: 'approved' } });
  expect(ok.statusCode, ok.body).toBe(200);
  // three workers with personal QR codes (issued by the people module when they first check in)
  const anyVenue = await server.app.inject({ method: 'GET', url: `/api/venues/${v.json().venue.id}/entrances/${v.json().entrances[0].id}/qr`, headers: cdc });
  const venueToken = new URL(anyVenue.json().url).pathname.slice(3);
  personQrs = [];
  for (const [i, name] of ['Lê Thị Hạnh', 'Trần Văn Hùng', 'Phạm Văn Khải'].entries()) {
    const r = await server.app.inject({
      method: 'POST',
      url: '/api/checkins',
      payload: { clientId: crypto.randomUUID(), venueToken, people: [{ fullName: name, phone: `09130000${10 + i}`, birthYear: 1990 + i, communeCode: commune.code }] },
    });
    expect(r.statusCode, r.body).toBe(201);
    personQrs.push(r.json().results[0].people[0].token);
  }
  await server.db.deleteFrom('checkins').execute();

  const served = await serveHarness(outDir, server.url);
  frontUrl = served.url;
  closeFront = served.close;
  browser = await launchBrowser();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await closeFront?.();
  await server?.close();
  if (outDir) fs.rmSync(outDir, { recursive: true, force: true });
});

describe('gate page', () => {
  it('queues scans while offline and sends them once when the network returns', async () => {
    const { ctx, page, errors } = await openPage(browser, { viewport: { width: 390, height: 844 }, locale: 'vi-VN' });
    const login = await page.request.post(`${frontUrl}/api/auth/login`, { headers: { 'x-requested-with': 'vigil' }, data: { username: 'gate.op', password: PASSWORD } });
    expect(login.status()).toBe(200);
    await page.goto(`${frontUrl}/test/harness/gate.html`);
    await expect.poll(() => page.getByText('Cổng quét QR cá nhân').count()).toBe(1);
    // the operator's only entrance is chosen by itself
    await expect.poll(() => page.getByRole('textbox', { name: 'Chọn lối vào' }).inputValue()).toBe(entranceName);
    // cleared (an operator moving to another entrance), the select says what to do instead of showing a blank box
    expect(await page.getByRole('textbox', { name: 'Chọn lối vào' }).getAttribute('placeholder')).toBe('Chạm để chọn lối vào');

    await ctx.setOffline(true);
    // while offline the page must not even try to send (every attempt would be lost): watch for attempts
    const sentOffline: string[] = [];
    const watch = (r: { url(): string; method(): string }) => {
      if (r.method() === 'POST' && r.url().endsWith('/api/checkins')) sentOffline.push(r.url());
    };
    page.on('request', watch);
    await expect.poll(() => page.getByText(/Mất mạng/).count()).toBe(1);
    const manual = page.getByLabel('Nhập mã thủ công');
    for (const qr of personQrs.slice(0, 2)) {
      await manual.fill(qr);
      await page.getByRole('button', { name: 'Ghi nhận' }).click();
    }
    // an exit for the first worker, scanned as a URL
    await page.getByText('Ra', { exact: true }).click();
    await manual.fill(`https://vigil.example.vn/p/${personQrs[0]}`);
    await page.getByRole('button', { name: 'Ghi nhận' }).click();
    await expect.poll(() => page.getByTestId('queued').textContent()).toBe('Đang chờ gửi: 3');
    expect(await page.getByTestId('gate-result').count()).toBe(3);
    expect(await server.db.selectFrom('checkins').select('id').execute()).toHaveLength(0);
    // the queue survives a reload (stored on the device)
    const stored = await page.evaluate(() => JSON.parse(localStorage.getItem('vigil.gate.queue') ?? '[]').length);
    expect(stored).toBe(3);
    page.off('request', watch);
    expect(sentOffline).toEqual([]); // nothing was attempted during the whole offline period

    await ctx.setOffline(false);
    await expect.poll(() => page.getByTestId('queued').textContent()).toBe('Đang chờ gửi: 0');
    const rows = await server.db.selectFrom('checkins').selectAll().orderBy('checkin_at').execute();
    expect(rows).toHaveLength(2);
    expect(rows.every((r) => r.source === 'gate')).toBe(true);
    // the exit closed the first worker's stay
    expect(rows.filter((r) => r.checkout_at !== null)).toHaveLength(1);
    await expect.poll(() => page.getByText('Đã ghi nhận').count()).toBe(2);
    expect(await page.getByText('Đã ghi ra').count()).toBe(1);

    // an altered card is refused by the server; the gate says why in Vietnamese, and nothing is written
    await page.getByText('Vào', { exact: true }).first().click(); // the mode switch (the result rows say 'Vào' too)
    const qr = personQrs[1]!;
    await manual.fill(alterChar(qr, Math.floor(qr.length / 2)));
    await page.getByRole('button', { name: 'Ghi nhận' }).click();
    await expect.poll(() => page.getByText('Mã QR cá nhân không hợp lệ hoặc đã bị sửa đổi.').count()).toBe(1);
    expect(await server.db.selectFrom('checkins').select('id').execute()).toHaveLength(2);

    // an exit whose entry was scanned on another gate device that has not sent it yet: kept, sent again later
    await page.getByText('Ra', { exact: true }).first().click();
    await manual.fill(personQrs[2]!);
    const exitAt = Date.now();
    const answered = page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/api/checkins'));
    await page.getByRole('button', { name: 'Ghi nhận' }).click();
    // the server's answer (no open check-in yet), read by the page: the exit stays queued
    const answer = await answered;
    expect(((await answer.json()) as { results: { error?: { code: string } }[] }).results[0]?.error?.code).toBe('NO_OPEN_CHECKIN');
    await page.evaluate(() => new Promise((r) => setTimeout(r, 0))); // the page has handled the answer
    expect(await page.getByTestId('queued').textContent()).toBe('Đang chờ gửi: 1');
    const entrance = await server.db.selectFrom('venue_entrances').select('id').where('name', '=', 'Cổng công nhân').executeTakeFirstOrThrow();
    const other = await page.request.post(`${frontUrl}/api/checkins`, {
      headers: { 'x-requested-with': 'vigil' },
      data: { clientId: crypto.randomUUID(), entranceId: entrance.id, personQr: personQrs[2], at: new Date(exitAt - 5 * 60_000).toISOString() },
    });
    expect(other.status()).toBe(201);
    await expect.poll(() => page.getByTestId('queued').textContent()).toBe('Đang chờ gửi: 0');
    const third = await server.db
      .selectFrom('checkins')
      .innerJoin('persons', 'persons.id', 'checkins.person_id')
      .select(['checkins.checkout_at'])
      .where('persons.full_name', '=', 'Phạm Văn Khải')
      .execute();
    expect(third).toHaveLength(1);
    expect(third[0]!.checkout_at).not.toBeNull();
    expect(errors).toEqual([]);
    await ctx.close();
  });

  it('reads a personal QR code from the camera (fake camera device) and records the entry', async () => {
    const video = path.join(outDir, 'qr.y4m');
    await qrVideo(personQrs[2]!, video);
    const camBrowser = await launchBrowser([
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      `--use-file-for-fake-video-capture=${video}`,
    ]);
    try {
      const { ctx, page } = await openPage(camBrowser, { viewport: { width: 390, height: 844 }, locale: 'vi-VN', permissions: ['camera'] });
      await page.request.post(`${frontUrl}/api/auth/login`, { headers: { 'x-requested-with': 'vigil' }, data: { username: 'gate.op', password: PASSWORD } });
      await page.goto(`${frontUrl}/test/harness/gate.html`);
      await expect.poll(() => page.getByRole('textbox', { name: 'Chọn lối vào' }).inputValue()).toBe(entranceName);
      await page.getByText('Vào', { exact: true }).click();
      await page.getByRole('button', { name: 'Bật camera' }).click();
      await expect.poll(() => page.getByText(/Bộ quét:/).textContent()).toMatch(/jsQR|BarcodeDetector/);
      await expect.poll(() => page.getByText('Đã ghi nhận').count()).toBeGreaterThanOrEqual(1);
      // held in front of the camera while five more frames are read: still one scan
      const framesRead = () => page.locator('video').evaluate((v: HTMLVideoElement) => Number(v.dataset.framesRead ?? 0));
      const seen = await framesRead();
      await expect.poll(framesRead).toBeGreaterThanOrEqual(seen + 5);
      expect(await page.getByText('Đã ghi nhận').count()).toBe(1);
      const mine = await server.db.selectFrom('checkins').select('id').where('source', '=', 'gate').where('checkout_at', 'is', null).execute();
      expect(mine.length).toBe(2); // the worker from the first test still inside + this one
      await page.getByRole('button', { name: 'Tắt camera' }).click();
      await ctx.close();
    } finally {
      await camBrowser.close();
    }
  });
});

