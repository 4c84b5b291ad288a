export { KeyRing, kidForPublicKey, KEY_ALG, KID_LENGTH } from './keys';
export type { ClockLike, KeyFile, KeyRingOptions, KeyVerifier, MacKey, PublicKeyInfo } from './keys';
export { sign, verify, verifyAsync, signMac, verifyMac, isMacToken, tokenKeyUsable, tokenKid, SignatureError, encodePayload, decodePayload } from './payload';
export type { SignatureErrorReason, SignOptions, TokenBody, VerifiedToken, VerifyOptions } from './payload';
export { ed25519, loadEd25519, nodeCryptoEd25519 } from './ed25519';
export type { Ed25519 } from './ed25519';
export { VerifyPool, spawnVerifyWorker, DEFAULT_MIN_BATCH, DEFAULT_TIMEOUT_MS as VERIFY_TIMEOUT_MS } from './verify-pool';
export type { VerifyPoolOptions, VerifyPoolStats } from './verify-pool';
