// A citizen's certificate as a QR picture and a printable PDF: the QR read back with zbarimg is the HC1 text that
// verifies; the PDF is rasterised (pdftoppm) and its QR read back too.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { testContext, type TestContext, type LoggedIn } from '../../../test/helpers';
import { addDependant } from '../people';
import { communesOf, dose, person, publishDose } from './test-fixtures';
import type { CertificateView } from './schema';

let t: TestContext;
let citizen: LoggedIn;
let mine: CertificateView;
let childs: CertificateView;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-cert-docs-'));

function zbar(file: string): string[] {
  const r = spawnSync('zbarimg', ['--quiet', '--raw', '-Sdisable', '-Sqrcode.enable', file], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.trim().split('\n');
}

beforeAll(async () => {
  t = await testContext();
  const { commune } = await communesOf(t);
  const me = await person(t, 'Võ Thị Sáu', commune, '1990-01-02');
  const child = await person(t, 'Võ Minh Khôi', commune, '2012-06-30');
  await addDependant(t.db, me, child, 'child', null, t.config.clock());
  citizen = await t.login('citizen', commune, { personId: me });
  await publishDose(t, dose(me, { doseNumber: 2 }));
  await publishDose(t, dose(child));
  const list = (await t.app.inject({ method: 'GET', url: '/api/me/certificates', headers: citizen.headers })).json().items as CertificateView[];
  mine = list.find((c) => c.personId === me)!;
  childs = list.find((c) => c.personId === child)!;
});
afterAll(() => t?.close());

describe('certificate QR and PDF', () => {
  it('lists the citizen\'s own certificate and their dependant\'s, with the holder as printed', async () => {
    expect(mine.holder).toEqual({ fullName: 'Võ Thị Sáu', birthDate: '1990-01-02' });
    expect(childs.holder.fullName).toBe('Võ Minh Khôi');
    const onlyChild = await t.app.inject({ method: 'GET', url: `/api/me/certificates?personId=${childs.personId}`, headers: citizen.headers });
    expect(onlyChild.json().items.map((c: CertificateView) => c.id)).toEqual([childs.id]);
  });

  it('serves a QR picture that reads back as the certificate', async () => {
    const res = await t.app.inject({ method: 'GET', url: `/api/me/certificates/${mine.id}/qr.png`, headers: citizen.headers });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('image/png');
    const file = path.join(dir, 'qr.png');
    fs.writeFileSync(file, res.rawPayload);
    const [text] = zbar(file);
    expect(text).toBe(mine.hc1);
    const v = (await t.app.inject({ method: 'POST', url: '/api/certificates/verify', payload: { hc1: text } })).json();
    expect(v.valid).toBe(true);
  });

  it('prints an A4 PDF with the name in Vietnamese and a QR that reads back', async () => {
    const res = await t.app.inject({ method: 'GET', url: `/api/me/certificates/${childs.id}/pdf`, headers: citizen.headers });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    const pdf = path.join(dir, 'cert.pdf');
    fs.writeFileSync(pdf, res.rawPayload);
    const text = spawnSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' }).stdout;
    expect(text).toContain('CHỨNG NHẬN TIÊM CHỦNG COVID-19');
    expect(text).toContain('Võ Minh Khôi');
    expect(text).toContain('30/06/2012');
    expect(text).toContain('Việt Nam');
    expect(text).toContain('Bộ Y tế Việt Nam'); // the issuer in Vietnamese on the Vietnamese paper
    expect(text).not.toContain('Ministry of Health');
    expect(text).toContain(childs.uvci);
    expect(spawnSync('pdftoppm', ['-png', '-r', '110', '-singlefile', pdf, path.join(dir, 'page')]).status).toBe(0);
    expect(zbar(path.join(dir, 'page.png'))).toEqual([childs.hc1]);
  });
});
