// COSE_Sign1 (RFC 9052) as the EU DCC uses it: optional tags 61 (CWT) and 18 (COSE_Sign1), a protected header
// with alg (1) and kid (4), ES256 (-7) or PS256 (-37).
import { createHash, sign as cryptoSign, verify as cryptoVerify, constants, type KeyObject } from 'node:crypto';
import { cborDecode, cborEncode, Tag } from './cbor';

export const ALG_ES256 = -7;
export const ALG_PS256 = -37;
const H_ALG = 1;
const H_KID = 4;

export interface CoseSign1 {
  protectedBytes: Uint8Array;
  payload: Uint8Array;
  signature: Uint8Array;
  alg: number | null;
  /** kid of the protected header, else of the unprotected one (the protected one wins when both are present) */
  kid: Uint8Array | null;
}

export class CoseError extends Error {}

const isBytes = (v: unknown): v is Uint8Array => v instanceof Uint8Array;

export function parseCoseSign1(data: Uint8Array): CoseSign1 {
  let value: unknown;
  try {
    value = cborDecode(data);
  } catch (err) {
    throw new CoseError(`not CBOR: ${(err as Error).message}`);
  }
  if (value instanceof Tag && value.tag === 61) value = value.value;
  if (value instanceof Tag) {
    if (value.tag !== 18) throw new CoseError(`unexpected CBOR tag ${value.tag}`);
    value = value.value;
  }
  if (!Array.isArray(value) || value.length !== 4) throw new CoseError('not a COSE_Sign1 array of four');
  const [prot, unprot, payload, signature] = value as unknown[];
  if (!isBytes(prot) || !isBytes(payload) || !isBytes(signature) || !(unprot instanceof Map)) {
    throw new CoseError('COSE_Sign1 members have the wrong types');
  }
  let protHeader: Map<unknown, unknown> = new Map();
  if (prot.length > 0) {
    const decoded = (() => {
      try {
        return cborDecode(prot);
      } catch {
        return null;
      }
    })();
    if (!(decoded instanceof Map)) throw new CoseError('protected header is not a CBOR map');
    protHeader = decoded;
  }
  const alg = protHeader.get(H_ALG) ?? unprot.get(H_ALG) ?? null;
  const kid = protHeader.has(H_KID) ? protHeader.get(H_KID) : unprot.get(H_KID);
  return {
    protectedBytes: prot,
    payload,
    signature,
    alg: typeof alg === 'number' ? alg : null,
    kid: isBytes(kid) ? kid : null,
  };
}

/** Sig_structure for COSE_Sign1 with no external AAD. */
function toBeSigned(protectedBytes: Uint8Array, payload: Uint8Array): Buffer {
  return cborEncode(['Signature1', Buffer.from(protectedBytes), Buffer.alloc(0), Buffer.from(payload)]);
}

export function verifyCoseSignature(cose: CoseSign1, key: KeyObject): boolean {
  const data = toBeSigned(cose.protectedBytes, cose.payload);
  try {
    if (cose.alg === ALG_ES256 && key.asymmetricKeyType === 'ec') {
      return cryptoVerify('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, cose.signature);
    }
    if (cose.alg === ALG_PS256 && key.asymmetricKeyType === 'rsa') {
      return cryptoVerify('sha256', data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, cose.signature);
    }
  } catch {
    return false;
  }
  return false;
}

/** COSE_Sign1 (tag 18) signed with ES256 by `key`, kid in the protected header. */
export function signCoseSign1(payload: Uint8Array, kid: Uint8Array, key: KeyObject): Buffer {
  const protectedBytes = cborEncode(new Map<number, unknown>([[H_ALG, ALG_ES256], [H_KID, Buffer.from(kid)]]));
  const signature = cryptoSign('sha256', toBeSigned(protectedBytes, payload), { key, dsaEncoding: 'ieee-p1363' });
  return cborEncode(new Tag([protectedBytes, new Map(), Buffer.from(payload), signature], 18));
}

/** kid of a document signer: the first 8 bytes of SHA-256 of its DER certificate. */
export const kidOfCertificate = (der: Uint8Array): Buffer => createHash('sha256').update(der).digest().subarray(0, 8);
