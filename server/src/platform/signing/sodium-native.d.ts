// sodium-native ships no type declarations; these are the parts platform/signing uses (libsodium's Ed25519,
// https://doc.libsodium.org/public-key_cryptography/public-key_signatures).
declare module 'sodium-native' {
  const sodium: {
    readonly crypto_sign_BYTES: number;
    readonly crypto_sign_PUBLICKEYBYTES: number;
    readonly crypto_sign_SECRETKEYBYTES: number;
    /** Writes the 64-byte detached signature of `message` into `signature`. */
    crypto_sign_detached(signature: Uint8Array, message: Uint8Array, secretKey: Uint8Array): void;
    /** Whether `signature` (64 bytes) is a valid signature of `message` by `publicKey` (32 bytes). */
    crypto_sign_verify_detached(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean;
  };
  export default sodium;
}
