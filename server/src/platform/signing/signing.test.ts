import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createPrivateKey, createPublicKey, sign as cryptoSign, verify as cryptoVerify } from 'node:crypto';
import { reasonOf } from './test-reason';
import { KeyRing, decodePayload, encodePayload, isMacToken, sign, signMac, verify, verifyMac, type TokenBody } from './index';

const ENTRANCE = '3f1c2a9e-7b4d-4e2a-9c51-0d8e6f7a1b2c';
const NOW = new Date('2021-08-01T08:00:00Z');

const tempDirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'vigil-keys-'));
  tempDirs.push(dir);
  return dir;
}
afterEach(async () => {
  await Promise.all(tempDirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

/** Flips bits of one byte of the decoded payload and re-encodes it, keeping kid and signature. */
function alterPayloadByte(token: string, index: number): string {
  const [p, kid, sig] = token.split('.') as [string, string, string];
  const bytes = Buffer.from(p, 'base64url');
  bytes[index] = bytes[index]! ^ 0x01;
  return `${bytes.toString('base64url')}.${kid}.${sig}`;
}

describe('Ed25519 through libsodium', () => {
  it('signs exactly as node:crypto did and accepts what node:crypto signed (posters printed before keep working)', async () => {
    const dir = await tempDir();
    const ring = await KeyRing.open(dir);
    const file = JSON.parse(await readFile(path.join(dir, `${ring.activeKid}.json`), 'utf8')) as { privateKeyPem: string; publicKeyPem: string };
    const privateKey = createPrivateKey(file.privateKeyPem);
    const publicKey = createPublicKey(file.publicKeyPem);
    const opts = { expectedType: 've', now: NOW };
    const bodies: TokenBody[] = [{ e: ENTRANCE }, { e: ENTRANCE, n: 7, s: 'Chợ Bến Thành' }];
    for (const body of bodies) {
      const token = sign(ring, 've', body);
      const [payload, kid, signature] = token.split('.') as [string, string, string];
      const input = Buffer.from(`${payload}.${kid}`, 'ascii');
      // Ed25519 is deterministic (RFC 8032): the same key and input give the same signature in either library
      expect(cryptoSign(null, input, privateKey).toString('base64url')).toBe(signature);
      expect(cryptoVerify(null, input, publicKey, Buffer.from(signature, 'base64url'))).toBe(true);
      // a token signed by node:crypto (as every poster printed before libsodium was) verifies
      const byNode = `${payload}.${kid}.${cryptoSign(null, input, privateKey).toString('base64url')}`;
      expect(verify(ring, byNode, opts).body).toEqual(body);
    }
    // reopened from its files, the ring still verifies and refuses the same way
    const again = await KeyRing.open(dir);
    const token = sign(ring, 've', { e: ENTRANCE });
    expect(verify(again, token, opts).body).toEqual({ e: ENTRANCE });
    expect(reasonOf(() => verify(again, alterPayloadByte(token, 2), opts))).toBe('bad_signature');
    const sig = token.split('.')[2]!;
    const flipped = Buffer.from(sig, 'base64url');
    flipped[10] = flipped[10]! ^ 0x80;
    expect(reasonOf(() => verify(again, `${token.slice(0, token.lastIndexOf('.'))}.${flipped.toString('base64url')}`, opts))).toBe('bad_signature');
  });

  it('refuses a signature of another key with the same kid as a bad signature', () => {
    const ring = KeyRing.inMemory();
    const other = KeyRing.inMemory();
    const token = sign(other, 've', { e: ENTRANCE });
    const [payload, , signature] = token.split('.');
    expect(reasonOf(() => verify(ring, `${payload}.${ring.activeKid}.${signature}`, { expectedType: 've', now: NOW }))).toBe('bad_signature');
  });
});

describe('signed tokens', () => {
  it('round-trips type, body and expiry', () => {
    const ring = KeyRing.inMemory();
    const expiresAt = new Date('2021-09-01T00:00:00Z');
    const body = { e: ENTRANCE, n: 42, neg: -7, f: 1.5, s: 'Quán phở Hà Nội', big: Number.MAX_SAFE_INTEGER };
    const token = sign(ring, 've', body, { expiresAt });
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{86}$/);
    const v = verify(ring, token, { expectedType: 've', now: NOW });
    expect(v).toEqual({ type: 've', body, kid: ring.activeKid, expiresAt });
    expect(Object.keys(v.body)).toEqual(Object.keys(body));
  });

  it('keeps a venue-entrance token short', () => {
    const ring = KeyRing.inMemory();
    const token = sign(ring, 've', { e: ENTRANCE });
    expect(token.length).toBeLessThanOrEqual(122);
    expect(verify(ring, token, { expectedType: 've', now: NOW }).body).toEqual({ e: ENTRANCE });
    expect(verify(ring, token, { expectedType: 've', now: NOW }).expiresAt).toBeUndefined();
  });

  it('keeps non-canonical uuid-like strings exactly', () => {
    const ring = KeyRing.inMemory();
    const body = { a: ENTRANCE.toUpperCase(), b: '' };
    const token = sign(ring, 'x1', body);
    expect(verify(ring, token, { expectedType: 'x1', now: NOW }).body).toEqual(body);
  });

  it('rejects an altered body byte as bad_signature', () => {
    const ring = KeyRing.inMemory();
    const token = sign(ring, 've', { e: ENTRANCE });
    // last byte of the uuid value, then the header byte
    const bytes = Buffer.from(token.split('.')[0]!, 'base64url');
    expect(reasonOf(() => verify(ring, alterPayloadByte(token, bytes.length - 1), { expectedType: 've', now: NOW }))).toBe(
      'bad_signature',
    );
    expect(reasonOf(() => verify(ring, alterPayloadByte(token, 0), { expectedType: 've', now: NOW }))).toBe('bad_signature');
    // altered signature
    const [p, kid, sig] = token.split('.') as [string, string, string];
    const s = Buffer.from(sig, 'base64url');
    s[10] = s[10]! ^ 0x80;
    expect(reasonOf(() => verify(ring, `${p}.${kid}.${s.toString('base64url')}`, { expectedType: 've', now: NOW }))).toBe(
      'bad_signature',
    );
  });

  it('rejects a swapped kid as unknown_key', () => {
    const ring = KeyRing.inMemory();
    const other = KeyRing.inMemory();
    const token = sign(ring, 've', { e: ENTRANCE });
    const [p, , sig] = token.split('.') as [string, string, string];
    const swapped = `${p}.${other.activeKid}.${sig}`;
    expect(reasonOf(() => verify(ring, swapped, { expectedType: 've', now: NOW }))).toBe('unknown_key');
    // and a token from another ring entirely
    expect(reasonOf(() => verify(other, token, { expectedType: 've', now: NOW }))).toBe('unknown_key');
  });

  it('rejects truncated and garbage input as malformed', () => {
    const ring = KeyRing.inMemory();
    const token = sign(ring, 've', { e: ENTRANCE });
    const cases = [
      '',
      'garbage',
      'a.b.c',
      token.slice(0, -1),
      token.slice(0, token.lastIndexOf('.')),
      `${token}.x`,
      token.replace('.', '..'),
      `${token.slice(0, 5)}+${token.slice(6)}`,
      `${token}=`,
      'x'.repeat(5000),
    ];
    for (const c of cases) expect(reasonOf(() => verify(ring, c, { expectedType: 've', now: NOW })), c).toBe('malformed');
    // a correctly signed but undecodable payload is malformed too
    const { signature } = ring.signBytes(Buffer.from(`AAAA.${ring.activeKid}`, 'ascii'));
    const bogus = `AAAA.${ring.activeKid}.${signature.toString('base64url')}`;
    expect(reasonOf(() => verify(ring, bogus, { expectedType: 've', now: NOW }))).toBe('malformed');
  });

  it('rejects an expired token against a pinned now', () => {
    const ring = KeyRing.inMemory();
    const expiresAt = new Date('2021-08-01T09:00:00Z');
    const token = sign(ring, 've', { e: ENTRANCE }, { expiresAt });
    expect(verify(ring, token, { expectedType: 've', now: new Date('2021-08-01T08:59:59Z') }).expiresAt).toEqual(expiresAt);
    expect(reasonOf(() => verify(ring, token, { expectedType: 've', now: expiresAt }))).toBe('expired');
    expect(reasonOf(() => verify(ring, token, { expectedType: 've', now: new Date('2022-01-01T00:00:00Z') }))).toBe('expired');
  });

  it('rejects the wrong type', () => {
    const ring = KeyRing.inMemory();
    const token = sign(ring, 've', { e: ENTRANCE });
    expect(reasonOf(() => verify(ring, token, { expectedType: 'pq', now: NOW }))).toBe('wrong_type');
    expect(verify(ring, token, { expectedType: ['pq', 've'], now: NOW }).type).toBe('ve');
  });

  it('refuses bad input when signing', () => {
    const ring = KeyRing.inMemory();
    expect(() => sign(ring, '', {})).toThrow(TypeError);
    expect(() => sign(ring, 'x'.repeat(32), {})).toThrow(TypeError);
    expect(() => sign(ring, 've', { t: 'a' })).toThrow(TypeError);
    expect(() => sign(ring, 've', { x: 1 })).toThrow(TypeError);
    expect(() => sign(ring, 've', { n: Number.NaN })).toThrow(TypeError);
    expect(() => sign(ring, 've', { e: ENTRANCE }, { expiresAt: new Date('nope') })).toThrow(TypeError);
  });

  it('encodes compactly and decodes what it encodes', () => {
    const bytes = encodePayload('ve', { e: ENTRANCE }, null);
    expect(bytes.length).toBe(21);
    expect(decodePayload(bytes)).toEqual({ type: 've', body: { e: ENTRANCE }, expiresAt: null });
    expect(() => decodePayload(Buffer.concat([bytes, Buffer.from([0])]))).toThrow();
    expect(() => decodePayload(bytes.subarray(0, 10))).toThrow();
  });
});

describe('KeyRing', () => {
  it('rotation: old tokens still verify, new tokens use the new kid', async () => {
    const r = await KeyRing.open(await tempDir());
    const oldKid = r.activeKid;
    const oldToken = sign(r, 've', { e: ENTRANCE });
    const newKid = await r.rotate();
    expect(newKid).not.toBe(oldKid);
    expect(r.activeKid).toBe(newKid);
    expect(verify(r, oldToken, { expectedType: 've', now: NOW }).kid).toBe(oldKid);
    const newToken = sign(r, 've', { e: ENTRANCE });
    expect(newToken.split('.')[1]).toBe(newKid);
    expect(verify(r, newToken, { expectedType: 've', now: NOW }).kid).toBe(newKid);
  });

  it('rotation works in memory with a pinned clock', async () => {
    const r = KeyRing.inMemory({ clock: () => NOW });
    const first = r.activeKid;
    const second = await r.rotate();
    expect(r.activeKid).toBe(second);
    expect(r.publicKeys().map((k) => k.kid)).toEqual([second, first]);
  });

  it('retire: tokens of a retired key fail with retired_key', async () => {
    const dir = await tempDir();
    const r = await KeyRing.open(dir, { clock: { now: () => NOW } });
    const oldKid = r.activeKid;
    const oldToken = sign(r, 've', { e: ENTRANCE });
    const newKid = await r.rotate();
    const newToken = sign(r, 've', { e: ENTRANCE });
    await r.retire(oldKid);
    expect(reasonOf(() => verify(r, oldToken, { expectedType: 've', now: NOW }))).toBe('retired_key');
    expect(verify(r, newToken, { expectedType: 've', now: NOW }).kid).toBe(newKid);
    // retirement persists
    const reloaded = await KeyRing.open(dir);
    expect(reasonOf(() => verify(reloaded, oldToken, { expectedType: 've', now: NOW }))).toBe('retired_key');
    const file = JSON.parse(await readFile(path.join(dir, `${oldKid}.json`), 'utf8'));
    expect(file.retiredAt).toBe(NOW.toISOString());
    // retiring the last usable key creates a fresh one
    await r.retire(newKid);
    expect([oldKid, newKid]).not.toContain(r.activeKid);
    expect(reasonOf(() => verify(r, newToken, { expectedType: 've', now: NOW }))).toBe('retired_key');
    await expect(r.retire('zzzzzz')).rejects.toThrow(/unknown key/);
  });

  it('reloads the same keys from disk', async () => {
    const dir = await tempDir();
    const a = await KeyRing.open(dir);
    const t1 = sign(a, 've', { e: ENTRANCE });
    await a.rotate();
    const t2 = sign(a, 've', { e: ENTRANCE });
    const b = await KeyRing.open(dir);
    expect(b.activeKid).toBe(a.activeKid);
    expect(b.publicKeys()).toEqual(a.publicKeys());
    expect(verify(b, t1, { expectedType: 've', now: NOW }).kid).toBe(t1.split('.')[1]);
    expect(verify(b, t2, { expectedType: 've', now: NOW }).kid).toBe(b.activeKid);
    // Ed25519 is deterministic: the reloaded private key produces the identical token
    expect(sign(b, 've', { e: ENTRANCE })).toBe(t2);
  });

  it('stores one 0600 JSON file per key in a 0700 directory', async () => {
    const dir = path.join(await tempDir(), 'keys');
    const r = await KeyRing.open(dir);
    await r.rotate();
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    const files = (await readdir(dir)).sort();
    expect(files).toHaveLength(2);
    for (const f of files) {
      expect((await stat(path.join(dir, f))).mode & 0o777).toBe(0o600);
      const k = JSON.parse(await readFile(path.join(dir, f), 'utf8'));
      expect(f).toBe(`${k.kid}.json`);
      expect(k.kid).toMatch(/^[A-Za-z0-9_-]{6}$/);
      expect(k.alg).toBe('Ed25519');
      expect(k.privateKeyPem).toContain('BEGIN PRIVATE KEY');
      expect(k.publicKeyPem).toContain('BEGIN PUBLIC KEY');
      expect(new Date(k.createdAt).toISOString()).toBe(k.createdAt);
    }
  });

  it('refuses a tampered key file', async () => {
    const dir = await tempDir();
    const r = await KeyRing.open(dir);
    const { writeFile } = await import('node:fs/promises');
    const file = path.join(dir, `${r.activeKid}.json`);
    const k = JSON.parse(await readFile(file, 'utf8'));
    await writeFile(file, JSON.stringify({ ...k, kid: 'AAAAAA' }));
    await expect(KeyRing.open(dir)).rejects.toThrow(/kid/);
  });
});

describe('MAC tokens (signMac / verifyMac)', () => {
  const PERSON = '0b7e5a1c-2d3f-4a5b-8c6d-7e8f9a0b1c2d';

  it('round-trip, are shorter than signed tokens, and are told apart from them', () => {
    const ring = KeyRing.inMemory();
    const t = signMac(ring, 'p', { p: PERSON });
    expect(verifyMac(ring, t, { expectedType: 'p', now: NOW })).toMatchObject({ type: 'p', body: { p: PERSON }, kid: ring.activeKid });
    const signed = sign(ring, 'p', { p: PERSON });
    expect(t.length).toBeLessThan(signed.length - 40);
    expect(isMacToken(t)).toBe(true);
    expect(isMacToken(signed)).toBe(false);
    // neither kind passes as the other
    expect(reasonOf(() => verify(ring, t, { expectedType: 'p', now: NOW }))).toBe('malformed');
    expect(reasonOf(() => verifyMac(ring, signed, { expectedType: 'p', now: NOW }))).toBe('malformed');
  });

  it('refuse altered payloads, forged tags, other rings, wrong types and expiry', () => {
    const ring = KeyRing.inMemory();
    const t = signMac(ring, 'p', { p: PERSON }, { expiresAt: new Date(NOW.getTime() + 60_000) });
    const opts = { expectedType: 'p', now: NOW };
    expect(reasonOf(() => verifyMac(ring, alterPayloadByte(t, 5), opts))).toBe('bad_signature');
    const [p, kid, tag] = t.split('.') as [string, string, string];
    const flipped = Buffer.from(tag, 'base64url');
    flipped[0] = flipped[0]! ^ 0x80;
    expect(reasonOf(() => verifyMac(ring, `${p}.${kid}.${flipped.toString('base64url')}`, opts))).toBe('bad_signature');
    // a token made by another deployment: its kid is unknown here; with the kid swapped in, the tag is wrong
    const other = KeyRing.inMemory();
    const foreign = signMac(other, 'p', { p: PERSON });
    expect(reasonOf(() => verifyMac(ring, foreign, opts))).toBe('unknown_key');
    const [fp, , ftag] = foreign.split('.') as [string, string, string];
    expect(reasonOf(() => verifyMac(ring, `${fp}.${kid}.${ftag}`, opts))).toBe('bad_signature');
    expect(reasonOf(() => verifyMac(ring, t, { expectedType: 've', now: NOW }))).toBe('wrong_type');
    expect(reasonOf(() => verifyMac(ring, t, { expectedType: 'p', now: new Date(NOW.getTime() + 61_000) }))).toBe('expired');
  });

  it('follow their key pair: verify after rotation and reload from disk, stop when it is retired', async () => {
    const dir = await tempDir();
    const ring = await KeyRing.open(dir, { clock: () => NOW });
    const t = signMac(ring, 'p', { p: PERSON });
    await ring.rotate();
    const t2 = signMac(ring, 'p', { p: PERSON });
    expect(t2.split('.')[1]).not.toBe(t.split('.')[1]);
    const reopened = await KeyRing.open(dir, { clock: () => NOW });
    expect(verifyMac(reopened, t, { expectedType: 'p', now: NOW }).body.p).toBe(PERSON);
    expect(verifyMac(reopened, t2, { expectedType: 'p', now: NOW }).body.p).toBe(PERSON);
    await reopened.retire(t.split('.')[1]!);
    expect(reasonOf(() => verifyMac(reopened, t, { expectedType: 'p', now: NOW }))).toBe('retired_key');
  });
});
