/**
 * platform/signing — keys and compact signatures for QR payloads (and later certificates).
 *
 * Keys
 * ----
 * A `KeyRing` holds Ed25519 key pairs. On disk a ring is a directory (config supplies it,
 * normally `<dataDir>/keys`, mode 0700) with one JSON file per key, mode 0600:
 *
 *     <kid>.json  { "kid", "alg": "Ed25519", "createdAt", "privateKeyPem", "publicKeyPem", "retiredAt"? }
 *
 * - `KeyRing.open(dir, { clock })` loads every key file and creates the first key if there is none.
 * - The newest key that is not retired is the *active* key; it signs. Older keys stay in the ring and
 *   keep verifying tokens they signed, so rotation never invalidates printed posters.
 * - `rotate()` creates a new active key. Use it routinely (e.g. yearly) or after staff turnover.
 * - `retire(kid)` marks a key as retired: tokens signed with it no longer verify (`retired_key`). Use it
 *   when a private key may be compromised; then reprint what it signed. If the retired key was the last
 *   usable one, a new key is created so the ring can always sign.
 * - `kid` is 6 base64url characters of SHA-256(raw public key): short, to keep QR payloads small.
 * - `KeyRing.inMemory()` gives a ring with no files, for tests.
 *
 * Backups: copy the key directory. Losing it means every printed QR must be reprinted.
 * Never log or return `privateKeyPem`; only `publicKeys()` leaves this module.
 *
 * Tokens (see payload.ts for the exact format)
 * ------
 *     sign(ring, 've', { e: entranceId }, { expiresAt })  → "<payload>.<kid>.<signature>"
 *     verify(ring, token, { expectedType: 've', now })    → { type, body, kid, expiresAt? }  or throws SignatureError
 *     signMac / verifyMac: the same with an HMAC-SHA256 tag instead of the signature, for tokens that only this
 *     deployment ever checks (a phone's remembered identity): 60–100x cheaper to verify, not verifiable by others.
 */
import {
  createHash,
  hkdfSync,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { ed25519 as processEd25519, PUBLIC_KEY_BYTES, SECRET_KEY_BYTES, type Ed25519 } from './ed25519';

/** Anything that tells the time: a function or an object with `now()` (so tests can pin it). */
export type ClockLike = (() => Date) | { now(): Date };

function nowOf(clock: ClockLike): Date {
  return typeof clock === 'function' ? clock() : clock.now();
}

export const KEY_ALG = 'Ed25519' as const;
/** Length of a kid in characters (base64url). */
export const KID_LENGTH = 6;
export const KID_PATTERN = /^[A-Za-z0-9_-]{6}$/;

/** The JSON stored in each key file. */
export interface KeyFile {
  kid: string;
  alg: typeof KEY_ALG;
  createdAt: string;
  privateKeyPem: string;
  publicKeyPem: string;
  retiredAt?: string;
}

/** Public information about a key (safe to show or export). */
export interface PublicKeyInfo {
  kid: string;
  alg: typeof KEY_ALG;
  createdAt: Date;
  retiredAt: Date | null;
  active: boolean;
  publicKeyPem: string;
}

interface LoadedKey {
  file: KeyFile;
  privateKey: KeyObject;
  publicKey: KeyObject;
  /**
   * The same key pair in libsodium's form, which signs and verifies: the raw 32-byte public key and the 64-byte secret
   * key (seed ‖ public key). libsodium's Ed25519 verification costs ≈ 41 µs of CPU on the 2-core box where node:crypto's
   * (OpenSSL through a KeyObject) costs ≈ 105 µs (a first-seen QR code is checked on every cold check-in); both give
   * the same signatures (Ed25519 is deterministic, RFC 8032), so the token format and printed posters are unchanged.
   */
  rawPublicKey: Buffer;
  secretKey: Buffer;
  createdAt: Date;
  retiredAt: Date | null;
  /** HMAC key derived from the private key (macKeyFor), computed on first use. */
  mac?: Buffer;
  /** What verifierFor / macKeyFor answer for this key while it is usable, made once (they run on every check-in). */
  verifier?: KeyVerifier;
  macKey?: MacKey;
}

const UNKNOWN = Object.freeze({ status: 'unknown' as const });
const RETIRED = Object.freeze({ status: 'retired' as const });

/** Result of looking a MAC key up. */
export type MacKey = { status: 'ok'; kid: string; key: Buffer } | { status: 'unknown' } | { status: 'retired' };

/**
 * The symmetric key for MAC'd tokens: HKDF-SHA256 of the raw Ed25519 private key (RFC 5869; a distinct `info`, so
 * it is independent of the signature key). Derived rather than stored, so it rotates, retires and is backed up
 * together with its key pair and needs no new key files.
 */
function deriveMacKey(privateKey: KeyObject): Buffer {
  const d = privateKey.export({ format: 'jwk' }).d;
  if (!d) throw new Error('signing: private key without raw bytes');
  return Buffer.from(hkdfSync('sha256', Buffer.from(d, 'base64url'), 'vigil/signing', 'vigil mac token key v1', 32));
}

/** Result of looking a key up for verification. */
export type KeyVerifier =
  | {
      status: 'ok';
      /**
       * libsodium's check on the calling thread (≈ 45 µs). node:crypto's callback form on libuv's pool cost ≈ 115 µs of
       * CPU per check and is not used; the check-in path's first-seen QR codes go to the signature workers instead
       * (verify-pool.ts: libsodium on a worker thread, checks batched per event-loop turn, ≈ 40 µs a check there and
       * a few µs on the event loop), with this check as their fallback.
       */
      verify(data: Uint8Array, signature: Uint8Array): boolean;
      /** The key's raw 32 public bytes: what a verification worker (verify-pool.ts) is sent with each signature. */
      rawPublicKey: Uint8Array;
    }
  | { status: 'unknown' }
  | { status: 'retired' };

export interface KeyRingOptions {
  clock?: ClockLike;
  /** Ed25519 implementation (default: the process's, libsodium when sodium-native loads; see ed25519.ts). */
  ed25519?: Ed25519;
}

const systemClock: ClockLike = () => new Date();

/** kid = first 6 chars of base64url(SHA-256(raw 32-byte Ed25519 public key)). */
export function kidForPublicKey(publicKey: KeyObject): string {
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  // The raw Ed25519 key is the last 32 bytes of the SPKI structure.
  const raw = spki.subarray(spki.length - 32);
  return createHash('sha256').update(raw).digest('base64url').slice(0, KID_LENGTH);
}

/** The raw key bytes libsodium works with: the public key (32 bytes) and seed ‖ public key (64 bytes). */
function rawKeys(privateKey: KeyObject, publicKey: KeyObject): { rawPublicKey: Buffer; secretKey: Buffer } {
  const { d } = privateKey.export({ format: 'jwk' });
  const { x } = publicKey.export({ format: 'jwk' });
  if (!d || !x) throw new Error('signing: key without raw bytes');
  const rawPublicKey = Buffer.from(x, 'base64url');
  const secretKey = Buffer.concat([Buffer.from(d, 'base64url'), rawPublicKey]);
  if (rawPublicKey.length !== PUBLIC_KEY_BYTES || secretKey.length !== SECRET_KEY_BYTES) {
    throw new Error('signing: unexpected Ed25519 key length');
  }
  return { rawPublicKey, secretKey };
}

function loadKeyFile(file: KeyFile, source: string): LoadedKey {
  if (
    typeof file !== 'object' ||
    file === null ||
    file.alg !== KEY_ALG ||
    typeof file.kid !== 'string' ||
    !KID_PATTERN.test(file.kid) ||
    typeof file.privateKeyPem !== 'string' ||
    typeof file.publicKeyPem !== 'string' ||
    typeof file.createdAt !== 'string'
  ) {
    throw new Error(`signing: invalid key file ${source}`);
  }
  const privateKey = createPrivateKey(file.privateKeyPem);
  const publicKey = createPublicKey(file.publicKeyPem);
  if (privateKey.asymmetricKeyType !== 'ed25519' || publicKey.asymmetricKeyType !== 'ed25519') {
    throw new Error(`signing: key file ${source} is not an Ed25519 key`);
  }
  const derived = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
  if (!derived.equals(publicKey.export({ type: 'spki', format: 'der' }))) {
    throw new Error(`signing: key file ${source} has mismatched private and public keys`);
  }
  if (kidForPublicKey(publicKey) !== file.kid) {
    throw new Error(`signing: key file ${source} has a kid that does not match its public key`);
  }
  const createdAt = new Date(file.createdAt);
  const retiredAt = file.retiredAt ? new Date(file.retiredAt) : null;
  if (Number.isNaN(createdAt.getTime()) || (retiredAt && Number.isNaN(retiredAt.getTime()))) {
    throw new Error(`signing: key file ${source} has an invalid date`);
  }
  return { file, privateKey, publicKey, ...rawKeys(privateKey, publicKey), createdAt, retiredAt };
}

async function writeFileAtomic(file: string, data: string): Promise<void> {
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  await fs.writeFile(tmp, data, { mode: 0o600, flag: 'wx' });
  try {
    await fs.chmod(tmp, 0o600); // in case the umask interfered
    await fs.rename(tmp, file);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw err;
  }
}

export class KeyRing {
  private readonly keys = new Map<string, LoadedKey>();
  /** activeKey()'s answer, worked out once per change of the ring (every signature asks for it). */
  private active: LoadedKey | undefined;

  private constructor(
    /** Directory of key files, or null for an in-memory ring. */
    readonly dir: string | null,
    private readonly clock: ClockLike,
    /** libsodium, or node:crypto where sodium-native cannot load (ed25519.ts); buildApp warns about the latter. */
    readonly ed25519: Ed25519,
  ) {}

  /** Opens (or initialises) the key directory. Creates the first key if the directory has none. */
  static async open(dir: string, opts: KeyRingOptions = {}): Promise<KeyRing> {
    const ring = new KeyRing(dir, opts.clock ?? systemClock, opts.ed25519 ?? processEd25519);
    await fs.mkdir(dir, { recursive: true, mode: 0o700 });
    await fs.chmod(dir, 0o700);
    for (const name of (await fs.readdir(dir)).sort()) {
      if (!name.endsWith('.json')) continue;
      const full = path.join(dir, name);
      const parsed = JSON.parse(await fs.readFile(full, 'utf8')) as KeyFile;
      const key = loadKeyFile(parsed, full);
      if (ring.keys.has(key.file.kid)) throw new Error(`signing: duplicate kid ${key.file.kid} in ${dir}`);
      ring.keys.set(key.file.kid, key);
    }
    if (!ring.activeKey()) await ring.rotate();
    return ring;
  }

  /** A ring that lives only in memory (tests). Starts with one key. */
  static inMemory(opts: KeyRingOptions = {}): KeyRing {
    const ring = new KeyRing(null, opts.clock ?? systemClock, opts.ed25519 ?? processEd25519);
    ring.addKey(ring.generate());
    return ring;
  }

  /** Creates a new key that becomes the active (signing) key. Returns its kid. */
  async rotate(): Promise<string> {
    const key = this.generate();
    if (this.dir) await this.persist(key.file);
    this.addKey(key);
    return key.file.kid;
  }

  /**
   * Retires a key: tokens signed with it stop verifying. If no usable key remains, a new one is created.
   */
  async retire(kid: string): Promise<void> {
    const key = this.keys.get(kid);
    if (!key) throw new Error(`signing: unknown key ${kid}`);
    if (key.retiredAt) return;
    const retiredAt = nowOf(this.clock);
    const file: KeyFile = { ...key.file, retiredAt: retiredAt.toISOString() };
    if (this.dir) await this.persist(file);
    this.keys.set(kid, { ...key, file, retiredAt });
    this.active = undefined;
    if (!this.activeKey()) await this.rotate();
  }

  /** kid of the key that signs new tokens. */
  get activeKid(): string {
    return this.requireActive().file.kid;
  }

  /** Public view of all keys, newest first. */
  publicKeys(): PublicKeyInfo[] {
    const active = this.activeKey();
    return this.sorted().map((k) => ({
      kid: k.file.kid,
      alg: KEY_ALG,
      createdAt: k.createdAt,
      retiredAt: k.retiredAt,
      active: k === active,
      publicKeyPem: k.file.publicKeyPem,
    }));
  }

  /** Signs bytes with the active key. */
  signBytes(data: Uint8Array): { kid: string; signature: Buffer } {
    const key = this.requireActive();
    return { kid: key.file.kid, signature: this.ed25519.sign(data, key) };
  }

  /**
   * Looks a key up for verification. Returns 'unknown' / 'retired' instead of a key when it cannot be used.
   */
  verifierFor(kid: string): KeyVerifier {
    const key = this.keys.get(kid);
    if (!key) return UNKNOWN;
    if (key.retiredAt) return RETIRED;
    return (key.verifier ??= { status: 'ok', verify: this.ed25519.verifier(key), rawPublicKey: key.rawPublicKey });
  }

  /**
   * The HMAC key for tokens only this deployment verifies (e.g. a phone's remembered identity): ~1 µs to check
   * instead of ~60–100 µs for an Ed25519 signature. Same kid, rotation and retirement as the key pair it comes from.
   */
  macKeyFor(kid: string): MacKey {
    const key = this.keys.get(kid);
    if (!key) return UNKNOWN;
    if (key.retiredAt) return RETIRED;
    key.mac ??= deriveMacKey(key.privateKey);
    return (key.macKey ??= { status: 'ok', kid, key: key.mac });
  }

  /** The MAC key of the active key pair (signs new MAC'd tokens). */
  activeMacKey(): { kid: string; key: Buffer } {
    const key = this.requireActive();
    key.mac ??= deriveMacKey(key.privateKey);
    return { kid: key.file.kid, key: key.mac };
  }

  // ── internals ────────────────────────────────────────────────────────────

  private generate(): LoadedKey {
    for (;;) {
      const { privateKey, publicKey } = generateKeyPairSync('ed25519');
      const kid = kidForPublicKey(publicKey);
      if (this.keys.has(kid)) continue; // 36-bit kid: collisions are astronomically rare, but be exact
      // Strictly increasing createdAt so "newest" is well defined even with a pinned clock.
      let createdAt = nowOf(this.clock);
      const newest = this.sorted()[0];
      if (newest && createdAt.getTime() <= newest.createdAt.getTime()) {
        createdAt = new Date(newest.createdAt.getTime() + 1);
      }
      const file: KeyFile = {
        kid,
        alg: KEY_ALG,
        createdAt: createdAt.toISOString(),
        privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
        publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      };
      return { file, privateKey, publicKey, ...rawKeys(privateKey, publicKey), createdAt, retiredAt: null };
    }
  }

  private addKey(key: LoadedKey): void {
    this.keys.set(key.file.kid, key);
    this.active = undefined;
  }

  private async persist(file: KeyFile): Promise<void> {
    if (!this.dir) return;
    await writeFileAtomic(path.join(this.dir, `${file.kid}.json`), `${JSON.stringify(file, null, 2)}\n`);
  }

  private sorted(): LoadedKey[] {
    return [...this.keys.values()].sort(
      (a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.file.kid < b.file.kid ? 1 : -1),
    );
  }

  private activeKey(): LoadedKey | undefined {
    return (this.active ??= this.sorted().find((k) => !k.retiredAt));
  }

  private requireActive(): LoadedKey {
    const key = this.activeKey();
    if (!key) throw new Error('signing: no active key');
    return key;
  }
}
