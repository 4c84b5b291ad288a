// For the signing tests (not imported by production code): what a verification says, as a word.
import { SignatureError } from './payload';

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
