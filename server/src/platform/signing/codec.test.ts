// The token codec's fast paths (shape and canonical-encoding checks computed from the characters, ASCII without a
// text decoder, scratch buffers for the signature check) against the plain definitions they replace: the same
// answers and the same bytes for every input tried, so printed QR codes and their refusals do not change.
import { describe, expect, it } from 'vitest';
import { reasonOf } from './test-reason';
import { KeyRing, decodePayload, encodePayload, sign, signMac, verify, verifyMac, type TokenBody } from './index';
import { nodeCryptoEd25519 } from './ed25519';

const NOW = new Date('2021-08-01T08:00:00Z');
const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** The definition: base64url characters only, and decoding then encoding gives the text back. */
const canonical = (s: string) => s.length > 0 && /^[A-Za-z0-9_-]+$/.test(s) && Buffer.from(s, 'base64url').toString('base64url') === s;

/** A small deterministic random source (the cases are the same on every run). */
function rng(seed: number) {
  let x = seed >>> 0 || 1;
  return (n: number) => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >> 17;
    x ^= x << 5;
    x >>>= 0;
    return x % n;
  };
}

// ── the encoder and decoder as they were written before the fast paths (the reference) ──
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const utf8 = new TextEncoder();
function refVarint(out: number[], n: number) {
  do {
    const low = n % 128;
    n = Math.floor(n / 128);
    out.push(n > 0 ? low | 0x80 : low);
  } while (n > 0);
}
function refEncode(type: string, body: TokenBody, expiresAt: Date | null): Buffer {
  const out: number[] = [];
  const typeBytes = utf8.encode(type);
  out.push((1 << 6) | (expiresAt ? 0x20 : 0) | typeBytes.length, ...typeBytes);
  if (expiresAt) refVarint(out, Math.floor(expiresAt.getTime() / 1000));
  for (const [key, value] of Object.entries(body)) {
    const keyBytes = utf8.encode(key);
    if (typeof value === 'string') {
      if (UUID.test(value)) out.push((1 << 5) | keyBytes.length, ...keyBytes, ...Buffer.from(value.replaceAll('-', ''), 'hex'));
      else {
        const v = utf8.encode(value);
        out.push(keyBytes.length, ...keyBytes);
        refVarint(out, v.length);
        out.push(...v);
      }
    } else if (Number.isSafeInteger(value) && !Object.is(value, -0)) {
      out.push(((value >= 0 ? 2 : 3) << 5) | keyBytes.length, ...keyBytes);
      refVarint(out, value >= 0 ? value : -value - 1);
    } else {
      const f = Buffer.alloc(8);
      f.writeDoubleBE(value);
      out.push((4 << 5) | keyBytes.length, ...keyBytes, ...f);
    }
  }
  return Buffer.from(out);
}
function refDecode(bytes: Uint8Array) {
  const strict = new TextDecoder('utf-8', { fatal: true });
  let pos = 0;
  const byte = () => {
    if (pos >= bytes.length) throw new Error('truncated');
    return bytes[pos++]!;
  };
  const take = (n: number) => {
    if (pos + n > bytes.length) throw new Error('truncated');
    pos += n;
    return bytes.subarray(pos - n, pos);
  };
  // the varint as its definition reads: up to 8 groups of 7 bits, least significant first, the last one not 0
  const varint = () => {
    const groups: number[] = [];
    let b: number;
    do {
      b = byte();
      groups.push(b & 0x7f);
    } while (b & 0x80 && groups.length < 8);
    if (b & 0x80) throw new Error('varint too long');
    if (groups.length > 1 && b === 0) throw new Error('non-minimal varint');
    const value = groups.reduceRight((acc, g) => acc * 128 + g, 0);
    if (!Number.isSafeInteger(value)) throw new Error('varint out of range');
    return value;
  };
  const header = byte();
  if (header >> 6 !== 1) throw new Error('version');
  if ((header & 0x1f) === 0) throw new Error('empty type');
  const type = strict.decode(take(header & 0x1f));
  const expiresAt = header & 0x20 ? new Date(varint() * 1000) : null;
  const entries: [string, string | number][] = [];
  const seen = new Set<string>();
  while (pos < bytes.length) {
    const fhead = byte();
    if ((fhead & 0x1f) === 0) throw new Error('empty key');
    const key = strict.decode(take(fhead & 0x1f));
    if (seen.has(key) || key === 't' || key === 'x') throw new Error('duplicate');
    seen.add(key);
    const tag = fhead >> 5;
    if (tag === 0) entries.push([key, strict.decode(take(varint()))]);
    else if (tag === 1) {
      const h = Buffer.from(take(16)).toString('hex');
      entries.push([key, `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`]);
    } else if (tag === 2) entries.push([key, varint()]);
    else if (tag === 3) entries.push([key, -varint() - 1]);
    else if (tag === 4) {
      const v = Buffer.from(take(8)).readDoubleBE(0);
      if (!Number.isFinite(v)) throw new Error('non-finite');
      entries.push([key, v]);
    } else throw new Error('tag');
  }
  return { type, body: Object.fromEntries(entries), expiresAt };
}
const outcome = (f: () => unknown) => {
  try {
    return { ok: f() };
  } catch {
    return { threw: true };
  }
};

describe('token shape: canonical base64url computed from the characters', () => {
  const ring = KeyRing.inMemory();
  const opts = { expectedType: 've', now: NOW };

  it('accepts exactly the signature spellings the definition accepts (every last character)', () => {
    const token = sign(ring, 've', { e: '3f1c2a9e-7b4d-4e2a-9c51-0d8e6f7a1b2c' });
    const head = token.slice(0, -1);
    const sig = token.slice(token.lastIndexOf('.') + 1);
    for (const c of B64URL) {
      const altered = head + c;
      const wellShaped = canonical(sig.slice(0, -1) + c);
      const reason = reasonOf(() => verify(ring, altered, opts));
      if (altered === token) expect(reason).toBe('ok');
      else expect(reason).toBe(wellShaped ? 'bad_signature' : 'malformed');
    }
    // 86 characters: 4 of the 64 last characters spell a 64-byte signature
    expect([...B64URL].filter((c) => canonical(sig.slice(0, -1) + c))).toHaveLength(4);
  });

  it('accepts exactly the payload spellings the definition accepts, for every length and last character', () => {
    const random = rng(15);
    const [, kid, sig] = sign(ring, 've', { e: '3f1c2a9e-7b4d-4e2a-9c51-0d8e6f7a1b2c' }).split('.') as [string, string, string];
    let tried = 0;
    for (let length = 1; length <= 13; length++) {
      for (const c of B64URL) {
        const payload = Array.from({ length: length - 1 }, () => B64URL[random(64)]).join('') + c;
        const reason = reasonOf(() => verify(ring, `${payload}.${kid}.${sig}`, opts));
        // a well-shaped payload gets as far as the signature, which does not match it
        expect(reason).toBe(canonical(payload) ? 'bad_signature' : 'malformed');
        tried++;
      }
    }
    expect(tried).toBe(13 * 64);
    for (const bad of ['', '=', 'AA==', 'AA=', 'A A', 'AAé', 'AA+', 'AA/', 'AA\u0000']) {
      expect(reasonOf(() => verify(ring, `${bad}.${kid}.${sig}`, opts))).toBe('malformed');
    }
  });

  it('takes any six base64url characters as a kid (a kid is a hash prefix, not an encoding) and nothing else', () => {
    const token = sign(ring, 've', { e: '3f1c2a9e-7b4d-4e2a-9c51-0d8e6f7a1b2c' });
    const [p, , s] = token.split('.') as [string, string, string];
    // "AAAAA_" is no canonical spelling of any bytes: still a kid, of no key of this ring
    expect(reasonOf(() => verify(ring, `${p}.AAAAA_.${s}`, opts))).toBe('unknown_key');
    for (const kid of ['AAAAA', 'AAAAAAA', 'AAAA=A', 'AAAA.A', 'AAAAé_']) expect(reasonOf(() => verify(ring, `${p}.${kid}.${s}`, opts))).toBe('malformed');
    for (const extra of [`${token}.`, `.${token}`, `${p}.${s}`, `${p}..${s}`]) expect(reasonOf(() => verify(ring, extra, opts))).toBe('malformed');
  });

  it('MAC tokens: the same shape rules for their 43-character tags', () => {
    const t = signMac(ring, 'p', { p: '3f1c2a9e-7b4d-4e2a-9c51-0d8e6f7a1b2c' });
    const tag = t.slice(t.lastIndexOf('.') + 1);
    for (const c of B64URL) {
      const altered = t.slice(0, -1) + c;
      const reason = reasonOf(() => verifyMac(ring, altered, { expectedType: 'p', now: NOW }));
      if (altered === t) expect(reason).toBe('ok');
      else expect(reason).toBe(canonical(tag.slice(0, -1) + c) ? 'bad_signature' : 'malformed');
    }
  });

  it('checks the same way through node:crypto (the fallback where sodium-native cannot load)', () => {
    const viaNode = KeyRing.inMemory({ ed25519: nodeCryptoEd25519() });
    const tokens = Array.from({ length: 20 }, (_, i) => sign(viaNode, 've', { e: `3f1c2a9e-7b4d-4e2a-9c51-0d8e6f7a1b${String(i).padStart(2, '0')}`, n: i }));
    // one after another through the same scratch buffers: each answer is its own token's
    for (const [i, t] of tokens.entries()) expect(verify(viaNode, t, opts).body).toEqual({ e: `3f1c2a9e-7b4d-4e2a-9c51-0d8e6f7a1b${String(i).padStart(2, '0')}`, n: i });
    const [p, kid, s] = tokens[3]!.split('.') as [string, string, string];
    const other = tokens[4]!.split('.')[2]!;
    expect(reasonOf(() => verify(viaNode, `${p}.${kid}.${other}`, opts))).toBe('bad_signature');
    expect(verify(viaNode, `${p}.${kid}.${s}`, opts).body.n).toBe(3);
  });
});

describe('payload encoding: the same bytes as the plain definition', () => {
  const strings = ['', 'a', 'Chợ Bến Thành', 'Quán phở Hà Nội 🍜', 'x'.repeat(70), 'ý'.repeat(40), '3F1C2A9E-7B4D-4E2A-9C51-0D8E6F7A1B2C', '3f1c2a9e7b4d4e2a9c510d8e6f7a1b2c', '\u0000\u007f\u0080'];
  const keys = ['e', 'v', 'p', 'd', 'nguoi', 'khóa', 'k'.repeat(31), 'ẫẫẫẫẫẫẫẫẫẫ', '__proto__', 'constructor', 'toString', '0', '10'];
  const numbers = [0, 1, 127, 128, 16_383, 16_384, Number.MAX_SAFE_INTEGER, -1, -128, -Number.MAX_SAFE_INTEGER, 1.5, -0, 1e300, Number.MAX_SAFE_INTEGER + 2];

  it('encodes every body tried byte for byte as before, and decodes it back to the same answer', () => {
    const random = rng(2021);
    for (let n = 0; n < 3000; n++) {
      const body: TokenBody = {};
      const fields = random(5);
      for (let f = 0; f < fields; f++) {
        const key = keys[random(keys.length)]!;
        const kind = random(3);
        const value = kind === 0 ? crypto.randomUUID() : kind === 1 ? strings[random(strings.length)]! : numbers[random(numbers.length)]!;
        // an own property even for "__proto__" (a body parsed from JSON can have one)
        Object.defineProperty(body, key, { value, writable: true, enumerable: true, configurable: true });
      }
      const type = ['v', 'p', 've', 'loại', 't'.repeat(31)][random(5)]!;
      const expiresAt = random(2) ? new Date(random(2) ? 0 : 1_900_000_000_000 + random(1e9)) : null;
      const bytes = encodePayload(type, body, expiresAt);
      expect(bytes.equals(refEncode(type, body, expiresAt))).toBe(true);
      const decoded = decodePayload(bytes);
      expect(decoded).toEqual(refDecode(bytes));
      expect(Object.entries(decoded.body)).toEqual(Object.entries(refDecode(bytes).body));
      expect(Object.getPrototypeOf(decoded.body)).toBe(Object.prototype);
    }
  });

  it('refuses the same types, keys and values as before', () => {
    for (const [type, body] of [['', {}], ['t'.repeat(32), {}], ['ẫẫẫẫẫẫẫẫẫẫẫ', {}], ['v', { '': 1 }], ['v', { ['k'.repeat(32)]: 1 }], ['v', { t: 1 }], ['v', { x: 'a' }], ['v', { n: Number.NaN }], ['v', { n: Infinity }], ['v', { b: true as unknown as string }]] as const) {
      expect(() => encodePayload(type, body as TokenBody, null)).toThrow(TypeError);
    }
  });

  it('decodes every altered payload to what the plain decoder gives, or refuses it as it does', () => {
    const random = rng(7);
    const samples = [
      encodePayload('v', { e: crypto.randomUUID(), v: crypto.randomUUID() }, new Date(1_900_000_000_000)),
      encodePayload('p', { p: crypto.randomUUID(), s: 'Chợ Bến Thành', n: -300, f: 2.5 }, null),
      encodePayload('ve', { s: 'x'.repeat(100), u: 'ý'.repeat(30) }, null),
    ];
    for (let n = 0; n < 4000; n++) {
      const bytes = Buffer.from(samples[random(samples.length)]!);
      const changes = 1 + random(3);
      for (let c = 0; c < changes; c++) bytes[random(bytes.length)] = random(256);
      const cut = random(4) === 0 ? bytes.subarray(0, random(bytes.length + 1)) : bytes;
      expect(outcome(() => decodePayload(cut))).toEqual(outcome(() => refDecode(cut)));
    }
    // a byte-order mark inside a string is kept by both (fatal decoder, ignoreBOM false strips only a leading one)
    const bom = Buffer.from([0x41, 0x76, 0x01, 0x73, 0x03, 0xef, 0xbb, 0xbf]);
    expect(outcome(() => decodePayload(bom))).toEqual(outcome(() => refDecode(bom)));
  });
});
