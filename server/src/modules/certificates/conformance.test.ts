// The EU DCC common test vectors (eHealth Network "dgc-testdata", common/*.json): every EXPECTED* flag present in a
// vector must match what our verifier reports, with the vector's validation clock and its certificate as the only
// trust anchor. Mapping of the vectors' flags to our checks:
//   EXPECTEDUNPREFIX → prefix · EXPECTEDB45DECODE → base45 · EXPECTEDCOMPRESSION → decompress
//   EXPECTEDDECODE → cose ∧ cbor (the COSE structure and the CWT/hcert payload decode)
//   EXPECTEDVERIFY → cose ∧ signature (the COSE structure reads and its signature verifies with the kid's certificate)
//   EXPECTEDVALIDJSON → the decoded payload equals the vector's JSON · EXPECTEDSCHEMAVALIDATION → schema
//   EXPECTEDEXPIRATIONCHECK → expiry · EXPECTEDKEYUSAGE → key_usage
//   EXPECTEDPICTUREDECODE → zbarimg reads the vector's QR picture (2DCODE; else its PREFIX drawn by npm qrcode) as
//   its PREFIX text
import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { isDeepStrictEqual } from 'node:util';
import QRCode from 'qrcode';
import { verifyHc1, type VerifyResult } from './verify';
import { parseTrust } from './trust';
import { sharedTestdata } from './testdata';

const dir = sharedTestdata('dcc/common');
const files = fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort();

interface Vector {
  JSON?: unknown;
  PREFIX?: string;
  '2DCODE'?: string;
  TESTCTX: { CERTIFICATE: string; VALIDATIONCLOCK: string };
  EXPECTEDRESULTS: Record<string, boolean>;
}

function zbarDecode(png: Buffer): string | null {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'dcc-qr-')), 'qr.png');
  fs.writeFileSync(file, png);
  const r = spawnSync('zbarimg', ['--quiet', '--raw', '-Sdisable', '-Sqrcode.enable', file], { encoding: 'utf8' });
  fs.rmSync(path.dirname(file), { recursive: true, force: true });
  return r.status === 0 ? r.stdout.replace(/\n$/, '') : null;
}

const both = (a: boolean | null, b: boolean | null) => (a === true && b === true ? true : a === false || b === false ? false : null);

function observed(flag: string, v: Vector, r: VerifyResult, picture: Buffer): boolean | null {
  const c = r.checks;
  switch (flag) {
    case 'EXPECTEDUNPREFIX': return c.prefix;
    case 'EXPECTEDB45DECODE': return c.base45;
    case 'EXPECTEDCOMPRESSION': return c.decompress;
    case 'EXPECTEDDECODE': return both(c.cose, c.cbor);
    case 'EXPECTEDVERIFY': return both(c.cose, c.signature);
    case 'EXPECTEDVALIDJSON': return r.payload !== null && isDeepStrictEqual(r.payload, v.JSON);
    case 'EXPECTEDSCHEMAVALIDATION': return c.schema;
    case 'EXPECTEDEXPIRATIONCHECK': return c.expiry;
    case 'EXPECTEDKEYUSAGE': return c.key_usage;
    case 'EXPECTEDPICTUREDECODE': return zbarDecode(picture) === v.PREFIX;
    default: throw new Error(`unknown flag ${flag}: map it to a check`);
  }
}

describe('EU DCC common test vectors', () => {
  it('finds the vectors', () => {
    expect(files.length).toBeGreaterThanOrEqual(30);
  });

  it.each(files)('%s: every expected flag matches', async (file) => {
    const v = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as Vector;
    // the vector's QR picture; a vector without one (B1) is drawn from its text as a phone would show it
    const picture = v['2DCODE'] ? Buffer.from(v['2DCODE'], 'base64') : await QRCode.toBuffer(v.PREFIX ?? '', { errorCorrectionLevel: 'Q' });
    const result = verifyHc1(v.PREFIX ?? '', {
      trust: parseTrust(v.TESTCTX.CERTIFICATE),
      at: new Date(v.TESTCTX.VALIDATIONCLOCK),
    });
    const expected = v.EXPECTEDRESULTS;
    const got = Object.fromEntries(Object.keys(expected).map((f) => [f, observed(f, v, result, picture)]));
    expect(got, `${file}: ${result.error ?? 'no error'}`).toEqual(expected);
    if (Object.values(expected).includes(false)) {
      // a vector about one broken property: the whole answer is "invalid", with a reason
      const onlyPicture = Object.entries(expected).every(([k, val]) => val || k === 'EXPECTEDPICTUREDECODE');
      if (!onlyPicture) {
        expect(result.valid).toBe(false);
        expect(result.error).toBeTruthy();
      }
    }
  });
});
