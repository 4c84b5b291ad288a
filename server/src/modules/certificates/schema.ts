// Request/response schemas of the certificates module. The web app imports the types with `import type`.
import { Type, type Static } from '@sinclair/typebox';
import { MAX_HC1_LENGTH } from './limits';

const Uuid = Type.String({ pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' });
const Flag = Type.Union([Type.Boolean(), Type.Null()]);
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

export const VerifyBody = Type.Object(
  { hc1: Type.String({ minLength: 1, maxLength: MAX_HC1_LENGTH, description: 'the QR text, "HC1:…"' }) },
  { additionalProperties: false },
);

/** The DCC payload as presented (ver, nam, dob, v|t|r): whatever the QR carried, shown to the verifier. */
const Payload = Type.Record(Type.String(), Type.Unknown());

export const VerifyResponse = Type.Object({
  valid: Type.Boolean(),
  checks: Type.Object({
    prefix: Flag, base45: Flag, decompress: Flag, cose: Flag, cbor: Flag, signature: Flag, expiry: Flag, schema: Flag, key_usage: Flag,
  }),
  /** true when this deployment issued it and has revoked it since (the dose was voided or corrected) */
  revoked: Type.Boolean(),
  payload: Nullable(Payload),
  claims: Nullable(Type.Object({ iss: Nullable(Type.String()), iat: Nullable(Type.String()), exp: Nullable(Type.String()) })),
  kid: Nullable(Type.String()),
  /** display name of the vaccine product (v entries) */
  product: Nullable(Type.String()),
  /** validity rules of a test (hours after the sample, negative only) or recovery (df..du) certificate */
  rules: Type.Object({ ok: Flag, reason: Nullable(Type.String()), validUntil: Nullable(Type.String()) }),
  error: Nullable(Type.String()),
});
export type VerifyResponse = Static<typeof VerifyResponse>;

export const TrustListResponse = Type.Object({
  certificates: Type.Array(
    Type.Object({ kid: Type.String(), rawData: Type.String({ description: 'base64 DER of the document signer certificate' }), country: Type.String(), createdAt: Type.String(), notAfter: Type.String(), active: Type.Boolean() }),
  ),
});

export const SignerListResponse = Type.Object({
  signers: Type.Array(
    Type.Object({ kid: Type.String(), createdAt: Type.String(), notAfter: Type.String(), active: Type.Boolean(), retired: Type.Boolean(), refusedFrom: Nullable(Type.String()) }),
  ),
});
export const RetireSignerBody = Type.Object({ kid: Type.String({ pattern: '^[A-Za-z0-9+/]{11}=$', description: 'base64 of the 8-byte kid' }) }, { additionalProperties: false });

/** Ask for a test certificate: the tube (sample) of an individual test with a result. */
export const TestCertificateBody = Type.Object({ sampleId: Uuid, personId: Type.Optional(Uuid) }, { additionalProperties: false });

export const CertificateView = Type.Object({
  id: Uuid,
  personId: Uuid,
  kind: Type.Union([Type.Literal('v'), Type.Literal('t'), Type.Literal('r')]),
  uvci: Type.String(),
  hc1: Type.String(),
  issuedAt: Type.String(),
  expiresAt: Type.String(),
  revoked: Type.Boolean(),
  revokedAt: Nullable(Type.String()),
  /** name and birth date as printed on the certificate */
  holder: Type.Object({ fullName: Type.String(), birthDate: Type.String() }),
  /** the entry: dose n of m, product codes, date, issuer */
  entry: Type.Record(Type.String(), Type.Unknown()),
  /** display name of the vaccine product (v entries) */
  product: Nullable(Type.String()),
});
export type CertificateView = Static<typeof CertificateView>;

export const CertificateListResponse = Type.Object({ items: Type.Array(CertificateView) });
export type CertificateListResponse = Static<typeof CertificateListResponse>;

export const MyCertificatesQuery = Type.Object({ personId: Type.Optional(Uuid) }, { additionalProperties: false });
export const CertificateIdParam = Type.Object({ id: Uuid });
export const PersonIdParam = Type.Object({ personId: Uuid });
export const PdfQuery = Type.Object({ lang: Type.Optional(Type.Union([Type.Literal('vi'), Type.Literal('en')])) }, { additionalProperties: false });
