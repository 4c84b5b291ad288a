// The transport layers of an EU DCC: "HC1:" prefix → base45 (RFC 9285) → zlib. Each step says whether it held.
import { inflateSync, deflateSync } from 'node:zlib';
import * as base45 from 'base45-js';
import { MAX_HC1_LENGTH } from './limits';

export { MAX_HC1_LENGTH };

export const HC1_PREFIX = 'HC1:';
/** Inflated COSE larger than this is refused (a zip bomb, not a certificate). */
export const MAX_COSE_BYTES = 64 * 1024;

const B45 = /^[0-9A-Z $%*+\-./:]*$/;

export class LayerError extends Error {
  constructor(
    readonly layer: 'prefix' | 'base45' | 'decompress',
    message: string,
  ) {
    super(message);
  }
}

export function stripPrefix(text: string): string {
  if (text.length > MAX_HC1_LENGTH) throw new LayerError('prefix', `longer than ${MAX_HC1_LENGTH} characters`);
  if (!text.startsWith(HC1_PREFIX)) throw new LayerError('prefix', 'not an EU DCC: the text does not start with "HC1:"');
  return text.slice(HC1_PREFIX.length);
}

/** Strict base45: alphabet, length and value ranges are checked (the library alone accepts overflowing groups). */
export function base45Decode(text: string): Buffer {
  if (!B45.test(text)) throw new LayerError('base45', 'base45: character outside the alphabet');
  if (text.length % 3 === 1) throw new LayerError('base45', 'base45: length leaves a single character');
  for (let i = 0; i < text.length; i += 3) {
    const group = text.slice(i, i + 3);
    const v = [...group].reduce((acc, c, k) => acc + B45_VALUE[c]! * 45 ** k, 0);
    if (v > (group.length === 3 ? 0xffff : 0xff)) throw new LayerError('base45', 'base45: group value out of range');
  }
  return base45.decode(text);
}

const B45_VALUE: Record<string, number> = Object.fromEntries(
  [...'0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:'].map((c, i) => [c, i]),
);

export function inflate(data: Buffer): Buffer {
  // a zlib stream starts with CMF 0x78 (deflate, 32k window); the DCC spec mandates zlib
  if (data.length < 2 || data[0] !== 0x78) throw new LayerError('decompress', 'not zlib-compressed');
  try {
    return inflateSync(data, { maxOutputLength: MAX_COSE_BYTES });
  } catch (err) {
    throw new LayerError('decompress', `zlib: ${(err as Error).message}`);
  }
}

/** The issuing direction: COSE bytes → "HC1:…". */
export function encodeHc1(cose: Uint8Array): string {
  return HC1_PREFIX + base45.encode(deflateSync(cose, { level: 9 }));
}
