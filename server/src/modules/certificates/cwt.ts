// CWT claims of an EU DCC (RFC 8392): iss (1), exp (4), iat (6), hcert (-260) → { 1: the DCC payload }.
import { cborDecode, cborEncode, fromJson, toJson } from './cbor';

export interface DccClaims {
  iss: string | null;
  /** seconds since the epoch */
  iat: number | null;
  exp: number | null;
  /** the DCC payload (ver, nam, dob, v|t|r) as JSON */
  dcc: Record<string, unknown>;
}

export class CwtError extends Error {}

const CLAIM_ISS = 1;
const CLAIM_EXP = 4;
const CLAIM_IAT = 6;
const CLAIM_HCERT = -260;
const HCERT_EU_DCC = 1;

const num = (v: unknown): number | null => (typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : null);

export function parseClaims(payload: Uint8Array): DccClaims {
  let claims: unknown;
  try {
    claims = cborDecode(payload);
  } catch (err) {
    throw new CwtError(`CWT is not CBOR: ${(err as Error).message}`);
  }
  if (!(claims instanceof Map)) throw new CwtError('CWT is not a CBOR map');
  const hcert = claims.get(CLAIM_HCERT);
  if (!(hcert instanceof Map)) throw new CwtError('CWT has no hcert claim (-260)');
  const dcc = toJson(hcert.get(HCERT_EU_DCC));
  if (!dcc || typeof dcc !== 'object' || Array.isArray(dcc)) throw new CwtError('hcert has no EU DCC map (1)');
  const iss = claims.get(CLAIM_ISS);
  return {
    iss: typeof iss === 'string' ? iss : null,
    iat: num(claims.get(CLAIM_IAT)),
    exp: num(claims.get(CLAIM_EXP)),
    dcc: dcc as Record<string, unknown>,
  };
}

export function encodeClaims(c: { iss: string; iat: number; exp: number; dcc: object }): Buffer {
  return cborEncode(
    new Map<number, unknown>([
      [CLAIM_ISS, c.iss],
      [CLAIM_IAT, c.iat],
      [CLAIM_EXP, c.exp],
      [CLAIM_HCERT, new Map([[HCERT_EU_DCC, fromJson(c.dcc)]])],
    ]),
  );
}
