/**
 * Off-main-thread verification of signed tokens for the check-in hot path.
 *
 * platform/signing's verify() checks the Ed25519 signature synchronously (~0.1 ms of event-loop time per token on
 * a small server). A check-in carries a personal token the process has usually not seen before, so that cost is
 * paid on most requests. This does the same checks in the same order, but runs the signature check in libuv's
 * thread pool (node:crypto's callback form), so the event loop keeps serving requests meanwhile.
 *
 * Suggested to move into platform/signing as `verifyAsync` (it relies only on that module's exported pieces).
 */
import { createPublicKey, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import { decodePayload, SignatureError, type KeyRing, type VerifiedToken, type VerifyOptions } from '../../platform/signing';

const KID = /^[A-Za-z0-9_-]{6}$/;
const B64URL = /^[A-Za-z0-9_-]+$/;
const MAX_TOKEN_CHARS = 4096;

const canonical = (s: string) => s.length > 0 && B64URL.test(s) && Buffer.from(s, 'base64url').toString('base64url') === s;

const keyCache = new WeakMap<KeyRing, Map<string, KeyObject>>();

function publicKeyOf(ring: KeyRing, kid: string): KeyObject | null {
  let m = keyCache.get(ring);
  if (!m) keyCache.set(ring, (m = new Map()));
  let k = m.get(kid);
  if (!k) {
    const info = ring.publicKeys().find((p) => p.kid === kid);
    if (!info) return null;
    k = createPublicKey(info.publicKeyPem);
    m.set(kid, k);
  }
  return k;
}

export async function verifyAsync(ring: KeyRing, token: string, opts: VerifyOptions): Promise<VerifiedToken> {
  if (typeof token !== 'string' || token.length > MAX_TOKEN_CHARS) throw new SignatureError('malformed');
  const parts = token.split('.');
  if (parts.length !== 3) throw new SignatureError('malformed');
  const [payload, kid, sig] = parts as [string, string, string];
  if (!canonical(payload) || !KID.test(kid) || sig.length !== 86 || !canonical(sig)) throw new SignatureError('malformed');

  const status = ring.verifierFor(kid).status;
  if (status === 'unknown') throw new SignatureError('unknown_key');
  if (status === 'retired') throw new SignatureError('retired_key');
  const key = publicKeyOf(ring, kid);
  if (!key) throw new SignatureError('unknown_key');
  const ok = await new Promise<boolean>((resolve, reject) =>
    cryptoVerify(null, Buffer.from(`${payload}.${kid}`, 'ascii'), key, Buffer.from(sig, 'base64url'), (err, valid) => (err ? reject(err) : resolve(valid))),
  );
  if (!ok) throw new SignatureError('bad_signature');

  let decoded: ReturnType<typeof decodePayload>;
  try {
    decoded = decodePayload(Buffer.from(payload, 'base64url'));
  } catch {
    throw new SignatureError('malformed');
  }
  const expected = typeof opts.expectedType === 'string' ? [opts.expectedType] : opts.expectedType;
  if (!expected.includes(decoded.type)) throw new SignatureError('wrong_type');
  if (decoded.expiresAt && opts.now.getTime() >= decoded.expiresAt.getTime()) throw new SignatureError('expired');
  const result: VerifiedToken = { type: decoded.type, body: decoded.body, kid };
  if (decoded.expiresAt) result.expiresAt = decoded.expiresAt;
  return result;
}
