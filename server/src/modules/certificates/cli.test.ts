// `vigil cert verify` as a user runs it: a child process, files on disk, exit codes.
import { describe, expect, it, beforeAll } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { runVigil, VIGIL, cliTestTimeout, CLI_COMMAND_TIMEOUT_MS } from '../../../test/cli-run';
import { sharedTestdata } from './testdata';
import { testContext } from '../../../test/helpers';

const vectors = sharedTestdata('dcc/common');
const vector = (name: string) => JSON.parse(fs.readFileSync(path.join(vectors, `${name}.json`), 'utf8'));
const co3 = vector('CO3');
const AT = co3.TESTCTX.VALIDATIONCLOCK as string;
let dir: string;
const file = (name: string, text: string) => {
  const p = path.join(dir, name);
  fs.writeFileSync(p, text);
  return p;
};
const pem = (b64: string) => `-----BEGIN CERTIFICATE-----\n${b64.match(/.{1,64}/g)!.join('\n')}\n-----END CERTIFICATE-----\n`;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-cert-cli-'));
});

/** `vigil cert verify … -` with `input` on standard input. */
function verifyStdin(args: string[], input: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [VIGIL, 'cert', 'verify', ...args, '-'], { timeout: CLI_COMMAND_TIMEOUT_MS }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
    child.stdin!.end(input);
  });
}

describe('vigil cert verify', () => {
  it('accepts a valid certificate with each kind of trust file and prints the checks as JSON', async () => {
    const cert = co3.TESTCTX.CERTIFICATE as string;
    const trustFiles = [
      file('dsc.der.b64', cert),
      file('dsc.pem', pem(cert)),
      file('trustlist.json', JSON.stringify([{ kid: 'ignored', rawData: cert }])),
    ];
    for (const trust of trustFiles) {
      const r = await runVigil(['cert', 'verify', '--trust', trust, '--at', AT, '--json', co3.PREFIX], {});
      expect(r.code, r.out).toBe(0);
      const out = JSON.parse(r.stdout);
      expect(out.valid).toBe(true);
      expect(Object.values(out.checks).every((v) => v === true)).toBe(true);
      expect(out.payload.nam.fnt).toBe(co3.JSON.nam.fnt);
      expect(out.error).toBeNull();
    }
  }, cliTestTimeout(3));

  it('reads the certificate from standard input with -', async () => {
    const r = await verifyStdin(['--trust', file('s.b64', co3.TESTCTX.CERTIFICATE), '--at', AT, '--json'], `${co3.PREFIX}\n`);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).valid).toBe(true);
  }, cliTestTimeout(1));

  it('exits 1 with the failed check for an altered signature, an expired certificate and another QR format', async () => {
    const co5 = vector('CO5');
    const forged = await runVigil(['cert', 'verify', '--trust', file('co5.b64', co5.TESTCTX.CERTIFICATE), '--at', AT, '--json', co5.PREFIX], {});
    expect(forged.code).toBe(1);
    expect(JSON.parse(forged.stdout).checks.signature).toBe(false);

    // no --at: today is years past the vector's expiry
    const expired = await runVigil(['cert', 'verify', '--trust', file('co3.b64', co3.TESTCTX.CERTIFICATE), '--json', co3.PREFIX], {});
    expect(expired.code).toBe(1);
    const e = JSON.parse(expired.stdout);
    expect([e.checks.signature, e.checks.expiry]).toEqual([true, false]);
    expect(e.error).toMatch(/expired/);

    const other = await runVigil(['cert', 'verify', '--trust', file('co3.b64', co3.TESTCTX.CERTIFICATE), 'https://example.org/c/abc'], {});
    expect(other.code).toBe(1);
    expect(other.stdout).toMatch(/INVALID: .*HC1:/);
  }, cliTestTimeout(3));

  it('exits 2 on usage errors with a message naming the problem', async () => {
    const trust = file('u.b64', co3.TESTCTX.CERTIFICATE);
    const cases: [string[], RegExp][] = [
      [['cert', 'verify', co3.PREFIX], /--trust/],
      [['cert', 'verify', '--trust', path.join(dir, 'missing.pem'), co3.PREFIX], /file not found/],
      [['cert', 'verify', '--trust', file('junk.pem', 'not a cert ###'), co3.PREFIX], /--trust/],
      [['cert', 'verify', '--trust', trust, '--at', 'yesterday', co3.PREFIX], /--at/],
      [['cert', 'verify', '--trust', trust], /missing required argument/],
    ];
    for (const [args, message] of cases) {
      const r = await runVigil(args, {});
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
    }
  }, cliTestTimeout(5));

  it('creates a document signer on first use, rotates it and keeps the old one (cert signers)', async () => {
    const keys = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-signers-'));
    // a rotation tells running servers through the database (their shared signer version)
    const t = await testContext();
    const env = { VIGIL_SIGNING_KEY_DIR: keys, DATABASE_URL: t.config.databaseUrl!, LOG_LEVEL: 'silent' };
    const first = await runVigil(['cert', 'signers', 'list'], env);
    expect(first.code, first.out).toBe(0);
    expect(first.stdout.trim().split('\n')).toHaveLength(1);
    const rotated = await runVigil(['cert', 'signers', 'rotate'], env);
    expect(rotated.code, rotated.out).toBe(0);
    const lines = rotated.stdout.trim().split('\n').slice(1);
    expect(lines).toHaveLength(2);
    expect(lines.filter((l) => l.endsWith('(active)'))).toHaveLength(1);
    expect(rotated.stdout).not.toMatch(/PRIVATE/);
    const files = fs.readdirSync(path.join(keys, 'dcc'));
    expect(files).toHaveLength(2);
    for (const f of files) expect(fs.statSync(path.join(keys, 'dcc', f)).mode & 0o777).toBe(0o600);
    expect((await t.db.selectFrom('dcc_signer_state').select('version').executeTakeFirstOrThrow()).version).toBe('1');
    await t.close();
  }, cliTestTimeout(2));
});
