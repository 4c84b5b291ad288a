// Hotline voice messages in the staff app: a supervisor opens the list, plays a message in the browser's <audio>
// (the WAV loads only on play: each play is audited) and marks it handled with a note; it leaves the open list.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from '../../server/test/helpers';
import { linearToUlaw } from '../../server/src/modules/calls/media/g711';
import { ulawToPcmWav } from '../../server/src/modules/calls/media/wav';
import { vinhCommune } from '../../server/src/modules/calls/test-fixtures';
import { ensureBuilt, launchBrowser, openPage, PASSWORD, type TestServer } from './browser';

let server: TestServer;
let browser: Browser;
let messageId: string;
const shots = process.env.VIGIL_SCREENSHOTS ?? path.join(os.tmpdir(), 'vigil-shots');

beforeAll(async () => {
  await ensureBuilt('index.html');
  server = await startTestServer();
  await server.createUser({ username: 'voice.sup', password: PASSWORD, role: 'call_supervisor', jurisdictionCode: '40' });
  const commune = await vinhCommune(server.db);
  // 3 s of a 440 Hz tone, as the hotline stores a message
  const ulaw = Buffer.alloc(24_000);
  for (let i = 0; i < ulaw.length; i++) ulaw[i] = linearToUlaw(Math.round(6000 * Math.sin((2 * Math.PI * 440 * i) / 8000)));
  const row = await server.db
    .insertInto('call_voice_messages')
    .values({ unit_code: commune, person_id: null, phone: '+84912990001', full_name: 'Nguyễn Nhắn', received_at: new Date(), duration_ms: 3000, ended_by: 'key', audio: ulawToPcmWav(ulaw) })
    .returning('id')
    .executeTakeFirstOrThrow();
  messageId = row.id;
  browser = await launchBrowser(['--autoplay-policy=no-user-gesture-required']);
  fs.mkdirSync(shots, { recursive: true });
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('hotline voice messages page', () => {
  it('plays a message in the browser and marks it handled', async () => {
    const { ctx, page, errors } = await openPage(browser, { viewport: { width: 1280, height: 900 }, locale: 'vi-VN' });
    await page.goto(`${server.url}/calls/voice`);
    await page.getByLabel('Tên đăng nhập').fill('voice.sup');
    await page.getByLabel('Mật khẩu').fill(PASSWORD);
    await page.getByRole('button', { name: 'Đăng nhập' }).click();
    const row = page.getByTestId(`voice-${messageId}`);
    await expect.poll(() => row.textContent(), { timeout: 20_000 }).toContain('Nguyễn Nhắn');
    expect(await row.textContent()).toContain('+84912990001');
    // play: the browser fetches the WAV, decodes it and knows its length
    const [res] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith(`/api/calls/voice-messages/${messageId}/audio`)),
      row.locator('audio').evaluate((a: HTMLAudioElement) => a.play()),
    ]);
    expect(res.status()).toBe(200);
    expect(res.headers()['content-type']).toBe('audio/wav');
    await expect.poll(() => row.locator('audio').evaluate((a: HTMLAudioElement) => a.duration)).toBeCloseTo(3, 1);
    await page.screenshot({ path: path.join(shots, 'calls-voice-messages.png'), fullPage: true });
    await row.getByLabel('Ghi chú').fill('Đã gọi lại, khỏe');
    await row.getByRole('button', { name: 'Đã xử lý' }).click();
    await expect.poll(() => page.getByTestId('voice-messages').textContent()).toContain('Không có lời nhắn nào');
    await page.getByText('Đã xử lý', { exact: true }).first().click(); // the "handled" tab
    await expect.poll(() => page.getByTestId(`voice-${messageId}`).textContent()).toContain('Đã gọi lại, khỏe');
    const audits = await server.db.selectFrom('audit_log').select('action').where('action', 'like', 'calls.voice%').execute();
    expect(audits.map((a) => a.action)).toContain('calls.voice_message_played');
    expect(audits.map((a) => a.action)).toContain('calls.voice_message_handled');
    expect(errors).toEqual([]);
    await ctx.close();
  }, 120_000);
});
