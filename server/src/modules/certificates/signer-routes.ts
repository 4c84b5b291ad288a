// The document signers: list and rotate (national administrators: `certificates.manage`). Rotation takes effect at
// once for this process; old signers stay in the trust list, so certificates they signed keep verifying.
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { recordAudit } from '../../platform/audit';
import { auditActor } from '../../platform/auth/routes';
import type { AppContext } from '../../platform/module';
import { SignerListResponse } from './schema';
import type { SignerRing } from './signer-ring';

const tags = ['certificates'];

export async function signerRoutes(fastify: FastifyInstance, ctx: AppContext, ring: SignerRing) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const list = () => ({ signers: ring.list().map(({ certificate: _c, ...s }) => s) });

  app.get('/api/certificates/signers', { config: { permission: 'certificates.manage' }, schema: { tags, response: { 200: SignerListResponse } } }, async (req) => {
    await ctx.access.authorize(req.user!, 'certificates.manage', { unitCode: null });
    return list();
  });

  app.post('/api/certificates/signers/rotate', { config: { permission: 'certificates.manage' }, schema: { tags, response: { 200: SignerListResponse } } }, async (req) => {
    const user = await ctx.access.authorize(req.user!, 'certificates.manage', { unitCode: null });
    const kid = await ring.rotate();
    await recordAudit(ctx.db, { actor: await auditActor(ctx.access, user), ip: req.ip, at: ctx.config.clock(), action: 'certificate.signer_rotate', subjectType: 'certificate_signer', subjectId: kid });
    return list();
  });
}
