// For the signing tests (not imported by production code): what a verification says, as a word; a token altered by
// one character; signature worker pools ended after each test.
import { afterEach } from 'vitest';
import { SignatureError, verify, type VerifyOptions } from './payload';
import type { KeyRing } from './keys';
import { VerifyPool } from './verify-pool';

/** 'ok', or the SignatureError's reason ('bad_signature', 'expired', …); any other error is thrown on. */
export function reasonOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof SignatureError) return err.reason;
    throw err;
  }
  return 'ok';
}

/** What requiring sodium-native throws on a musl system (node-gyp-build's message): a loader for loadEd25519. */
export const noPrebuild = (): never => {
  throw new Error('No native build was found for platform=linux arch=x64 runtime=node abi=115 uv=1 libc=musl node=20.19.0');
};

/** The token with one character changed at `at` (by default in its signature, still canonical base64url). */
export const altered = (token: string, at = token.length - 10) => token.slice(0, at) + (token[at] === 'A' ? 'B' : 'A') + token.slice(at + 1);

const word = (e: unknown) => (e instanceof SignatureError ? e.reason : `other: ${String(e)}`);

/** What a verifyAsync says: 'valid', or the SignatureError's reason (any other error as 'other: …'). */
export const outcome = (p: Promise<unknown>): Promise<string> => p.then(() => 'valid', word);

/** What verify() says, in outcome's words (to compare a worker's answers with the event loop's). */
export function verifyOutcome(ring: KeyRing, token: string, opts: VerifyOptions): string {
  try {
    verify(ring, token, opts);
    return 'valid';
  } catch (e) {
    return word(e);
  }
}

/**
 * For a test file's top level: `pool()` makes a pool of one worker that takes every check, even one alone in its turn
 * (minBatch 1); every pool made is closed after each test.
 */
export function workerPools(): (o?: Partial<ConstructorParameters<typeof VerifyPool>[0]>) => VerifyPool {
  const pools: VerifyPool[] = [];
  afterEach(async () => {
    await Promise.all(pools.splice(0).map((p) => p.close()));
  });
  return (o = {}) => {
    const p = new VerifyPool({ size: 1, backend: 'libsodium', ...o });
    p.minBatch = 1;
    pools.push(p);
    return p;
  };
}
