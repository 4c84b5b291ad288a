// The EU DCC verifier: HC1 text → each layer checked in order → one result with a flag per check.
// A flag is null when its check could not run (an earlier layer it needs failed, or nothing to check it with).
// Checks that do not depend on each other all run (a bad signature still reports schema and expiry), so a verifier
// page can say everything that is wrong at once.
import { stripPrefix, base45Decode, inflate, LayerError } from './hc1';
import { parseCoseSign1, verifyCoseSignature, CoseError, type CoseSign1 } from './cose';
import { parseClaims, CwtError, type DccClaims } from './cwt';
import { schemaErrors } from './schema-check';
import { dccTypes, keyUsageAllows } from './key-usage';
import type { TrustStore, TrustedSigner } from './trust';
import { applyRules, type RuleOutcome, type ValidityRules } from './tests';

export const CHECKS = ['prefix', 'base45', 'decompress', 'cose', 'cbor', 'signature', 'expiry', 'schema', 'key_usage'] as const;
export type CheckName = (typeof CHECKS)[number];
export type Checks = Record<CheckName, boolean | null>;

export interface VerifyResult {
  valid: boolean;
  checks: Checks;
  /** the DCC payload (when it could be decoded), even when invalid: a verifier shows what was presented */
  payload: Record<string, unknown> | null;
  /** issuer country, issued-at and expiry of the CWT (ISO) */
  claims: { iss: string | null; iat: string | null; exp: string | null } | null;
  /** base64 of the kid that signed it, when present */
  kid: string | null;
  /** the first problem found, in plain words; null when valid */
  error: string | null;
}

export interface VerifyOptions {
  trust: TrustStore;
  /** the validation clock */
  at: Date;
}

const iso = (s: number | null) => (s === null ? null : new Date(s * 1000).toISOString());

export function verifyHc1(text: string, opts: VerifyOptions): VerifyResult {
  const checks = Object.fromEntries(CHECKS.map((c) => [c, null])) as Checks;
  const errors: string[] = [];
  const result = (payload: DccClaims | null, cose: CoseSign1 | null): VerifyResult => ({
    valid: CHECKS.every((c) => checks[c] === true),
    checks,
    payload: payload?.dcc ?? null,
    claims: payload ? { iss: payload.iss, iat: iso(payload.iat), exp: iso(payload.exp) } : null,
    kid: cose?.kid ? Buffer.from(cose.kid).toString('base64') : null,
    error: errors[0] ?? (CHECKS.every((c) => checks[c] === true) ? null : 'not verified'),
  });

  let cose: CoseSign1;
  try {
    const b45 = stripPrefix(text.trim());
    checks.prefix = true;
    const compressed = base45Decode(b45);
    checks.base45 = true;
    const raw = inflate(compressed);
    checks.decompress = true;
    cose = parseCoseSign1(raw);
    checks.cose = true;
  } catch (err) {
    const layer = err instanceof LayerError ? err.layer : err instanceof CoseError ? 'cose' : null;
    if (!layer) throw err;
    checks[layer] = false;
    errors.push((err as Error).message);
    return result(null, null);
  }

  const signers = opts.trust.find(cose.kid);
  const signer: TrustedSigner | undefined = signers.find((s) => verifyCoseSignature(cose, s.publicKey));
  checks.signature = Boolean(signer);
  if (!signer) {
    errors.push(
      !cose.kid
        ? 'no kid in the COSE headers'
        : signers.length === 0
          ? 'unknown signer: no trusted certificate has this kid'
          : 'signature does not verify: the certificate was forged or altered',
    );
  }

  let claims: DccClaims;
  try {
    claims = parseClaims(cose.payload);
    checks.cbor = true;
  } catch (err) {
    if (!(err instanceof CwtError)) throw err;
    checks.cbor = false;
    errors.unshift(err.message);
    return result(null, cose);
  }

  const now = opts.at.getTime() / 1000;
  checks.expiry = claims.iat !== null && claims.exp !== null && claims.iat <= now && now <= claims.exp;
  if (!checks.expiry) {
    errors.push(
      claims.exp === null || claims.iat === null
        ? 'the certificate carries no issued-at/expiry'
        : now > claims.exp
          ? `expired on ${iso(claims.exp)}`
          : `not valid before ${iso(claims.iat)}`,
    );
  }

  const problems = schemaErrors(claims.dcc);
  checks.schema = problems === null;
  if (problems) errors.push(`payload does not follow the EU DCC schema: ${problems.join('; ')}`);

  // the signer's key usage: checked against the certificate that verified, else the one the kid names
  const usageOf = signer ?? (signers.length === 1 ? signers[0] : undefined);
  if (usageOf) {
    checks.key_usage = keyUsageAllows(usageOf.ekus, dccTypes(claims.dcc));
    if (!checks.key_usage) errors.push('the signer is not allowed to sign this type of certificate (extended key usage)');
  }
  return result(claims, cose);
}

export interface JudgedResult extends VerifyResult {
  /** the validity rules of test and recovery certificates (tests.ts); ok null when none applies */
  rules: RuleOutcome;
}

/**
 * What a verifier answers: the checks above, then the validity rules for what the certificate says (a negative test
 * counts for so many hours, a recovery between df and du). Valid only when every check and the rules pass.
 */
export function verifyAndJudge(text: string, opts: VerifyOptions & { rules: ValidityRules }): JudgedResult {
  const r = verifyHc1(text, opts);
  const rules = r.payload ? applyRules(r.payload, opts.at, opts.rules) : { ok: null, reason: null, validUntil: null };
  return { ...r, rules, valid: r.valid && rules.ok !== false, error: r.error ?? (rules.ok === false ? rules.reason : null) };
}

export const validityRulesOf = (c: { dccNaatValidityHours: number; dccRatValidityHours: number }): ValidityRules => ({ naatHours: c.dccNaatValidityHours, ratHours: c.dccRatValidityHours });
