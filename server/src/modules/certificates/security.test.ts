// Every certificates route tried as an attacker: no session, a citizen, a venue operator, an officer of another
// province or commune, other people's ids, bad ids, NUL bytes, huge bodies, floods. One test per refusal.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testContext, type LoggedIn, type TestContext } from '../../../test/helpers';
import { communesOf, dose, person, publishDose } from './test-fixtures';
import type { CertificateView } from './schema';

let t: TestContext;
let cdc: LoggedIn;
let hanoi: LoggedIn;
let otherCommuneOfficer: LoggedIn;
let operator: LoggedIn;
let alice: LoggedIn; // citizen with a certificate
let bob: LoggedIn; // citizen with a certificate of his own
let nobody: LoggedIn; // citizen without a person record
let aliceCert: CertificateView;
let bobCert: CertificateView;
let alicePerson: string;

const get = (url: string, who?: LoggedIn) => t.app.inject({ method: 'GET', url, headers: who?.headers });
const post = (url: string, payload: unknown, who?: LoggedIn) => t.app.inject({ method: 'POST', url, payload: payload as object, headers: who?.headers });
const errorOf = (res: { json(): unknown }) => (res.json() as { error: { code: string; message: string; details?: { path: string }[] } }).error;

beforeAll(async () => {
  t = await testContext();
  const { commune, otherCommune } = await communesOf(t);
  alicePerson = await person(t, 'Nguyễn Thị Alice', commune);
  const bobPerson = await person(t, 'Trần Văn Bob', commune);
  await publishDose(t, dose(alicePerson));
  await publishDose(t, dose(bobPerson));
  cdc = await t.login('cdc_officer', '40');
  hanoi = await t.login('cdc_officer', '01');
  otherCommuneOfficer = await t.login('commune_officer', otherCommune);
  operator = await t.login('venue_operator', commune);
  alice = await t.login('citizen', commune, { personId: alicePerson });
  bob = await t.login('citizen', commune, { personId: bobPerson });
  nobody = await t.login('citizen', commune);
  aliceCert = (await get('/api/me/certificates', alice)).json().items[0];
  bobCert = (await get('/api/me/certificates', bob)).json().items[0];
});
afterAll(() => t?.close());

describe('POST /api/certificates/verify (public)', () => {
  it('answers without a session (verifiers at a door have no account)', async () => {
    const res = await post('/api/certificates/verify', { hc1: aliceCert.hc1 });
    expect(res.statusCode).toBe(200);
    expect(res.json().valid).toBe(true);
  });

  it('says a QR of another format is not a certificate (200, invalid, prefix check failed)', async () => {
    const res = await post('/api/certificates/verify', { hc1: 'https://vigil.test/c/AbCdEf' });
    expect(res.statusCode).toBe(200);
    expect([res.json().valid, res.json().checks.prefix, res.json().checks.signature]).toEqual([false, false, null]);
  });

  it('refuses a missing, empty, object or extra field with 400 naming it', async () => {
    for (const [body, field] of [[{}, 'hc1'], [{ hc1: '' }, 'hc1'], [{ hc1: { text: 'HC1:X' } }, 'hc1'], [{ hc1: 'HC1:X', more: 1 }, 'more']] as const) {
      const res = await post('/api/certificates/verify', body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(JSON.stringify(errorOf(res))).toContain(field);
    }
  });

  it('refuses NUL bytes with 400', async () => {
    const res = await post('/api/certificates/verify', { hc1: `HC1:\u0000ABC` });
    expect(res.statusCode).toBe(400);
    expect(errorOf(res).code).toBe('VALIDATION');
  });

  it('refuses text longer than any QR holds (400) and a huge body (413) before parsing it', async () => {
    const long = await post('/api/certificates/verify', { hc1: `HC1:${'A'.repeat(9000)}` });
    expect(long.statusCode).toBe(400);
    expect(errorOf(long).message).toMatch(/hc1/);
    const huge = await t.app.inject({ method: 'POST', url: '/api/certificates/verify', payload: JSON.stringify({ hc1: 'HC1:' + 'A'.repeat(200_000) }), headers: { 'content-type': 'application/json' } });
    expect(huge.statusCode).toBe(413);
  });

  it('bounds a zip bomb: a tiny QR that inflates past 64 KiB is refused as not decompressible', async () => {
    const { deflateSync } = await import('node:zlib');
    const b45 = await import('base45-js');
    const bomb = `HC1:${b45.encode(deflateSync(Buffer.alloc(4_000_000), { level: 9 }))}`;
    expect(bomb.length).toBeLessThan(8192);
    const res = await post('/api/certificates/verify', { hc1: bomb });
    expect(res.statusCode).toBe(200);
    expect(res.json().checks.decompress).toBe(false);
  });

  it('rate-limits a flood from one address (429 with Retry-After)', async () => {
    let limited = null;
    for (let i = 0; i < 70 && !limited; i++) {
      const res = await t.app.inject({ method: 'POST', url: '/api/certificates/verify', payload: { hc1: 'HC1:00' }, remoteAddress: '127.0.0.77' });
      if (res.statusCode === 429) limited = res;
    }
    expect(limited?.statusCode).toBe(429);
    expect(limited?.headers['retry-after']).toBeDefined();
  });
});

describe('GET /api/certificates/trust-list (public)', () => {
  it('publishes certificates only, never private keys', async () => {
    const res = await get('/api/certificates/trust-list');
    expect(res.statusCode).toBe(200);
    expect(res.body).not.toMatch(/PRIVATE|privateKey/i);
    expect(res.json().certificates.length).toBeGreaterThanOrEqual(1);
  });
});

describe("a citizen's certificates (/api/me/certificates)", () => {
  it('needs a session (401)', async () => {
    for (const url of ['/api/me/certificates', `/api/me/certificates/${aliceCert.id}/qr.png`, `/api/me/certificates/${aliceCert.id}/pdf`]) {
      expect((await get(url)).statusCode, url).toBe(401);
    }
  });

  it("lists only the caller's own household: another person's id is not found (404)", async () => {
    const mine = (await get('/api/me/certificates', alice)).json().items as CertificateView[];
    expect(mine.map((c) => c.personId)).toEqual([alicePerson]);
    expect((await get(`/api/me/certificates?personId=${bobCert.personId}`, alice)).statusCode).toBe(404);
  });

  it("serves no QR or PDF of another person's certificate (404, not 403: ids are no probe)", async () => {
    expect((await get(`/api/me/certificates/${bobCert.id}/qr.png`, alice)).statusCode).toBe(404);
    expect((await get(`/api/me/certificates/${bobCert.id}/pdf`, alice)).statusCode).toBe(404);
  });

  it('refuses a malformed id (400) and an unknown one (404)', async () => {
    expect((await get('/api/me/certificates/not-a-uuid/pdf', alice)).statusCode).toBe(400);
    expect((await get('/api/me/certificates/00000000-0000-4000-8000-000000000000/pdf', alice)).statusCode).toBe(404);
  });

  it('gives a citizen without a person record, or a venue operator, an empty list', async () => {
    expect((await get('/api/me/certificates', nobody)).json().items).toEqual([]);
    expect((await get('/api/me/certificates', operator)).json().items).toEqual([]);
    expect((await get(`/api/me/certificates/${aliceCert.id}/pdf`, operator)).statusCode).toBe(404);
  });
});

describe("staff: a person's certificates and printing", () => {
  it('lets an officer of the province read and print them, with an audit row each', async () => {
    const list = await get(`/api/people/${alicePerson}/certificates`, cdc);
    expect(list.statusCode).toBe(200);
    expect(list.json().items).toHaveLength(1);
    const pdf = await get(`/api/certificates/${aliceCert.id}/pdf`, cdc);
    expect(pdf.statusCode).toBe(200);
    const audit = await t.db.selectFrom('audit_log').select(['action', 'subject_id']).where('action', 'in', ['certificate.list', 'certificate.print']).orderBy('id').execute();
    expect(audit).toEqual([
      { action: 'certificate.list', subject_id: alicePerson },
      { action: 'certificate.print', subject_id: aliceCert.id },
    ]);
  });

  it('refuses an officer of another province (403)', async () => {
    expect((await get(`/api/people/${alicePerson}/certificates`, hanoi)).statusCode).toBe(403);
    expect((await get(`/api/certificates/${aliceCert.id}/pdf`, hanoi)).statusCode).toBe(403);
  });

  it('refuses a commune officer of another commune (403)', async () => {
    expect((await get(`/api/people/${alicePerson}/certificates`, otherCommuneOfficer)).statusCode).toBe(403);
  });

  it('refuses citizens and venue operators (403) and no session (401)', async () => {
    for (const who of [alice, operator]) {
      expect((await get(`/api/people/${alicePerson}/certificates`, who)).statusCode).toBe(403);
      expect((await get(`/api/certificates/${aliceCert.id}/pdf`, who)).statusCode).toBe(403);
    }
    expect((await get(`/api/people/${alicePerson}/certificates`)).statusCode).toBe(401);
  });

  it('answers 404 for an unknown person or certificate', async () => {
    expect((await get('/api/people/00000000-0000-4000-8000-000000000000/certificates', cdc)).statusCode).toBe(404);
    expect((await get('/api/certificates/00000000-0000-4000-8000-000000000000/pdf', cdc)).statusCode).toBe(404);
  });
});

describe('signers (national admin only)', () => {
  it('refuses a provincial officer and a citizen (403) and no session (401)', async () => {
    for (const who of [cdc, alice]) {
      expect((await get('/api/certificates/signers', who)).statusCode).toBe(403);
      expect((await post('/api/certificates/signers/rotate', undefined, who)).statusCode).toBe(403);
    }
    expect((await post('/api/certificates/signers/rotate', undefined)).statusCode).toBe(401);
  });

  it('lists the signers to a national admin without key material', async () => {
    const admin = await t.login('national_admin');
    const res = await get('/api/certificates/signers', admin);
    expect(res.statusCode).toBe(200);
    expect(res.body).not.toMatch(/PRIVATE|privateKey|certificate"/);
  });
});
