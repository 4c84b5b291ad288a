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
import type { KeyRing, KeyVerifier } from './keys';
import type { VerifyPool } from './verify-pool';
import { KID_LENGTH } from './keys';
import { SIGNATURE_BYTES } from './ed25519';

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
  const [payloadEnd, kidEnd] = tokenShape(token, SIGNATURE_CHARS);
  const kid = token.slice(payloadEnd + 1, kidEnd);
  if (!signatureMatches(usableVerifier(ring, kid), token, kidEnd)) throw new SignatureError('bad_signature');
  return checkDecoded(token.slice(0, payloadEnd), kid, opts);
}

/**
 * verify(), with the signature's math done by a worker thread of `pool` (verify-pool.ts) when it has one, so the
 * event loop is not held for it; the same checks in the same order and the same answers (a worker that cannot answer
 * is replaced by the check on the event loop). Without a pool, or with an empty one, it is verify() itself. For the
 * check-in path's first-seen QR codes; a token seen before is answered from the callers' caches without this.
 */
export async function verifyAsync(ring: KeyRing, token: string, opts: VerifyOptions, pool?: VerifyPool | null): Promise<VerifiedToken> {
  if (!pool?.size) return verify(ring, token, opts);
  const [payloadEnd, kidEnd] = tokenShape(token, SIGNATURE_CHARS);
  const kid = token.slice(payloadEnd + 1, kidEnd);
  const verifier = usableVerifier(ring, kid);
  const ok = await pool.check(verifier.rawPublicKey, token, kidEnd, () => signatureMatches(verifier, token, kidEnd));
  // the key may have been retired while the worker checked: refused as verify() would refuse it now
  usableVerifier(ring, kid);
  if (!ok) throw new SignatureError('bad_signature');
  return checkDecoded(token.slice(0, payloadEnd), kid, opts);
}

type UsableVerifier = Extract<KeyVerifier, { status: 'ok' }>;

/** The key's check, or `unknown_key` / `retired_key`. */
function usableVerifier(ring: KeyRing, kid: string): UsableVerifier {
  const verifier = ring.verifierFor(kid);
  if (verifier.status === 'unknown') throw new SignatureError('unknown_key');
  if (verifier.status === 'retired') throw new SignatureError('retired_key');
  return verifier;
}

/** Whether the signature after the dot at `kidEnd` matches the signing input before it, on this thread. */
function signatureMatches(verifier: UsableVerifier, token: string, kidEnd: number): boolean {
  // The signing input (payload "." kid, ASCII: the shape check allowed nothing else) and the signature are written
  // into buffers of this module rather than new ones per check: the check is synchronous, so nothing else uses them
  // meanwhile, and a first-seen QR code (every cold check-in) saves the allocations and their garbage.
  const inputBytes = SCRATCH_INPUT.write(token.slice(0, kidEnd), 0, 'latin1');
  SCRATCH_SIGNATURE.write(token.slice(kidEnd + 1), 0, 'base64url');
  return verifier.verify(SCRATCH_INPUT.subarray(0, inputBytes), SCRATCH_SIGNATURE);
}

/** Room for the longest signing input (a token is at most MAX_TOKEN_CHARS characters) and for one signature. */
const SCRATCH_INPUT = Buffer.alloc(MAX_TOKEN_CHARS);
const SCRATCH_SIGNATURE = Buffer.alloc(SIGNATURE_BYTES);
/** The decoded payload (base64url: 3 bytes for every 4 characters). */
const SCRATCH_PAYLOAD = Buffer.alloc(Math.ceil((MAX_TOKEN_CHARS * 3) / 4));

/**
 * Where the payload and the kid of a well-shaped token end (the positions of its two dots), whose tag has `tagChars`
 * characters; `malformed` otherwise. Well-shaped: exactly three parts; payload and tag canonical unpadded base64url;
 * a kid of KID_LENGTH base64url characters.
 */
function tokenShape(token: string, tagChars: number): [number, number] {
  if (typeof token !== 'string' || token.length > MAX_TOKEN_CHARS || !shapeOf(tagChars).test(token)) throw new SignatureError('malformed');
  const kidEnd = token.length - tagChars - 1;
  const payloadEnd = kidEnd - KID_LENGTH - 1;
  if (!canonicalTail(token, 0, payloadEnd) || !canonicalTail(token, kidEnd + 1, token.length)) throw new SignatureError('malformed');
  return [payloadEnd, kidEnd];
}

/** payload "." kid "." tag in base64url characters, with a kid of KID_LENGTH and a tag of `tagChars` characters. */
const SHAPES = new Map<number, RegExp>();
const shapeOf = (tagChars: number) => {
  let re = SHAPES.get(tagChars);
  if (!re) SHAPES.set(tagChars, (re = new RegExp(`^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]{${KID_LENGTH}}\\.[A-Za-z0-9_-]{${tagChars}}$`)));
  return re;
};

/** payload, kid and tag of a well-shaped token whose tag has `tagChars` characters; `malformed` otherwise. */
function tokenParts(token: string, tagChars: number): [string, string, string] {
  const [payloadEnd, kidEnd] = tokenShape(token, tagChars);
  return [token.slice(0, payloadEnd), token.slice(payloadEnd + 1, kidEnd), token.slice(kidEnd + 1)];
}

/** The checks after the signature or MAC: payload shape, type, expiry. */
function checkDecoded(payload: string, kid: string, opts: VerifyOptions): VerifiedToken {
  let decoded: { type: string; body: TokenBody; expiresAt: Date | null };
  try {
    decoded = decodePayload(SCRATCH_PAYLOAD.subarray(0, SCRATCH_PAYLOAD.write(payload, 0, 'base64url')));
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
  return ring.verifierFor(tokenKid(token)).status === 'ok';
}

/** The key id a token (signed or MAC'd) names: the KID_LENGTH characters after its first dot. */
export function tokenKid(token: string): string {
  const dot = token.indexOf('.');
  return token.slice(dot + 1, dot + 1 + KID_LENGTH);
}

/** Tells a MAC'd token from a signed one by its shape (for callers that accept both). */
export function isMacToken(token: string): boolean {
  return typeof token === 'string' && token.length - token.lastIndexOf('.') - 1 === MAC_CHARS;
}

// ── encoding ───────────────────────────────────────────────────────────────

function signingInput(payload: string, kid: string): Buffer {
  return Buffer.from(`${payload}.${kid}`, 'ascii');
}

/** The 6-bit value of each base64url character (RFC 4648 §5) by its code. */
const B64URL_VALUE = new Uint8Array(128);
for (const [i, c] of [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'].entries()) B64URL_VALUE[c.charCodeAt(0)] = i;

/**
 * Whether s[from, to), base64url characters only (tokenShape's pattern), is canonical unpadded base64url: the only
 * spelling of its bytes, i.e. what encoding the decoded bytes gives back. A length of 4n + 1 characters spells no
 * whole byte; with 4n + 2 or 4n + 3 the last character carries 4 or 2 bits beyond the last byte, which must be zero
 * (else another character would decode to the same bytes). Computed from the last character instead of decoding and
 * encoding again (two copies of every first-seen token).
 */
function canonicalTail(s: string, from: number, to: number): boolean {
  const rest = (to - from) % 4;
  if (rest === 1) return false;
  return rest === 0 || (B64URL_VALUE[s.charCodeAt(to - 1)]! & (rest === 2 ? 0x0f : 0x03)) === 0;
}

/** Exported for tests and tooling; most callers want `sign`. */
export function encodePayload(type: string, body: TokenBody, expiresAt: Date | null): Buffer {
  const out: number[] = [];
  const typeLength = shortUtf8(type, `signing: token type must be 1..${MAX_SHORT_LEN} bytes`);
  out.push((VERSION << 6) | (expiresAt ? 0x20 : 0) | typeLength);
  pushUtf8(out, type);
  if (expiresAt) {
    const ms = expiresAt.getTime();
    if (!Number.isFinite(ms) || ms < 0) throw new TypeError('signing: invalid expiresAt');
    writeVarint(out, Math.floor(ms / 1000));
  }
  for (const [key, value] of Object.entries(body)) {
    const keyLength = shortUtf8(key, `signing: body key must be 1..${MAX_SHORT_LEN} bytes: ${JSON.stringify(key)}`);
    if (RESERVED_KEYS.has(key)) throw new TypeError(`signing: body key "${key}" is reserved`);
    if (typeof value === 'string') {
      if (value.length === 36 && UUID.test(value)) {
        out.push((TAG_UUID << 5) | keyLength);
        pushUtf8(out, key);
        pushUuid(out, value);
      } else {
        out.push((TAG_STRING << 5) | keyLength);
        pushUtf8(out, key);
        const v = isAscii(value) ? null : utf8.encode(value);
        writeVarint(out, v ? v.length : value.length);
        if (v) for (const byte of v) out.push(byte);
        else pushUtf8(out, value);
      }
    } else if (typeof value === 'number') {
      if (!Number.isFinite(value)) throw new TypeError(`signing: body value for "${key}" is not finite`);
      if (Number.isSafeInteger(value) && !Object.is(value, -0)) {
        out.push(((value >= 0 ? TAG_UINT : TAG_NEGINT) << 5) | keyLength);
        pushUtf8(out, key);
        writeVarint(out, value >= 0 ? value : -value - 1);
      } else {
        const f = Buffer.alloc(8);
        f.writeDoubleBE(value);
        out.push((TAG_FLOAT << 5) | keyLength);
        pushUtf8(out, key);
        for (const byte of f) out.push(byte);
      }
    } else {
      throw new TypeError(`signing: body value for "${key}" must be a string or number`);
    }
  }
  return Buffer.from(out);
}

/** Whether every character of s is ASCII (then its UTF-8 bytes are its character codes). */
function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 0x80) return false;
  return true;
}

/** The UTF-8 length of a type or key, which must be 1..MAX_SHORT_LEN bytes (TypeError `message` otherwise). */
function shortUtf8(s: string, message: string): number {
  const n = isAscii(s) ? s.length : utf8.encode(s).length;
  if (n < 1 || n > MAX_SHORT_LEN) throw new TypeError(message);
  return n;
}

/** Appends the UTF-8 bytes of s. */
function pushUtf8(out: number[], s: string): void {
  if (!isAscii(s)) {
    for (const byte of utf8.encode(s)) out.push(byte);
    return;
  }
  for (let i = 0; i < s.length; i++) out.push(s.charCodeAt(i));
}

/** Appends the 16 bytes of a lowercase UUID (already matched by UUID). */
function pushUuid(out: number[], uuid: string): void {
  for (let i = 0; i < 36; i += 2) {
    if (uuid.charCodeAt(i) === 0x2d) i++; // '-'
    out.push((hexValue(uuid.charCodeAt(i)) << 4) | hexValue(uuid.charCodeAt(i + 1)));
  }
}

/** A lowercase hex digit's value. */
const hexValue = (c: number) => (c <= 0x39 ? c - 0x30 : c - 0x57);

/** Two lowercase hex digits of each byte. */
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Exported for tests and tooling. Throws a plain Error on any malformed input. */
export function decodePayload(bytes: Uint8Array): { type: string; body: TokenBody; expiresAt: Date | null } {
  const r = new Reader(bytes);
  const header = r.byte();
  if (header >> 6 !== VERSION) throw new Error('unsupported version');
  const typeLen = header & 0x1f;
  if (typeLen === 0) throw new Error('empty type');
  const type = r.utf8(typeLen);
  const expiresAt = header & 0x20 ? new Date(r.varint() * 1000) : null;
  const body: TokenBody = {};
  while (!r.done()) {
    const fhead = r.byte();
    const tag = fhead >> 5;
    const keyLen = fhead & 0x1f;
    if (keyLen === 0) throw new Error('empty key');
    const key = r.utf8(keyLen);
    if (Object.hasOwn(body, key) || RESERVED_KEYS.has(key)) throw new Error('duplicate or reserved key');
    let value: string | number;
    switch (tag) {
      case TAG_STRING:
        value = r.utf8(r.varint());
        break;
      case TAG_UUID: {
        const b = r.bytes(16);
        let h = '';
        for (let i = 0; i < 16; i++) h += (i === 4 || i === 6 || i === 8 || i === 10 ? '-' : '') + HEX[b[i]!];
        value = h;
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
    // an own data property, as Object.fromEntries makes (an assignment would set the prototype for "__proto__")
    if (key === '__proto__') Object.defineProperty(body, key, { value, writable: true, enumerable: true, configurable: true });
    else body[key] = value;
  }
  return { type, body, expiresAt };
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

  /** n bytes of UTF-8 (invalid UTF-8 throws); short ASCII runs (types, keys, most values) without a decoder call. */
  utf8(n: number): string {
    const b = this.bytes(n);
    if (n > 64) return utf8Strict.decode(b);
    let s = '';
    for (let i = 0; i < n; i++) {
      const c = b[i]!;
      if (c >= 0x80) return utf8Strict.decode(b);
      s += String.fromCharCode(c);
    }
    return s;
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
