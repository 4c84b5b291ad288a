// Short entrance codes: the poster's typed address resolves to the same signed entrance as its QR code. The poster
// is read as a phone and a person would: the PDF rendered to an image and decoded with a QR reader (zbarimg), and
// the printed address read from the PDF's text and typed in.
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testContext, type TestContext } from '../../../test/helpers';
import { communes, createVenue, form, uuid } from './test-fixtures';

const run = promisify(execFile);
let t: TestContext;
let c: Awaited<ReturnType<typeof communes>>;
let cdc: { headers: Record<string, string> };
let tmp: string;

beforeAll(async () => {
  t = await testContext();
  c = await communes(t.db);
  cdc = await t.login('cdc_officer', '40');
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'vigil-poster-'));
});
afterAll(async () => {
  await t?.close();
  if (tmp) await fs.rm(tmp, { recursive: true, force: true });
});

/** The poster as a phone sees it (QR decoded from the rendered page) and as a person reads it (its text). */
async function readPoster(pdf: Buffer, name: string) {
  const file = path.join(tmp, `${name}.pdf`);
  await fs.writeFile(file, pdf);
  await run('pdftoppm', ['-r', '150', '-png', '-singlefile', file, path.join(tmp, name)], { timeout: 60_000 });
  const qr = (await run('zbarimg', ['-q', '--raw', path.join(tmp, `${name}.png`)], { timeout: 60_000 })).stdout.trim();
  const text = (await run('pdftotext', ['-layout', file, '-'], { timeout: 60_000 })).stdout;
  return { qr, text };
}

describe('QR address warnings', () => {
  it('warns on the venue page and prints TEST ONLY on posters when QR codes carry a loopback address', async () => {
    const v = await createVenue(t.app, cdc.headers, { communeCode: c.a });
    const detail = await t.app.inject({ method: 'GET', url: `/api/venues/${v.venue.id}`, headers: cdc.headers });
    expect(detail.json().qrAddress).toEqual({ base: 'http://vigil.test', loopback: false });
    const fine = await readPoster((await t.app.inject({ method: 'GET', url: `/api/venues/${v.venue.id}/posters.pdf`, headers: cdc.headers })).rawPayload, 'fine');
    expect(fine.text).not.toMatch(/BẢN THỬ/);

    const saved = t.config.publicUrl;
    t.config.publicUrl = 'http://localhost:8080'; // what a default install used to print
    try {
      const local = await t.app.inject({ method: 'GET', url: `/api/venues/${v.venue.id}`, headers: cdc.headers });
      expect(local.json().qrAddress).toEqual({ base: 'http://localhost:8080', loopback: true });
      const poster = await readPoster((await t.app.inject({ method: 'GET', url: `/api/venues/${v.venue.id}/posters.pdf`, headers: cdc.headers })).rawPayload, 'local');
      expect(poster.qr).toMatch(/^http:\/\/localhost:8080\/c\//);
      expect(poster.text.replace(/\s+/g, ' ')).toMatch(/BẢN THỬ — mã QR trỏ về máy chủ nội bộ \(localhost\)/);
    } finally {
      t.config.publicUrl = saved;
    }
  });
});

describe('short entrance codes', () => {
  it('prints a typeable address on the poster that opens the same signed entrance as its QR code', async () => {
    const v = await createVenue(t.app, cdc.headers, { communeCode: c.a, entrances: [{ name: 'Cổng chính' }, { name: 'Cổng sau' }] });
    // every entrance has a code: province, the venue's 6 characters, the entrance number in the order added
    const codes = v.entrances.map((e) => e.shortCode);
    expect(codes[0]).toMatch(/^40-[A-HJ-NP-Z2-9]{6}-1$/);
    expect(codes[1]).toBe(codes[0]!.replace(/-1$/, '-2'));
    // a generated venue code ("40-ZPBMEV") is the start of its entrances' codes: poster and typed address agree
    expect(codes[0]).toBe(`${v.venue.code}-1`);
    // a venue with its own code (e.g. imported) gets a random venue part
    const own = await createVenue(t.app, cdc.headers, { communeCode: c.a, code: 'NA-VINH-0042' });
    expect(own.entrances[0]!.shortCode).toMatch(/^40-[A-HJ-NP-Z2-9]{6}-1$/);

    const pdf = await t.app.inject({ method: 'GET', url: `/api/venues/${v.venue.id}/entrances/${v.entrances[1]!.id}/poster.pdf`, headers: cdc.headers });
    expect(pdf.statusCode).toBe(200);
    const poster = await readPoster(pdf.rawPayload, 'back');
    expect(poster.qr).toBe(v.entrances[1]!.checkinUrl);
    const printed = poster.text.match(/vigil\.test\/c\/[0-9A-Z]+-[0-9A-Z]{6}-\d+/)?.[0];
    expect(printed).toBe(`vigil.test/c/${codes[1]}`);
    expect(printed!.length).toBeLessThan(30);

    // typed (any case) → the same signed entrance URL as the QR
    for (const typed of [codes[1]!, codes[1]!.toLowerCase()]) {
      const res = await t.app.inject({ method: 'GET', url: `/c/${typed}` });
      expect(res.statusCode, typed).toBe(302);
      expect(`http://vigil.test${res.headers.location}`).toBe(poster.qr);
    }
    // and the citizen checks in with what the redirect gave
    const token = poster.qr.split('/c/')[1]!;
    const ck = await t.app.inject({ method: 'POST', url: '/api/checkins', payload: { clientId: uuid(), venueToken: token, people: [{ ...form(), communeCode: c.a }] } });
    expect(ck.statusCode, ck.body).toBe(201);
    expect(ck.json().results[0].venue).toMatchObject({ id: v.venue.id, entrance: 'Cổng sau' });
  });

  it('answers a mistyped code with a page that says so (no guessing), and keeps full tokens on the page route', async () => {
    const v = await createVenue(t.app, cdc.headers, { communeCode: c.a });
    const code = v.entrances[0]!.shortCode;
    const [, venuePart] = code.split('-');
    for (const wrong of [`41-${venuePart}-1`, `40-${venuePart}-9`, '40-AAAAAA-1', `40-${venuePart!.slice(0, 5)}0-1`]) {
      const res = await t.app.inject({ method: 'GET', url: `/c/${wrong}` });
      expect(res.statusCode, wrong).toBe(404);
      expect(res.headers['content-type']).toMatch(/text\/html/);
      expect(res.body).toContain('Không tìm thấy mã');
      expect(res.body).not.toContain('<script');
    }
    // hostile input is escaped, not echoed as markup
    const xss = await t.app.inject({ method: 'GET', url: `/c/${encodeURIComponent('<b>-ABCDEF-1')}` });
    expect(xss.body).not.toContain('<b>');
  });
});
