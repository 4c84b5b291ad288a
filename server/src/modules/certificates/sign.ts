// The issuing direction: DCC payload → CWT → COSE_Sign1 (ES256, kid of the active signer) → zlib → base45 → "HC1:".
import { randomBytes } from 'node:crypto';
import { encodeClaims } from './cwt';
import { signCoseSign1 } from './cose';
import { encodeHc1 } from './hc1';
import { ISSUER_COUNTRY, type SignerRing } from './signer-ring';

/** How long a certificate is valid (EU practice for vaccination certificates: one year); never past its signer. */
export const CERTIFICATE_VALIDITY_DAYS = 365;

export interface SignedDcc {
  hc1: string;
  kid: string;
  issuedAt: Date;
  expiresAt: Date;
}

/** `until`: the certificate expires then at the latest (a recovery certificate's `du`). */
export async function signDcc(ring: SignerRing, dcc: object, now: Date, until?: Date): Promise<SignedDcc> {
  const signer = await ring.signer();
  const iat = Math.floor(now.getTime() / 1000);
  const exp = Math.min(iat + CERTIFICATE_VALIDITY_DAYS * 86_400, Math.floor(signer.notAfter.getTime() / 1000), until ? Math.floor(until.getTime() / 1000) : Infinity);
  const cwt = encodeClaims({ iss: ISSUER_COUNTRY, iat, exp, dcc });
  const hc1 = encodeHc1(signCoseSign1(cwt, signer.kidBytes, signer.privateKey));
  return { hc1, kid: signer.kid, issuedAt: new Date(iat * 1000), expiresAt: new Date(exp * 1000) };
}

const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** A unique certificate identifier (UVCI, EU guidelines annex 2, opaque form): URN:UVCI:01:VN:VGL<16 random>. */
export function newUvci(): string {
  const bytes = randomBytes(10);
  let bits = 0;
  let value = 0;
  let out = '';
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += B32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return `URN:UVCI:01:${ISSUER_COUNTRY}:VGL${out}`;
}
