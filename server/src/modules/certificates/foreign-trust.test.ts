// VIGIL_DCC_TRUST_FILE: other issuers' signers trusted by the verify route besides our own (here an EU test vector's
// signer, at the vector's validation clock); a signer not in it stays unknown; a bad file stops the start.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { testContext, type TestContext } from '../../../test/helpers';
import { sharedTestdata } from './testdata';

const vector = (name: string) => JSON.parse(fs.readFileSync(path.join(sharedTestdata('dcc/common'), `${name}.json`), 'utf8'));
const co3 = vector('CO3');
const co1 = vector('CO1');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-foreign-'));
let t: TestContext;

beforeAll(async () => {
  const file = path.join(dir, 'trustlist.json');
  fs.writeFileSync(file, JSON.stringify({ certificates: [{ rawData: co3.TESTCTX.CERTIFICATE }] }));
  t = await testContext({ clock: () => new Date(co3.TESTCTX.VALIDATIONCLOCK), config: { dccTrustFile: file } });
});
afterAll(() => t?.close());

const verify = async (hc1: string) => (await t.app.inject({ method: 'POST', url: '/api/certificates/verify', payload: { hc1 } })).json();

describe('trusting other issuers (VIGIL_DCC_TRUST_FILE)', () => {
  it("verifies a certificate of a trusted foreign signer (never 'revoked': we know only our own)", async () => {
    const r = await verify(co3.PREFIX);
    expect(r.error).toBeNull();
    expect([r.valid, r.revoked, r.payload.nam.fnt]).toEqual([true, false, co3.JSON.nam.fnt]);
  });

  it('keeps a signer that is not in the file unknown', async () => {
    const r = await verify(co1.PREFIX);
    expect([r.valid, r.checks.signature]).toEqual([false, false]);
    expect(r.error).toMatch(/unknown signer/);
  });

  it('refuses to start with an unreadable trust file', async () => {
    const bad = path.join(dir, 'bad.json');
    fs.writeFileSync(bad, '{"certificates": 5}');
    await expect(testContext({ config: { dccTrustFile: bad } })).rejects.toThrow(/VIGIL_DCC_TRUST_FILE/);
  });
});
