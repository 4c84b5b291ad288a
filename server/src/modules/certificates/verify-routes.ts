// Public routes: verify a presented certificate (rate limited per client address; the presented text is never logged
// or stored, and no audit row is written: the server learns nothing beyond what the holder showed), and the trust
// list of this deployment's document signers (so other verifiers, and `vigil cert verify`, can check ours).
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AppContext } from '../../platform/module';
import { testForCertificate } from '../testing';
import { validityRulesOf, verifyAndJudge } from './verify';
import { revocationOf, revokeBySource } from './queries';
import { productOf } from './present';
import { TrustListResponse, VerifyBody, VerifyResponse } from './schema';
import { ISSUER_COUNTRY, type SignerRing } from './signer-ring';
import { TrustStore } from './trust';
import { TR_DETECTED, TR_NOT_DETECTED } from './tests';

const tags = ['certificates'];

/** Verifications per client address and minute (a doorman scans a queue; a script trying forgeries is slowed). */
export const VERIFY_PER_MINUTE = 60;

export async function verifyRoutes(fastify: FastifyInstance, ctx: AppContext, ring: SignerRing, foreign: TrustStore) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  /**
   * Whether a certificate of ours was revoked: its record was voided or corrected. A correction revokes the test
   * certificate at once (`certificates.revoke-test`); the comparison with the tube's current result stays as a
   * backstop for certificates issued before that subscriber existed.
   */
  const revokedNow = async (entry: Record<string, unknown>): Promise<boolean> => {
    const row = await revocationOf(ctx.db, entry.ci as string);
    if (!row) return false;
    if (row.revoked_at) return true;
    if (row.kind !== 't') return false;
    const test = await testForCertificate(ctx.db, row.source_id);
    const tr = test?.result === 'negative' ? TR_NOT_DETECTED : test?.result === 'positive' ? TR_DETECTED : null;
    if (tr === entry.tr) return false;
    await revokeBySource(ctx.db, 't', row.source_id, ctx.config.clock(), 'the test result was corrected after the certificate was issued');
    return true;
  };

  app.post(
    '/api/certificates/verify',
    {
      // 16 KiB: a QR's text is at most ~4.3k characters; a larger body is refused before it is parsed
      bodyLimit: 16 * 1024,
      config: { public: true, rateLimit: { max: VERIFY_PER_MINUTE, timeWindow: '1 minute' } },
      schema: { tags, body: VerifyBody, response: { 200: VerifyResponse } },
    },
    async (req) => {
      await ring.refresh();
      const own = ring.trust();
      const r = verifyAndJudge(req.body.hc1, { trust: own.with(foreign), at: ctx.config.clock(), rules: validityRulesOf(ctx.config) });
      const kind = (['v', 't', 'r'] as const).find((k) => Array.isArray(r.payload?.[k]));
      const entry = kind ? ((r.payload![kind] as Record<string, unknown>[])[0] ?? {}) : {};
      // revocation is known only for certificates this deployment signed (a signer of ours verified the signature)
      const ours = r.checks.signature === true && typeof entry.ci === 'string' && r.kid !== null && own.hasKid(r.kid);
      const revoked = ours ? await revokedNow(entry) : false;
      const refused = r.checks.signature === false && r.kid ? ring.refusedSince(r.kid) : null;
      return {
        ...r,
        valid: r.valid && !revoked,
        revoked,
        product: productOf(r.payload),
        error: revoked
          ? 'revoked: the record this certificate was issued for was voided or corrected'
          : refused
            ? `signed by a document signer of ours that was retired (refused since ${refused})`
            : r.error,
      };
    },
  );

  app.get(
    '/api/certificates/trust-list',
    { config: { public: true, rateLimit: { max: 60, timeWindow: '1 minute' } }, schema: { tags, response: { 200: TrustListResponse } } },
    async (_req, reply) => {
      await ring.refresh();
      const trusted = ring.trust();
      // short: a retirement must reach verifiers that download this list soon
      reply.header('cache-control', 'public, max-age=60');
      return {
        certificates: ring
          .list()
          .filter((s) => trusted.hasKid(s.kid))
          .map((s) => ({ kid: s.kid, rawData: s.certificate, country: ISSUER_COUNTRY, createdAt: s.createdAt, notAfter: s.notAfter, active: s.active })),
      };
    },
  );
}
