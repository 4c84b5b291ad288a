// Test certificates (EU DCC `t` entries) from the testing module's results, on request: the citizen for their own
// (or their child's) individual test, testing staff for a person of their area. They verify through the route and
// `vigil cert verify` with the validity rules (hours after the sample per test type; a positive is no negative test),
// a corrected result revokes them at once (the correction's event, not the next verification), and pooled, waiting, invalid tubes or other people's tubes get none.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { testContext, type LoggedIn, type TestContext } from '../../../test/helpers';
import { cliTestTimeout, runVigil } from '../../../test/cli-run';
import { addDependant, personalQrToken } from '../people';
import { communesOf, person, trustList } from './test-fixtures';
import type { CertificateView } from './schema';

let t: TestContext;
let now = new Date('2026-11-28T02:00:00Z');
let commune: string;
let sampler: LoggedIn;
let lab: LoggedIn;
let citizen: LoggedIn;
let me: string;
let child: string;
let stranger: string;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-dcc-test-'));

const post = (url: string, payload: object, who?: LoggedIn) => t.app.inject({ method: 'POST', url, payload, headers: who?.headers });
const errorOf = (res: { json(): unknown }) => (res.json() as { error: { code: string; message: string; details?: { path: string }[] } }).error;
const hoursAfter = (iso: string, h: number) => new Date(Date.parse(iso) + h * 3_600_000);

let tube = 0;
/** one tube taken at the sampling point (people by their personal QR), with its lab result when given */
async function sample(testType: string, people: string[], collectedAt: Date, result?: 'negative' | 'positive' | 'invalid'): Promise<string> {
  const code = `DCC-${process.pid}-${++tube}`;
  const res = await post('/api/testing/samples', { clientId: crypto.randomUUID(), tubeCode: code, testType, collectedAt: collectedAt.toISOString(), pointCode: 'HB-DCC', people: people.map((id) => ({ token: personalQrToken(t.app.vigil.keys, id) })) }, sampler);
  expect(res.statusCode, res.body).toBe(201);
  if (result) {
    const r = await post('/api/testing/results', { tubeCode: code, result, resultedAt: new Date(collectedAt.getTime() + 3_600_000).toISOString(), labCode: 'LAB-NA' }, lab);
    expect(r.statusCode, r.body).toBe(200);
    await t.events.settled();
  }
  return res.json().sample.id as string;
}

beforeAll(async () => {
  t = await testContext({ clock: () => now, config: { dccRatDevice: '1232', dccNaatValidityHours: 72, dccRatValidityHours: 24 } });
  ({ commune } = await communesOf(t));
  me = await person(t, 'Hoàng Thị Thu Trang', commune, '1990-02-14');
  child = await person(t, 'Hoàng Minh Khôi', commune, '2012-06-30');
  stranger = await person(t, 'Lò Văn Sáng', commune, '1975-01-01');
  await addDependant(t.db, me, child, 'child', null, now);
  const cdc = await t.login('cdc_officer', '40');
  expect((await post('/api/testing/points', { code: 'HB-DCC', name: 'Trạm y tế phường Hưng Bình', communeCode: commune, team: 'Tổ 1' }, cdc)).statusCode).toBe(201);
  sampler = await t.login('commune_officer', commune);
  lab = await t.login('lab_staff', '40');
  citizen = await t.login('citizen', commune, { personId: me });
});
afterAll(async () => {
  await t?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('test certificates on request', () => {
  let cert: CertificateView;
  let sampleId: string;
  const collectedAt = new Date('2026-11-27T23:30:00Z');

  it("issues the citizen's negative RT-PCR as an EU DCC test entry, once per tube", async () => {
    sampleId = await sample('rt-pcr', [me], collectedAt, 'negative');
    const res = await post('/api/me/certificates/test', { sampleId }, citizen);
    expect(res.statusCode, res.body).toBe(201);
    cert = res.json();
    expect(cert.kind).toBe('t');
    expect(cert.holder).toEqual({ fullName: 'Hoàng Thị Thu Trang', birthDate: '1990-02-14' });
    expect(cert.entry).toEqual({
      tg: '840539006',
      tt: 'LP6464-4',
      nm: 'RT-PCR',
      sc: '2026-11-27T23:30:00Z',
      tr: '260415000',
      tc: 'Trạm y tế phường Hưng Bình',
      co: 'VN',
      is: 'Ministry of Health of Viet Nam',
      ci: cert.uvci,
    });
    const again = await post('/api/me/certificates/test', { sampleId }, citizen);
    expect(again.statusCode).toBe(200);
    expect(again.json().id).toBe(cert.id);
    expect((await t.app.inject({ method: 'GET', url: '/api/me/certificates', headers: citizen.headers })).json().items.map((c: CertificateView) => c.id)).toContain(cert.id);
  });

  it('verifies on the route for 72 hours after the sample, then says why not', async () => {
    const verify = async () => (await post('/api/certificates/verify', { hc1: cert.hc1 })).json();
    now = hoursAfter('2026-11-27T23:30:00Z', 71);
    const ok = await verify();
    expect(ok.error).toBeNull();
    expect([ok.valid, ok.checks.schema, ok.checks.key_usage, ok.rules.ok]).toEqual([true, true, true, true]);
    expect(ok.rules.validUntil).toBe('2026-11-30T23:30:00.000Z');
    now = hoursAfter('2026-11-27T23:30:00Z', 73);
    const late = await verify();
    expect([late.valid, late.checks.signature, late.checks.expiry, late.rules.ok]).toEqual([false, true, true, false]);
    expect(late.error).toMatch(/older than 72 hours/);
    now = new Date('2026-11-28T02:00:00Z');
  });

  it('`vigil cert verify` applies the same rule, with the hours from the configuration', async () => {
    const trust = path.join(dir, 'trust.json');
    fs.writeFileSync(trust, (await trustList(t)).json);
    const at = (h: number) => hoursAfter('2026-11-27T23:30:00Z', h).toISOString();
    const within = await runVigil(['cert', 'verify', '--trust', trust, '--at', at(71), '--json', cert.hc1], {});
    expect(within.code, within.out).toBe(0);
    expect(JSON.parse(within.stdout)).toMatchObject({ valid: true, rules: { ok: true }, payload: { t: [{ tr: '260415000' }] } });
    const late = await runVigil(['cert', 'verify', '--trust', trust, '--at', at(73), '--json', cert.hc1], {});
    expect(late.code, late.out).toBe(1);
    expect(JSON.parse(late.stdout).error).toMatch(/older than 72 hours/);
    const shorter = await runVigil(['cert', 'verify', '--trust', trust, '--at', at(30), cert.hc1], { VIGIL_DCC_NAAT_VALIDITY_HOURS: '24' });
    expect(shorter.code, shorter.out).toBe(1);
    expect(shorter.stdout).toMatch(/INVALID: the negative test is older than 24 hours/);
  }, cliTestTimeout(3));

  it('prints the test certificate in Vietnamese with the local sample time', async () => {
    const staff = await t.login('cdc_officer', '40');
    const pdf = await t.app.inject({ method: 'GET', url: `/api/certificates/${cert.id}/pdf`, headers: staff.headers });
    expect(pdf.statusCode).toBe(200);
    const file = path.join(dir, 't.pdf');
    fs.writeFileSync(file, pdf.rawPayload);
    const text = spawnSync('pdftotext', [file, '-'], { encoding: 'utf8' }).stdout;
    expect(text).toContain('CHỨNG NHẬN XÉT NGHIỆM COVID-19');
    expect(text).toContain('ÂM TÍNH (không phát hiện)');
    expect(text).toContain('28/11/2026 06:30 (GMT+7)');
    expect(text).toContain('Trạm y tế phường Hưng Bình');
  });

  it('a corrected result revokes the certificate at once; asked again, the new one says the new result', async () => {
    const code = (await t.db.selectFrom('samples').select('tube_code').where('id', '=', sampleId).executeTakeFirstOrThrow()).tube_code;
    const fix = await post('/api/testing/results', { tubeCode: code, result: 'positive', resultedAt: '2026-11-28T01:00:00Z', labCode: 'LAB-NA', reason: 'nhầm mẫu' }, lab);
    expect(fix.statusCode, fix.body).toBe(200);
    await t.events.settled();
    // revoked by the correction itself (test.result-corrected), before anyone presented it: the holder's list says so
    const mine = (await t.app.inject({ method: 'GET', url: '/api/me/certificates', headers: citizen.headers })).json().items as CertificateView[];
    expect(mine.find((c) => c.id === cert.id)).toMatchObject({ revoked: true, revokedAt: now.toISOString() });
    const row = await t.db.selectFrom('dcc_certificates').select('revoked_reason').where('id', '=', cert.id).executeTakeFirstOrThrow();
    expect(row.revoked_reason).toBe('the test result was corrected from negative to positive: nhầm mẫu');
    const old = (await post('/api/certificates/verify', { hc1: cert.hc1 })).json();
    expect([old.valid, old.revoked]).toEqual([false, true]);
    const fresh = await post('/api/me/certificates/test', { sampleId }, citizen);
    expect(fresh.statusCode, fresh.body).toBe(201);
    expect(fresh.json().entry.tr).toBe('260373001');
    const positive = (await post('/api/certificates/verify', { hc1: fresh.json().hc1 })).json();
    expect([positive.valid, positive.checks.signature, positive.rules.ok]).toEqual([false, true, false]);
    expect(positive.error).toMatch(/positive/);
    // the positive made a recovery certificate; the positive corrected away revokes it with the test certificate
    const recovery = () => t.db.selectFrom('dcc_certificates').select(['kind', 'revoked_at']).where('source_id', '=', sampleId).where('kind', '=', 'r').execute();
    expect((await recovery()).map((c) => c.revoked_at)).toEqual([null]);
    const back = await post('/api/testing/results', { tubeCode: code, result: 'negative', resultedAt: '2026-11-28T01:30:00Z', labCode: 'LAB-NA', reason: 'đọc lại' }, lab);
    expect(back.statusCode, back.body).toBe(200);
    await t.events.settled();
    expect((await recovery()).map((c) => c.revoked_at)).toEqual([now]);
    const live = await t.db.selectFrom('dcc_certificates').select('id').where('source_id', '=', sampleId).where('revoked_at', 'is', null).execute();
    expect(live).toEqual([]);
  });

  it("staff issue a child's rapid antigen test with the configured device, valid for the antigen hours", async () => {
    const sc = new Date('2026-11-28T01:00:00Z');
    const id = await sample('antigen', [child], sc, 'negative');
    const res = await post(`/api/people/${child}/certificates/test`, { sampleId: id }, lab);
    expect(res.statusCode, res.body).toBe(201);
    const c = res.json() as CertificateView;
    expect(c.entry).toMatchObject({ tt: 'LP217198-3', ma: '1232', tr: '260415000', sc: '2026-11-28T01:00:00Z' });
    expect(c.entry).not.toHaveProperty('nm');
    const audit = await t.db.selectFrom('audit_log').select(['action', 'subject_id']).where('action', '=', 'certificate.issue_test').execute();
    expect(audit).toEqual([{ action: 'certificate.issue_test', subject_id: c.id }]);
    now = hoursAfter(sc.toISOString(), 25);
    const late = (await post('/api/certificates/verify', { hc1: c.hc1 })).json();
    expect([late.valid, late.rules.ok]).toEqual([false, false]);
    expect(late.error).toMatch(/older than 24 hours/);
    now = new Date('2026-11-28T02:00:00Z');
    // the parent asks for it too: the same certificate
    const mine = await post('/api/me/certificates/test', { sampleId: id, personId: child }, citizen);
    expect([mine.statusCode, mine.json().id]).toEqual([200, c.id]);
  });
});

describe('tubes that get no certificate', () => {
  it('refuses a pooled tube, one waiting for its result and an invalid sample (409 naming sampleId)', async () => {
    const pooled = await sample('rt-pcr', [me, stranger], new Date('2026-11-28T00:10:00Z'), 'negative');
    const invalid = await sample('rt-pcr', [me], new Date('2026-11-28T00:20:00Z'), 'invalid');
    const waiting = await sample('rt-pcr', [me], new Date('2026-11-28T00:30:00Z'));
    for (const [id, why] of [[pooled, /pooled/], [waiting, /no result/], [invalid, /invalid/]] as const) {
      const res = await post('/api/me/certificates/test', { sampleId: id }, citizen);
      expect(res.statusCode, res.body).toBe(409);
      expect(errorOf(res).details![0]!.path).toBe('sampleId');
      expect(errorOf(res).message).toMatch(why);
    }
  });

  it("gives a citizen nothing from someone else's tube (404) and needs a session (401)", async () => {
    const theirs = await sample('rt-pcr', [stranger], new Date('2026-11-28T00:40:00Z'), 'negative');
    expect((await post('/api/me/certificates/test', { sampleId: theirs }, citizen)).statusCode).toBe(404);
    expect((await post('/api/me/certificates/test', { sampleId: theirs, personId: stranger }, citizen)).statusCode).toBe(404);
    expect((await post('/api/me/certificates/test', { sampleId: crypto.randomUUID() }, citizen)).statusCode).toBe(404);
    expect((await post('/api/me/certificates/test', { sampleId: theirs })).statusCode).toBe(401);
    expect((await post(`/api/people/${stranger}/certificates/test`, { sampleId: theirs })).statusCode).toBe(401);
  });

  it('refuses staff without testing rights (403) and testing staff of another province (403)', async () => {
    const theirs = await sample('rt-pcr', [stranger], new Date('2026-11-28T00:50:00Z'), 'negative');
    const vaccinator = await t.login('vaccination_staff', commune);
    expect((await post(`/api/people/${stranger}/certificates/test`, { sampleId: theirs }, vaccinator)).statusCode).toBe(403);
    const hanoiLab = await t.login('lab_staff', '01');
    expect((await post(`/api/people/${stranger}/certificates/test`, { sampleId: theirs }, hanoiLab)).statusCode).toBe(403);
    // a person who is not in that tube: not found, even for staff of the area
    expect((await post(`/api/people/${me}/certificates/test`, { sampleId: theirs }, lab)).statusCode).toBe(404);
    expect(await t.db.selectFrom('dcc_certificates').select('id').where('source_id', '=', theirs).execute()).toEqual([]);
  });

  it('refuses bad ids and extra fields with 400 naming the field', async () => {
    for (const [body, field] of [[{}, 'sampleId'], [{ sampleId: 'x' }, 'sampleId'], [{ sampleId: crypto.randomUUID(), more: 1 }, 'more']] as const) {
      const res = await post('/api/me/certificates/test', body, citizen);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(JSON.stringify(errorOf(res))).toContain(field);
    }
  });
});
