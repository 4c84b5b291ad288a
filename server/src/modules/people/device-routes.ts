// Revoking device tokens (devices.ts): the phone itself forgets a person, a citizen ends every phone of their
// household, an officer ends every phone of a person in their area (a lost or shared phone).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { recordAudit, type AuditEntry } from '../../platform/audit';
import { auditActor } from '../../platform/auth/routes';
import { notFound } from '../../platform/http/errors';
import type { AppContext } from '../../platform/module';
import { deviceRegistry } from './devices';
import { bareToken } from './qr';
import { findPersonById } from './queries';
import { PersonIdParam } from './schema';
import { dependantsOf } from './households';
import { resolvePersonId } from './reads';

const Revoked = Type.Object({ revoked: Type.Integer() });

export async function deviceRoutes(fastify: FastifyInstance, ctx: AppContext) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { db, access } = ctx;
  const devices = deviceRegistry(ctx);
  const now = () => ctx.config.clock();
  const audit = async (req: FastifyRequest, e: Omit<AuditEntry, 'actor' | 'ip'>) =>
    recordAudit(db, { ...e, actor: await auditActor(access, req.user!), ip: req.ip, at: now() });

  // whoever holds a device token may end it (the phone's "forget me" button); nothing is told about the person
  app.post(
    '/api/devices/forget',
    {
      config: { public: true, rateLimit: { max: 30, timeWindow: '1 minute' } },
      bodyLimit: 16 * 1024,
      schema: { tags: ['checkin'], body: Type.Object({ token: Type.String({ minLength: 1, maxLength: 600 }) }, { additionalProperties: false }) },
    },
    async (req, reply) => {
      await devices.revokeToken(bareToken(req.body.token), now());
      return reply.status(204).send();
    },
  );

  app.delete('/api/me/devices', { config: { permission: 'self' }, schema: { tags: ['me'], response: { 200: Revoked } } }, async (req) => {
    const user = req.user!;
    const own = user.personId ? await resolvePersonId(db, user.personId) : null;
    if (!own) return { revoked: 0 };
    const ids = [own, ...(await dependantsOf(db, own)).map((d) => d.id)];
    const revoked = await devices.revokePeople(ids, now());
    await audit(req, { action: 'person.devices.revoke', subjectType: 'person', subjectId: own, details: { by: 'self', people: ids.length, revoked } });
    return { revoked };
  });

  app.post(
    '/api/people/:id/devices/revoke',
    { config: { permission: 'people.write' }, schema: { tags: ['people'], params: PersonIdParam, response: { 200: Revoked } } },
    async (req) => {
      const p = await findPersonById(db, req.params.id);
      if (!p) throw notFound('Person');
      await access.authorize(req.user, 'people.write', { unitCode: p.commune_code });
      const revoked = await devices.revokePeople([p.id], now());
      await audit(req, { action: 'person.devices.revoke', subjectType: 'person', subjectId: p.id, details: { revoked } });
      return { revoked };
    },
  );
}
