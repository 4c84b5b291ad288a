// Citizen routes ("self"): their own person record, their dependants, their personal QR and printable cards.
// A citizen acts for themselves and for the people they manage, nobody else.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { recordAudit, type AuditEntry } from '../../platform/audit';
import { auditActor } from '../../platform/auth/routes';
import type { AuthUser } from '../../platform/auth/service';
import { conflict, forbidden, invalidField, notFound } from '../../platform/http/errors';
import type { AppContext } from '../../platform/module';
import { toSelfPerson, unitLabeler } from './present';
import { activeByNationalId, activeByPhoneName, findPersonById, userOfPerson, type PersonRow } from './queries';
import { personalQrToken, qrSvg } from './qr';
import { cardsFor, sendPdf } from './routes';
import {
  PersonIdParam,
  SelfCardQuery,
  SelfDependantBody,
  SelfDependantsResponse,
  SelfPersonBody,
  SelfPersonResponse,
  SelfQrQuery,
  SelfQrResponse,
  type SelfDependant,
} from './schema';
import {
  addDependant,
  createPerson,
  dependantsOf,
  findOrCreatePerson,
  inTransaction,
  isManagerOf,
  removeDependant,
  resolvePersonId,
  updatePerson,
  validatePerson,
} from './service';

const tags = ['me'];

export async function selfRoutes(fastify: FastifyInstance, ctx: AppContext) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { db, access } = ctx;
  const resolver = access.resolver;
  const now = () => ctx.config.clock();

  const audit = async (req: FastifyRequest, e: Omit<AuditEntry, 'actor' | 'ip'>) =>
    recordAudit(db, { ...e, actor: await auditActor(access, req.user!), ip: req.ip, at: now() });

  /** The live person record of the signed-in user, or null when they have not registered one. */
  const ownPersonId = async (user: AuthUser): Promise<string | null> => (user.personId ? resolvePersonId(db, user.personId) : null);

  const requireOwnPerson = async (user: AuthUser): Promise<string> => {
    const id = await ownPersonId(user);
    if (!id) throw conflict('Register your own details first (PUT /api/me/person)');
    return id;
  };

  /** The user's own record or one of their dependants; 403 otherwise. */
  const actingFor = async (user: AuthUser, personId: string | undefined): Promise<PersonRow> => {
    const own = await requireOwnPerson(user);
    const target = personId ? ((await resolvePersonId(db, personId)) ?? personId) : own;
    if (target !== own && !(await isManagerOf(db, own, target))) throw forbidden('You may act only for yourself and your dependants');
    await access.authorize(user, 'self', { ownedBySelf: true });
    const p = await findPersonById(db, target);
    if (!p) throw notFound('Person');
    return p;
  };

  app.get('/api/me/person', { config: { permission: 'self' }, schema: { tags, response: { 200: SelfPersonResponse } } }, async (req) => {
    const id = await ownPersonId(req.user!);
    const p = id ? await findPersonById(db, id) : undefined;
    return { person: p ? await toSelfPerson(p, unitLabeler(resolver)) : null };
  });

  app.put(
    '/api/me/person',
    { config: { permission: 'self' }, schema: { tags, body: SelfPersonBody, response: { 200: SelfPersonResponse } } },
    async (req) => {
      const user = req.user!;
      const t = now();
      const existing = await ownPersonId(user);
      if (existing) {
        const changed = await updatePerson(db, existing, req.body, { resolver, now: t, require: ['phone', 'communeCode'] });
        if (changed.length) await audit(req, { action: 'person.update', subjectType: 'person', subjectId: existing, details: { fields: changed, by: 'self' } });
        const p = (await findPersonById(db, existing))!;
        return { person: await toSelfPerson(p, unitLabeler(resolver)) };
      }
      // First registration: link to the registry record with the same phone + name (+ birth year) when there is one
      // without an account (e.g. created by a check-in); never by national ID alone, which others may know.
      const v = await validatePerson(req.body, { resolver, now: t, require: ['phone', 'communeCode'] });
      const result = await inTransaction(db, async (tx) => {
        const candidates = (await activeByPhoneName(tx, v.phone!, v.name_key)).filter(
          (c) => (c.birth_year === null || v.birth_year === null || c.birth_year === v.birth_year) && !(c.national_id && v.national_id && c.national_id !== v.national_id),
        );
        for (const c of candidates) {
          if (await userOfPerson(tx, c.id)) continue;
          if (v.national_id && !c.national_id) {
            const other = (await activeByNationalId(tx, v.national_id)).filter((x) => x.id !== c.id);
            if (other.length) throw conflict('This ID number is registered to another record; please contact your commune health station', [{ path: 'body.nationalId', message: 'is registered to another record' }]);
          }
          await updatePerson(tx, c.id, req.body, { resolver, now: t, require: ['phone', 'communeCode'] });
          await tx.updateTable('users').set({ person_id: c.id, updated_at: t }).where('id', '=', user.id).execute();
          return { id: c.id, linked: true };
        }
        const id = await createPerson(tx, req.body, { resolver, now: t, source: 'citizen', require: ['phone', 'communeCode'] });
        await tx.updateTable('users').set({ person_id: id, updated_at: t }).where('id', '=', user.id).execute();
        return { id, linked: false };
      });
      await audit(req, {
        action: result.linked ? 'person.link_account' : 'person.create',
        subjectType: 'person',
        subjectId: result.id,
        details: { by: 'self', userId: user.id },
      });
      const p = (await findPersonById(db, result.id))!;
      return { person: await toSelfPerson(p, unitLabeler(resolver)) };
    },
  );

  const listDependants = async (own: string): Promise<SelfDependant[]> => {
    const units = unitLabeler(resolver);
    const out: SelfDependant[] = [];
    for (const d of await dependantsOf(db, own)) {
      const p = await findPersonById(db, d.id);
      if (p) out.push({ ...(await toSelfPerson(p, units)), relationship: d.relationship });
    }
    return out;
  };

  app.get('/api/me/dependants', { config: { permission: 'self' }, schema: { tags, response: { 200: SelfDependantsResponse } } }, async (req) => {
    const own = await ownPersonId(req.user!);
    return { items: own ? await listDependants(own) : [] };
  });

  app.post(
    '/api/me/dependants',
    { config: { permission: 'self' }, schema: { tags, body: SelfDependantBody, response: { 201: SelfDependantsResponse } } },
    async (req, reply) => {
      const user = req.user!;
      const own = await requireOwnPerson(user);
      const t = now();
      const found = await findOrCreatePerson(db, req.body.person, { resolver, now: t, source: 'citizen', prefix: 'body.person', requirePhone: false });
      if (found.id === own) throw invalidField('body.person', 'describes yourself, not a dependant');
      if (!found.created && (await userOfPerson(db, found.id)))
        throw conflict('This person has their own account; they can manage their own declarations', [{ path: 'body.person', message: 'has their own account' }]);
      await addDependant(db, own, found.id, req.body.relationship, user.id, t);
      await audit(req, {
        action: 'person.dependant.add',
        subjectType: 'person',
        subjectId: own,
        details: { by: 'self', dependantId: found.id, created: found.created, relationship: req.body.relationship },
      });
      return reply.status(201).send({ items: await listDependants(own) });
    },
  );

  app.delete('/api/me/dependants/:id', { config: { permission: 'self' }, schema: { tags, params: PersonIdParam } }, async (req, reply) => {
    const own = await requireOwnPerson(req.user!);
    if (!(await removeDependant(db, own, req.params.id))) throw notFound('Dependant');
    await audit(req, { action: 'person.dependant.remove', subjectType: 'person', subjectId: own, details: { by: 'self', dependantId: req.params.id } });
    return reply.status(204).send();
  });

  app.get(
    '/api/me/qr',
    { config: { permission: 'self' }, schema: { tags, querystring: SelfQrQuery, response: { 200: SelfQrResponse } } },
    async (req, reply) => {
      const p = await actingFor(req.user!, req.query.personId);
      const token = personalQrToken(ctx.keys, p.id);
      reply.header('cache-control', 'private, no-store');
      return { personId: p.id, fullName: p.full_name, token, svg: await qrSvg(token) };
    },
  );

  app.get(
    '/api/me/qr.svg',
    { config: { permission: 'self' }, schema: { tags, querystring: SelfQrQuery, produces: ['image/svg+xml'], response: { 200: Type.String() } } },
    async (req, reply) => {
      const p = await actingFor(req.user!, req.query.personId);
      return reply.header('content-type', 'image/svg+xml').header('cache-control', 'private, no-store').send(await qrSvg(personalQrToken(ctx.keys, p.id)));
    },
  );

  app.get(
    '/api/me/card.pdf',
    { config: { permission: 'self' }, schema: { tags, querystring: SelfCardQuery, produces: ['application/pdf'] } },
    async (req, reply) => {
      const user = req.user!;
      const p = await actingFor(user, req.query.personId);
      const people = [p];
      // a household sheet is the user's own: themselves and everyone they manage
      if (req.query.household && p.id === (await ownPersonId(user))) {
        for (const d of await dependantsOf(db, p.id)) {
          const row = await findPersonById(db, d.id);
          if (row) people.push(row);
        }
      }
      return sendPdf(reply, await cardsFor(ctx, people), `the-qr-${p.id.slice(0, 8)}.pdf`);
    },
  );
}
