// The document signers: list, rotate and retire (national administrators: `certificates.manage`). A change takes
// effect at once for this process and within VIGIL_DCC_SIGNER_REFRESH_SECONDS for the others on the same database;
// rotated-out signers stay in the trust list (what they signed keeps verifying), a retired one leaves it after
// VIGIL_DCC_RETIRE_GRACE_MINUTES.
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { recordAudit } from '../../platform/audit';
import { auditActor } from '../../platform/auth/routes';
import type { AppContext } from '../../platform/module';
import { notFound } from '../../platform/http/errors';
import { RetireSignerBody, SignerListResponse } from './schema';
import { UnknownSignerError, type SignerRing } from './signer-ring';

const tags = ['certificates'];

export async function signerRoutes(fastify: FastifyInstance, ctx: AppContext, ring: SignerRing) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const list = () => ({ signers: ring.list().map(({ certificate: _c, ...s }) => s) });

  app.get('/api/certificates/signers', { config: { permission: 'certificates.manage' }, schema: { tags, response: { 200: SignerListResponse } } }, async (req) => {
    await ctx.access.authorize(req.user!, 'certificates.manage', { unitCode: null });
    await ring.refresh();
    return list();
  });

  app.post('/api/certificates/signers/rotate', { config: { permission: 'certificates.manage' }, schema: { tags, response: { 200: SignerListResponse } } }, async (req) => {
    const user = await ctx.access.authorize(req.user!, 'certificates.manage', { unitCode: null });
    const kid = await ring.rotate();
    await recordAudit(ctx.db, { actor: await auditActor(ctx.access, user), ip: req.ip, at: ctx.config.clock(), action: 'certificate.signer_rotate', subjectType: 'certificate_signer', subjectId: kid });
    return list();
  });

  app.post(
    '/api/certificates/signers/retire',
    { config: { permission: 'certificates.manage' }, schema: { tags, body: RetireSignerBody, response: { 200: SignerListResponse } } },
    async (req) => {
      const user = await ctx.access.authorize(req.user!, 'certificates.manage', { unitCode: null });
      await ring.refresh();
      try {
        await ring.retire(req.body.kid);
      } catch (err) {
        if (err instanceof UnknownSignerError) throw notFound('Signer');
        throw err;
      }
      await recordAudit(ctx.db, { actor: await auditActor(ctx.access, user), ip: req.ip, at: ctx.config.clock(), action: 'certificate.signer_retire', subjectType: 'certificate_signer', subjectId: req.body.kid });
      return list();
    },
  );
}
