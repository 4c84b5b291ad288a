// Ed25519 without libsodium: where sodium-native has no prebuilt binary (musl, e.g. Alpine) the KeyRing signs and
// verifies through node:crypto with the same answers (the app's warning and check-ins: venues/checkin-ed25519-fallback.test.ts).
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ed25519, loadEd25519 } from './ed25519';
import { KeyRing, sign, verify, type TokenBody } from './index';
import { noPrebuild, reasonOf } from './test-reason';

const NOW = new Date('2021-08-01T08:00:00Z');
const ENTRANCE = '3f1c2a9e-7b4d-4e2a-9c51-0d8e6f7a1b2c';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe('Ed25519 backend', () => {
  it('uses libsodium here, where sodium-native loads', () => {
    expect(ed25519.name).toBe('libsodium');
    expect(ed25519.fallbackReason).toBeNull();
  });

  it('falls back to node:crypto when sodium-native cannot load, saying why', () => {
    const fallback = loadEd25519(noPrebuild);
    expect(fallback.name).toBe('node:crypto');
    expect(fallback.fallbackReason).toContain('sodium-native did not load');
    expect(fallback.fallbackReason).toContain('libc=musl');
    // a module that loads but is not libsodium is refused too
    expect(loadEd25519(() => ({})).name).toBe('node:crypto');
  });

  it('gives the same signatures and the same answers through either backend (one key directory, both rings)', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'vigil-ed25519-'));
    dirs.push(dir);
    const sodiumRing = await KeyRing.open(dir);
    const nodeRing = await KeyRing.open(dir, { ed25519: loadEd25519(noPrebuild) });
    expect(nodeRing.ed25519.name).toBe('node:crypto');
    const opts = { expectedType: 've', now: NOW };
    const bodies: TokenBody[] = [{ e: ENTRANCE }, { e: ENTRANCE, n: 7, s: 'Chợ Bến Thành' }];
    for (const body of bodies) {
      const bySodium = sign(sodiumRing, 've', body);
      const byNode = sign(nodeRing, 've', body);
      expect(byNode).toBe(bySodium); // deterministic (RFC 8032): byte-identical tokens
      expect(verify(nodeRing, bySodium, opts).body).toEqual(body);
      expect(verify(sodiumRing, byNode, opts).body).toEqual(body);
      // tampered signature, tampered payload, another key's signature under this kid: refused the same way by both
      const [payload, kid, signature] = bySodium.split('.') as [string, string, string];
      const sig = Buffer.from(signature, 'base64url');
      sig[5] = sig[5]! ^ 0x40;
      const badSig = `${payload}.${kid}.${sig.toString('base64url')}`;
      const p = Buffer.from(payload, 'base64url');
      p[3] = p[3]! ^ 0x01;
      const badPayload = `${p.toString('base64url')}.${kid}.${signature}`;
      const other = sign(KeyRing.inMemory(), 've', body).split('.')[2]!;
      const foreign = `${payload}.${kid}.${other}`;
      const short = `${payload}.${kid}.${sig.subarray(0, 40).toString('base64url')}`;
      for (const token of [badSig, badPayload, foreign, short]) {
        expect(reasonOf(() => verify(nodeRing, token, opts))).toBe(reasonOf(() => verify(sodiumRing, token, opts)));
        expect(reasonOf(() => verify(nodeRing, token, opts))).not.toBe('ok');
      }
    }
  });
});
