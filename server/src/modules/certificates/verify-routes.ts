// Public routes: verify a presented certificate (rate limited; the presented text is never logged or stored), and
// the trust list of this deployment's document signers (so other verifiers, and `vigil cert verify`, can check ours).
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AppContext } from '../../platform/module';
import { verifyHc1 } from './verify';
import { revocationOf } from './queries';
import { productOf } from './present';
import { TrustListResponse, VerifyBody, VerifyResponse } from './schema';
import { ISSUER_COUNTRY, type SignerRing } from './signer-ring';
import { TrustStore } from './trust';

const tags = ['certificates'];

export async function verifyRoutes(fastify: FastifyInstance, ctx: AppContext, ring: SignerRing, foreign: TrustStore) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.post(
    '/api/certificates/verify',
    {
      // 16 KiB: a QR's text is at most ~4.3k characters; a larger body is refused before it is parsed
      bodyLimit: 16 * 1024,
      config: { public: true, rateLimit: { max: 60, timeWindow: '1 minute' } },
      schema: { tags, body: VerifyBody, response: { 200: VerifyResponse } },
    },
    async (req) => {
      const own = ring.trust();
      const r = verifyHc1(req.body.hc1, { trust: own.with(foreign), at: ctx.config.clock() });
      const ci = ((r.payload?.v ?? r.payload?.t ?? r.payload?.r) as { ci?: unknown }[] | undefined)?.[0]?.ci;
      // revocation is known only for certificates this deployment signed (a signer of ours verified the signature)
      const ours = r.checks.signature === true && typeof ci === 'string' && r.kid !== null && own.hasKid(r.kid);
      const revoked = ours ? Boolean((await revocationOf(ctx.db, ci))?.revoked_at) : false;
      return {
        ...r,
        valid: r.valid && !revoked,
        revoked,
        product: productOf(r.payload),
        error: revoked ? 'revoked: the record this certificate was issued for was voided or corrected' : r.error,
      };
    },
  );

  app.get(
    '/api/certificates/trust-list',
    { config: { public: true, rateLimit: { max: 60, timeWindow: '1 minute' } }, schema: { tags, response: { 200: TrustListResponse } } },
    async (_req, reply) => {
      reply.header('cache-control', 'public, max-age=300');
      return {
        certificates: ring
          .list()
          .filter((s) => !s.retired)
          .map((s) => ({ kid: s.kid, rawData: s.certificate, country: ISSUER_COUNTRY, createdAt: s.createdAt, notAfter: s.notAfter, active: s.active })),
      };
    },
  );
}
