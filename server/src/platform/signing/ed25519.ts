// Ed25519 signing and verification for the KeyRing: libsodium (npm `sodium-native`, ≈ 45 µs a verification on the
// 2-core box) when its native module loads, else node:crypto (OpenSSL, ≈ 105 µs): the same answers either way
// (Ed25519 is deterministic, RFC 8032), so tokens signed by one verify with the other and printed posters keep working.
// sodium-native ships prebuilt binaries for glibc Linux, macOS and Windows only: on a musl system (Alpine) or an
// architecture without a prebuild the require throws, and the server runs on node:crypto with one warning at start
// (buildApp logs `fallbackReason`).
import { createRequire } from 'node:module';
import { createPublicKey, sign as nodeSign, verify as nodeVerify, type KeyObject } from 'node:crypto';

/** The key material a backend needs: node:crypto's key objects and libsodium's raw bytes of the same pair. */
export interface Ed25519Key {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** raw 32-byte public key */
  rawPublicKey: Buffer;
  /** libsodium's 64-byte secret key: seed ‖ public key */
  secretKey: Buffer;
}

/** What a verification needs of a key: the public half in both forms (the verification worker has no private key). */
export type Ed25519PublicKey = Pick<Ed25519Key, 'publicKey' | 'rawPublicKey'>;

export interface Ed25519 {
  readonly name: 'libsodium' | 'node:crypto';
  /** Why libsodium is not used, when it was wanted and did not load (null otherwise). */
  readonly fallbackReason: string | null;
  sign(data: Uint8Array, key: Ed25519Key): Buffer;
  /** A check bound to one key, made once per key (it runs on every first-seen QR code). */
  verifier(key: Ed25519PublicKey): (data: Uint8Array, signature: Uint8Array) => boolean;
}

export const SIGNATURE_BYTES = 64;
export const PUBLIC_KEY_BYTES = 32;
export const SECRET_KEY_BYTES = 64;

/** The parts of sodium-native used here (see sodium-native.d.ts). */
type Sodium = typeof import('sodium-native').default;

function libsodium(sodium: Sodium): Ed25519 {
  return {
    name: 'libsodium',
    fallbackReason: null,
    sign(data, key) {
      const signature = Buffer.alloc(sodium.crypto_sign_BYTES);
      sodium.crypto_sign_detached(signature, data, key.secretKey);
      return signature;
    },
    verifier: (key) => (data, signature) => signature.length === SIGNATURE_BYTES && sodium.crypto_sign_verify_detached(signature, data, key.rawPublicKey),
  };
}

/** node:crypto (OpenSSL through the key objects), on the calling thread like libsodium's. */
export function nodeCryptoEd25519(fallbackReason: string | null = null): Ed25519 {
  return {
    name: 'node:crypto',
    fallbackReason,
    sign: (data, key) => nodeSign(null, data, key.privateKey),
    verifier: (key) => (data, signature) => signature.length === SIGNATURE_BYTES && nodeVerify(null, data, key.publicKey, signature),
  };
}

const requireHere = createRequire(import.meta.url);

/**
 * libsodium when `load` gives a working sodium-native, else node:crypto with the reason. `load` is the module's
 * require (tests pass one that throws, as on a machine with no prebuilt binary).
 */
export function loadEd25519(load: () => unknown = () => requireHere('sodium-native')): Ed25519 {
  try {
    const mod = load() as Sodium & { default?: Sodium };
    const sodium = (mod.default ?? mod) as Sodium;
    if (typeof sodium.crypto_sign_verify_detached !== 'function' || sodium.crypto_sign_BYTES !== SIGNATURE_BYTES)
      throw new Error('sodium-native has no crypto_sign_verify_detached');
    return libsodium(sodium);
  } catch (err) {
    const message = String((err as Error)?.message ?? err).split('\n')[0]!.slice(0, 200);
    return nodeCryptoEd25519(`sodium-native did not load (${message})`);
  }
}

/** A verification key from the raw 32 bytes of an Ed25519 public key (what the verification worker receives). */
export function publicKeyFromRaw(raw: Uint8Array): Ed25519PublicKey {
  const rawPublicKey = Buffer.from(raw);
  if (rawPublicKey.length !== PUBLIC_KEY_BYTES) throw new Error('signing: an Ed25519 public key is 32 bytes');
  return { rawPublicKey, publicKey: createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: rawPublicKey.toString('base64url') }, format: 'jwk' }) };
}

/** The process's backend, chosen once when the module is first imported. */
export const ed25519: Ed25519 = loadEd25519();
