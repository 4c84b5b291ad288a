/**
 * Compact signed tokens for QR codes and links (`https://host/c/<token>`).
 *
 * Token format (version 1)
 * ------------------------
 *
 *     token     = payload "." kid "." signature
 *     payload   = base64url(P)                       unpadded, RFC 4648 §5
 *     kid       = 6 base64url chars                  the signing key (see keys.ts)
 *     signature = base64url(Ed25519(ASCII(payload "." kid)))   always 86 chars (64 bytes)
 *
 * The token uses only [A-Za-z0-9_.-], so it is URL-safe without escaping. The payload is a compact binary
 * encoding of the logical object {t: type, ...body, x?: expiry} (JSON would be ~2x longer):
 *
 *     P        = header typeBytes [expiry] field*
 *     header   = 1 byte: bits 7..6 = version (01), bit 5 = has expiry, bits 4..0 = byte length of type (1..31)
 *     typeBytes= UTF-8 of the type, e.g. "ve"
 *     expiry   = varint: Unix time in whole seconds; the token is expired when now >= expiry
 *     field    = fhead keyBytes value
 *     fhead    = 1 byte: bits 7..5 = value tag, bits 4..0 = byte length of key (1..31)
 *     keyBytes = UTF-8 of the body key (keys "t" and "x" are reserved)
 *     value by tag:
 *       0 string   varint byte length, UTF-8 bytes
 *       1 uuid     16 raw bytes; used for strings in canonical lowercase UUID form, decoded back to that form
 *       2 uint     varint (0 ≤ n ≤ 2^53-1)
 *       3 negint   varint of (-n - 1) for safe negative integers
 *       4 float64  8 bytes big-endian IEEE 754 (other finite numbers)
 *     varint   = unsigned LEB128, at most 8 bytes, minimal (no trailing 0x00 group)
 *
 * Fields keep the body's key order; duplicate keys, unknown tags, trailing bytes or non-canonical base64url
 * make a token `malformed`. The signature is checked before the payload is decoded, so any change to a
 * signed payload is reported as `bad_signature`.
 *
 * Size: a venue-entrance token `sign(ring, 've', { e: <uuid> })` is 122 characters
 * (28 payload + 1 + 6 kid + 1 + 86 signature); with an expiry add ~7. The Ed25519 signature is fixed at
 * 86 characters, so keep bodies to one or two short fields.
 *
 * Verification order: malformed (shape) → unknown_key → retired_key → bad_signature → malformed (payload)
 * → wrong_type → expired.
 *
 * MAC'd tokens (signMac / verifyMac) have the same payload and kid, and instead of the signature
 *
 *     mac       = base64url(HMAC-SHA256(macKey(kid), ASCII(payload "." kid)))   always 43 chars (32 bytes)
 *
 * where macKey(kid) is derived from that key pair's private key (keys.ts). The two kinds never verify as each
 * other (different lengths), and a MAC'd token can only be checked by a holder of the private key.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { KeyRing } from './keys';
import { KID_LENGTH, KID_PATTERN } from './keys';

export type SignatureErrorReason =
  | 'malformed'
  | 'unknown_key'
  | 'bad_signature'
  | 'expired'
  | 'wrong_type'
  | 'retired_key';

export class SignatureError extends Error {
  override readonly name = 'SignatureError';
  constructor(
    readonly reason: SignatureErrorReason,
    message?: string,
  ) {
    super(message ?? `invalid signed token: ${reason}`);
  }
}

export type TokenBody = Record<string, string | number>;

export interface SignOptions {
  /** After this instant the token no longer verifies (stored with 1-second precision, rounded down). */
  expiresAt?: Date | null;
}

export interface VerifyOptions {
  /** The type (or types) the caller accepts; anything else is `wrong_type`. */
  expectedType: string | readonly string[];
  /** The current time (from the configured clock). */
  now: Date;
}

export interface VerifiedToken {
  type: string;
  body: TokenBody;
  kid: string;
  expiresAt?: Date;
}

const VERSION = 1;
const MAX_SHORT_LEN = 31;
const SIGNATURE_CHARS = 86; // base64url of 64 bytes
const MAX_TOKEN_CHARS = 4096;
const B64URL = /^[A-Za-z0-9_-]+$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const RESERVED_KEYS = new Set(['t', 'x']);

const TAG_STRING = 0;
const TAG_UUID = 1;
const TAG_UINT = 2;
const TAG_NEGINT = 3;
const TAG_FLOAT = 4;

const utf8 = new TextEncoder();
const utf8Strict = new TextDecoder('utf-8', { fatal: true });

// ── public API ─────────────────────────────────────────────────────────────

/** Signs `body` as a token of `type` with the ring's active key. */
export function sign(ring: KeyRing, type: string, body: TokenBody, opts: SignOptions = {}): string {
  const payload = encodePayload(type, body, opts.expiresAt ?? null).toString('base64url');
  const kid = ring.activeKid; // synchronous: the same key signs below
  const { signature } = ring.signBytes(signingInput(payload, kid));
  return `${payload}.${kid}.${signature.toString('base64url')}`;
}

/** Verifies a token and returns its content, or throws `SignatureError`. */
export function verify(ring: KeyRing, token: string, opts: VerifyOptions): VerifiedToken {
  const { payload, kid, sig, verifier } = signedParts(ring, token);
  if (!verifier.verify(signingInput(payload, kid), Buffer.from(sig, 'base64url'))) throw new SignatureError('bad_signature');
  return checkDecoded(payload, kid, opts);
}

/** The parts of a signed token and the verifier of its key (shape and key checked, signature not yet). */
function signedParts(ring: KeyRing, token: string) {
  const [payload, kid, sig] = tokenParts(token, SIGNATURE_CHARS);
  const verifier = ring.verifierFor(kid);
  if (verifier.status === 'unknown') throw new SignatureError('unknown_key');
  if (verifier.status === 'retired') throw new SignatureError('retired_key');
  return { payload, kid, sig, verifier };
}

/** payload, kid and tag of a well-shaped token whose tag has `tagChars` characters; `malformed` otherwise. */
function tokenParts(token: string, tagChars: number): [string, string, string] {
  if (typeof token !== 'string' || token.length > MAX_TOKEN_CHARS) throw new SignatureError('malformed');
  const parts = token.split('.');
  if (parts.length !== 3) throw new SignatureError('malformed');
  const [payload, kid, tag] = parts as [string, string, string];
  if (!isCanonicalB64url(payload) || !KID_PATTERN.test(kid)) throw new SignatureError('malformed');
  if (tag.length !== tagChars || !isCanonicalB64url(tag)) throw new SignatureError('malformed');
  return [payload, kid, tag];
}

/** The checks after the signature or MAC: payload shape, type, expiry. */
function checkDecoded(payload: string, kid: string, opts: VerifyOptions): VerifiedToken {
  let decoded: { type: string; body: TokenBody; expiresAt: Date | null };
  try {
    decoded = decodePayload(Buffer.from(payload, 'base64url'));
  } catch {
    throw new SignatureError('malformed');
  }

  const expected = typeof opts.expectedType === 'string' ? [opts.expectedType] : opts.expectedType;
  if (!expected.includes(decoded.type)) throw new SignatureError('wrong_type');
  if (decoded.expiresAt && opts.now.getTime() >= decoded.expiresAt.getTime()) {
    throw new SignatureError('expired');
  }

  const result: VerifiedToken = { type: decoded.type, body: decoded.body, kid };
  if (decoded.expiresAt) result.expiresAt = decoded.expiresAt;
  return result;
}

const MAC_CHARS = 43; // base64url of 32 bytes

function mac(key: Buffer, payload: string, kid: string): Buffer {
  return createHmac('sha256', key).update(signingInput(payload, kid)).digest();
}

/** Like sign(), with an HMAC tag of the active key pair's MAC key: for tokens only this deployment verifies. */
export function signMac(ring: KeyRing, type: string, body: TokenBody, opts: SignOptions = {}): string {
  const payload = encodePayload(type, body, opts.expiresAt ?? null).toString('base64url');
  const { kid, key } = ring.activeMacKey();
  return `${payload}.${kid}.${mac(key, payload, kid).toString('base64url')}`;
}

/** Like verify(), for tokens made by signMac(). Same errors, in the same order. */
export function verifyMac(ring: KeyRing, token: string, opts: VerifyOptions): VerifiedToken {
  const [payload, kid, tag] = tokenParts(token, MAC_CHARS);
  const k = ring.macKeyFor(kid);
  if (k.status === 'unknown') throw new SignatureError('unknown_key');
  if (k.status === 'retired') throw new SignatureError('retired_key');
  if (!timingSafeEqual(mac(k.key, payload, kid), Buffer.from(tag, 'base64url'))) throw new SignatureError('bad_signature');
  return checkDecoded(payload, kid, opts);
}

/**
 * Whether the key named in a token (signed or MAC'd) is still usable: known and not retired. For caches of tokens
 * verified before, so a retired key takes effect at once without verifying again.
 */
export function tokenKeyUsable(ring: KeyRing, token: string): boolean {
  const dot = token.indexOf('.');
  return ring.verifierFor(token.slice(dot + 1, dot + 1 + KID_LENGTH)).status === 'ok';
}

/** Tells a MAC'd token from a signed one by its shape (for callers that accept both). */
export function isMacToken(token: string): boolean {
  return typeof token === 'string' && token.length - token.lastIndexOf('.') - 1 === MAC_CHARS;
}

// ── encoding ───────────────────────────────────────────────────────────────

function signingInput(payload: string, kid: string): Buffer {
  return Buffer.from(`${payload}.${kid}`, 'ascii');
}

function isCanonicalB64url(s: string): boolean {
  return s.length > 0 && B64URL.test(s) && Buffer.from(s, 'base64url').toString('base64url') === s;
}

/** Exported for tests and tooling; most callers want `sign`. */
export function encodePayload(type: string, body: TokenBody, expiresAt: Date | null): Buffer {
  const out: number[] = [];
  const typeBytes = utf8.encode(type);
  if (typeBytes.length < 1 || typeBytes.length > MAX_SHORT_LEN) {
    throw new TypeError(`signing: token type must be 1..${MAX_SHORT_LEN} bytes`);
  }
  out.push((VERSION << 6) | (expiresAt ? 0x20 : 0) | typeBytes.length, ...typeBytes);
  if (expiresAt) {
    const ms = expiresAt.getTime();
    if (!Number.isFinite(ms) || ms < 0) throw new TypeError('signing: invalid expiresAt');
    writeVarint(out, Math.floor(ms / 1000));
  }
  for (const [key, value] of Object.entries(body)) {
    const keyBytes = utf8.encode(key);
    if (keyBytes.length < 1 || keyBytes.length > MAX_SHORT_LEN) {
      throw new TypeError(`signing: body key must be 1..${MAX_SHORT_LEN} bytes: ${JSON.stringify(key)}`);
    }
    if (RESERVED_KEYS.has(key)) throw new TypeError(`signing: body key "${key}" is reserved`);
    if (typeof value === 'string') {
      if (UUID.test(value)) {
        out.push((TAG_UUID << 5) | keyBytes.length, ...keyBytes, ...Buffer.from(value.replaceAll('-', ''), 'hex'));
      } else {
        const v = utf8.encode(value);
        out.push((TAG_STRING << 5) | keyBytes.length, ...keyBytes);
        writeVarint(out, v.length);
        out.push(...v);
      }
    } else if (typeof value === 'number') {
      if (!Number.isFinite(value)) throw new TypeError(`signing: body value for "${key}" is not finite`);
      if (Number.isSafeInteger(value) && !Object.is(value, -0)) {
        out.push(((value >= 0 ? TAG_UINT : TAG_NEGINT) << 5) | keyBytes.length, ...keyBytes);
        writeVarint(out, value >= 0 ? value : -value - 1);
      } else {
        const f = Buffer.alloc(8);
        f.writeDoubleBE(value);
        out.push((TAG_FLOAT << 5) | keyBytes.length, ...keyBytes, ...f);
      }
    } else {
      throw new TypeError(`signing: body value for "${key}" must be a string or number`);
    }
  }
  return Buffer.from(out);
}

/** Exported for tests and tooling. Throws a plain Error on any malformed input. */
export function decodePayload(bytes: Uint8Array): { type: string; body: TokenBody; expiresAt: Date | null } {
  const r = new Reader(bytes);
  const header = r.byte();
  if (header >> 6 !== VERSION) throw new Error('unsupported version');
  const typeLen = header & 0x1f;
  if (typeLen === 0) throw new Error('empty type');
  const type = r.utf8(typeLen);
  const expiresAt = header & 0x20 ? new Date(r.varint() * 1000) : null;
  const entries: Array<[string, string | number]> = [];
  const seen = new Set<string>();
  while (!r.done()) {
    const fhead = r.byte();
    const tag = fhead >> 5;
    const keyLen = fhead & 0x1f;
    if (keyLen === 0) throw new Error('empty key');
    const key = r.utf8(keyLen);
    if (seen.has(key) || RESERVED_KEYS.has(key)) throw new Error('duplicate or reserved key');
    seen.add(key);
    let value: string | number;
    switch (tag) {
      case TAG_STRING:
        value = r.utf8(r.varint());
        break;
      case TAG_UUID: {
        const h = Buffer.from(r.bytes(16)).toString('hex');
        value = `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
        break;
      }
      case TAG_UINT:
        value = r.varint();
        break;
      case TAG_NEGINT:
        value = -r.varint() - 1;
        break;
      case TAG_FLOAT:
        value = Buffer.from(r.bytes(8)).readDoubleBE(0);
        if (!Number.isFinite(value)) throw new Error('non-finite number');
        break;
      default:
        throw new Error('unknown tag');
    }
    entries.push([key, value]);
  }
  return { type, body: Object.fromEntries(entries), expiresAt };
}

function writeVarint(out: number[], n: number): void {
  if (!Number.isSafeInteger(n) || n < 0) throw new TypeError('signing: varint out of range');
  do {
    const low = n % 128;
    n = Math.floor(n / 128);
    out.push(n > 0 ? low | 0x80 : low);
  } while (n > 0);
}

class Reader {
  private pos = 0;
  constructor(private readonly buf: Uint8Array) {}

  done(): boolean {
    return this.pos >= this.buf.length;
  }

  byte(): number {
    if (this.pos >= this.buf.length) throw new Error('truncated');
    return this.buf[this.pos++]!;
  }

  bytes(n: number): Uint8Array {
    if (this.pos + n > this.buf.length) throw new Error('truncated');
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }

  utf8(n: number): string {
    return utf8Strict.decode(this.bytes(n));
  }

  varint(): number {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 8; i++) {
      const b = this.byte();
      result += (b & 0x7f) * scale;
      if (!(b & 0x80)) {
        if (i > 0 && b === 0) throw new Error('non-minimal varint');
        if (!Number.isSafeInteger(result)) throw new Error('varint out of range');
        return result;
      }
      scale *= 128;
    }
    throw new Error('varint too long');
  }
}
