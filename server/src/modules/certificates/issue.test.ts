// Issuing: a dose event issues a signed EU DCC that our own verifier (and the CLI) accepts; forged, altered and
// expired ones fail; corrections and voids revoke; signer rotation keeps old certificates verifying.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { X509Certificate, createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { testContext, type TestContext, type LoggedIn } from '../../../test/helpers';
import { runVigil, cliTestTimeout } from '../../../test/cli-run';
import { verifyHc1 } from './verify';
import { communesOf, dose, person, publishDose, publishVoid, trustList } from './test-fixtures';
import { base45Decode, encodeHc1, inflate, stripPrefix } from './hc1';
import { parseCoseSign1, signCoseSign1 } from './cose';
import { createDsc } from './dsc';
import { createPrivateKey } from 'node:crypto';
import type { CertificateView } from './schema';

let t: TestContext;
let cdc: LoggedIn;
let commune: string;

beforeAll(async () => {
  t = await testContext();
  ({ commune } = await communesOf(t));
  cdc = await t.login('cdc_officer', '40');
});
afterAll(() => t?.close());

async function certificatesOf(personId: string): Promise<CertificateView[]> {
  const res = await t.app.inject({ method: 'GET', url: `/api/people/${personId}/certificates`, headers: cdc.headers });
  expect(res.statusCode, res.body).toBe(200);
  return res.json().items;
}

const verifyApi = async (hc1: string) => (await t.app.inject({ method: 'POST', url: '/api/certificates/verify', payload: { hc1 } })).json();

describe('vaccination certificates from dose events', () => {
  it('issues a certificate our verifier accepts, with the EU DCC payload of the dose', async () => {
    const p = await person(t, 'Nguyễn Thị Ánh Đào', commune, '1987-03-09');
    const d = dose(p, { doseNumber: 2, givenOn: '2021-10-05', communeCode: commune });
    await publishDose(t, d);
    const [c] = await certificatesOf(p);
    expect(c).toBeDefined();
    const { store } = await trustList(t);
    const r = verifyHc1(c!.hc1, { trust: store, at: t.config.clock() });
    expect(r.error).toBeNull();
    expect(r.valid).toBe(true);
    expect(r.payload).toEqual({
      ver: '1.3.0',
      nam: { fn: 'Nguyễn', fnt: 'NGUYEN', gn: 'Thị Ánh Đào', gnt: 'THI<ANH<DAO' },
      dob: '1987-03-09',
      v: [{ tg: '840539006', vp: 'J07BX03', mp: 'EU/1/21/1529', ma: 'ORG-100001699', dn: 2, sd: 2, dt: '2021-10-05', co: 'VN', is: 'Ministry of Health of Viet Nam', ci: c!.uvci }],
    });
    expect(c!.uvci).toMatch(/^URN:UVCI:01:VN:VGL[A-Z2-7]{16}$/);
    expect(r.claims?.iss).toBe('VN');
    // kid = first 8 bytes of SHA-256 of the signer's DER certificate, which carries the DCC key usages
    const list = JSON.parse((await t.app.inject({ method: 'GET', url: '/api/certificates/trust-list' })).body).certificates;
    const der = Buffer.from(list[0].rawData, 'base64');
    expect(r.kid).toBe(createHash('sha256').update(der).digest().subarray(0, 8).toString('base64'));
    const x = new X509Certificate(der);
    expect(x.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(x.keyUsage).toEqual(expect.arrayContaining(['1.3.6.1.4.1.1847.2021.1.1', '1.3.6.1.4.1.1847.2021.1.2', '1.3.6.1.4.1.1847.2021.1.3']));
    // the public route says the same, and a year later it has expired
    expect((await verifyApi(c!.hc1)).valid).toBe(true);
    const later = verifyHc1(c!.hc1, { trust: store, at: new Date(t.config.clock().getTime() + 366 * 86_400_000) });
    expect([later.valid, later.checks.signature, later.checks.expiry]).toEqual([false, true, false]);
  });

  it('encodes a booster after a complete 2-dose series 3/3 (EU rules since 2022), not 3/2; the series itself 1/2 and 2/2', async () => {
    const p = await person(t, 'Lê Thị Tăng Cường', commune, '1970-02-03');
    await publishDose(t, dose(p, { doseNumber: 1, givenOn: '2021-08-01', communeCode: commune }));
    await publishDose(t, dose(p, { doseNumber: 2, givenOn: '2021-10-01', communeCode: commune }));
    await publishDose(t, dose(p, { doseNumber: 3, givenOn: '2022-01-10', communeCode: commune, product: { code: 'EU/1/20/1528', name: 'Comirnaty', manufacturerCode: 'ORG-100030215', manufacturerName: 'Biontech Manufacturing GmbH', prophylaxisCode: '1119349007' } }));
    const { store } = await trustList(t);
    const certs = await certificatesOf(p);
    const counts = certs
      .map((c) => verifyHc1(c.hc1, { trust: store, at: t.config.clock() }))
      .map((r) => {
        expect([r.valid, r.checks.schema]).toEqual([true, true]);
        const v = (r.payload as { v: { dn: number; sd: number; mp: string }[] }).v[0]!;
        return `${v.dn}/${v.sd} ${v.mp}`;
      })
      .sort();
    expect(counts).toEqual(['1/2 EU/1/21/1529', '2/2 EU/1/21/1529', '3/3 EU/1/20/1528']);
  });

  it('refuses an altered certificate and one forged with our kid', async () => {
    const p = await person(t, 'Trần Văn Bình', commune);
    await publishDose(t, dose(p));
    const [c] = await certificatesOf(p);
    const { store } = await trustList(t);
    const cose = parseCoseSign1(inflate(base45Decode(stripPrefix(c!.hc1))));

    // altered: the same signature over a payload with another birth year
    const payload = Buffer.from(cose.payload);
    const at = payload.indexOf(Buffer.from('1987-03-09'));
    expect(at).toBeGreaterThan(0);
    payload.write('1977', at);
    const altered = encodeHc1(Buffer.concat([Buffer.from([0xd2, 0x84, 0x40 + cose.protectedBytes.length]), cose.protectedBytes, Buffer.from([0xa0]), reencodeTail(payload, cose.signature)]));
    const a = verifyHc1(altered, { trust: store, at: t.config.clock() });
    expect([a.valid, a.checks.cose, a.checks.signature]).toEqual([false, true, false]);
    expect(a.error).toMatch(/forged or altered/);

    // forged: signed by a key of the forger's own, claiming our kid
    const forger = await createDsc({ commonName: 'Forger', country: 'VN', now: t.config.clock() });
    const forged = encodeHc1(signCoseSign1(cose.payload, cose.kid!, createPrivateKey(forger.privateKeyPem)));
    const f = await verifyApi(forged);
    expect([f.valid, f.checks.signature]).toEqual([false, false]);

    // one character of the QR text changed
    const flipped = c!.hc1.slice(0, 60) + (c!.hc1[60] === 'A' ? 'B' : 'A') + c!.hc1.slice(61);
    expect((await verifyApi(flipped)).valid).toBe(false);
  });

  it('revokes on a corrected dose record (and issues the corrected one) and on a voided dose', async () => {
    const p = await person(t, 'Lê Quang Đức', commune);
    const d = dose(p);
    await publishDose(t, d);
    const [first] = await certificatesOf(p);
    await publishDose(t, { ...d, lot: 'ABV9999', givenOn: '2021-09-15', correction: true });
    const after = await certificatesOf(p);
    expect(after).toHaveLength(2);
    const live = after.find((c) => !c.revoked)!;
    expect((live.entry as { dt?: string }).dt).toBe('2021-09-15');
    expect(after.find((c) => c.id === first!.id)!.revoked).toBe(true);
    const old = await verifyApi(first!.hc1);
    expect([old.valid, old.revoked, old.checks.signature]).toEqual([false, true, true]);
    expect(old.error).toMatch(/revoked/);

    await publishVoid(t, { doseId: d.doseId, personId: p, reason: 'entered in error' });
    expect((await certificatesOf(p)).every((c) => c.revoked)).toBe(true);
    expect((await verifyApi(live.hc1)).revoked).toBe(true);
  });

  it('rotates the signer: new certificates carry the new kid, old ones keep verifying', async () => {
    const p = await person(t, 'Phạm Minh Châu', commune);
    await publishDose(t, dose(p));
    const [before] = await certificatesOf(p);
    const admin = await t.login('national_admin');
    const rot = await t.app.inject({ method: 'POST', url: '/api/certificates/signers/rotate', headers: admin.headers });
    expect(rot.statusCode, rot.body).toBe(200);
    expect(rot.json().signers.filter((s: { active: boolean }) => s.active)).toHaveLength(1);
    expect(rot.json().signers.length).toBeGreaterThanOrEqual(2);
    expect(JSON.stringify(rot.json())).not.toMatch(/PRIVATE/);
    await publishDose(t, dose(p, { doseNumber: 2 }));
    const now = await certificatesOf(p);
    const newer = now.find((c) => c.id !== before!.id)!;
    const [old, fresh] = [await verifyApi(before!.hc1), await verifyApi(newer.hc1)];
    expect(old.kid).not.toBe(fresh.kid);
    expect([old.valid, fresh.valid]).toEqual([true, true]);
  });

  it('verifies our certificate with `vigil cert verify` and the downloaded trust list', async () => {
    const p = await person(t, 'Hoàng Thị Hương', commune);
    await publishDose(t, dose(p));
    const [c] = await certificatesOf(p);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-own-'));
    const file = path.join(dir, 'trustlist.json');
    fs.writeFileSync(file, (await trustList(t)).json);
    const r = await runVigil(['cert', 'verify', '--trust', file, '--json', c!.hc1], {});
    expect(r.code, r.out).toBe(0);
    expect(JSON.parse(r.stdout).payload.nam.gnt).toBe('THI<HUONG');
  }, cliTestTimeout(1));
});

/** payload and signature as CBOR byte strings (the tail of a COSE_Sign1 array). */
function reencodeTail(payload: Buffer, signature: Uint8Array): Buffer {
  const bstr = (b: Uint8Array) => Buffer.concat([b.length < 24 ? Buffer.from([0x40 + b.length]) : b.length < 256 ? Buffer.from([0x58, b.length]) : Buffer.from([0x59, b.length >> 8, b.length & 255]), b]);
  return Buffer.concat([bstr(payload), bstr(signature)]);
}
