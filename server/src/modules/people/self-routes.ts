// Citizen routes ("self"): their own person record, their dependants, their personal QR and printable cards.
// A citizen acts for themselves and for the people they manage, nobody else.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { recordAudit, type AuditEntry } from '../../platform/audit';
import { auditActor } from '../../platform/auth/routes';
import type { AuthUser } from '../../platform/auth/service';
import { forgetUserSessions } from '../../platform/auth/session-registry';
import { conflict, forbidden, notFound } from '../../platform/http/errors';
import type { AppContext } from '../../platform/module';
import { toSelfPerson, unitLabeler } from './present';
import { findLinkRequest, findPersonById, linkRequestsOfUser, type LinkRequestRow, type PersonRow } from './queries';
import { closeLinkRequest, completeLink, requestLink, verifyLinkProof, type LinkProofMethods } from './links';
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
  SelfLinkBody,
  SelfDependantLinkBody,
  SelfLinkRequest,
  SelfLinkRequestBody,
  SelfLinkRequestList,
  type SelfDependant,
} from './schema';
import { addDependant, dependantsOf, isManagerOf, removeDependant } from './households';
import { resolvePersonId } from './reads';
import { createPerson, inTransaction, updatePerson } from './service';

const tags = ['me'];

/** What a citizen may not change on a record they did not type in themselves (name, birth, sex, ID number, area). */
const SELF_LOCKED_FIELDS = ['fullName', 'birthDate', 'birthYear', 'sex', 'nationalId', 'communeCode'];

export async function selfRoutes(fastify: FastifyInstance, ctx: AppContext, proofs: LinkProofMethods) {
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

  app.get('/api/me/person', { config: { audit: 'self', permission: 'self' }, schema: { tags, response: { 200: SelfPersonResponse } } }, async (req) => {
    const id = await ownPersonId(req.user!);
    const p = id ? await findPersonById(db, id) : undefined;
    return { person: p ? await toSelfPerson(p, unitLabeler(resolver)) : null };
  });

  app.put(
    '/api/me/person',
    { config: { audit: 'self', permission: 'self' }, schema: { tags, body: SelfPersonBody, response: { 200: SelfPersonResponse } } },
    async (req) => {
      const user = req.user!;
      const t = now();
      const existing = await ownPersonId(user);
      if (existing) {
        const changed = await updatePerson(db, existing, req.body, {
          resolver,
          now: t,
          require: ['phone', 'communeCode'],
          nationalIdClash: 'allow',
          // a registry record the account was linked to (by proof) keeps its identity and area: officers change those
          lockedFields: (cur) => (cur.source === 'citizen' ? [] : SELF_LOCKED_FIELDS),
        });
        if (changed.length) await audit(req, { action: 'person.update', subjectType: 'person', subjectId: existing, details: { fields: changed, by: 'self' } });
        const p = (await findPersonById(db, existing))!;
        return { person: await toSelfPerson(p, unitLabeler(resolver)) };
      }
      // First registration: always a new record. Typed-in details never attach an account to an existing record
      // (anyone can type a neighbour's name and phone); one that describes an existing record shows up on the
      // officers' duplicates list, and the citizen proves it is theirs with the card's QR or a link request (links.ts).
      const result = await inTransaction(db, async (tx) => {
        const id = await createPerson(tx, req.body, { resolver, now: t, source: 'citizen', require: ['phone', 'communeCode'], nationalIdClash: 'allow' });
        await tx.updateTable('users').set({ person_id: id, updated_at: t }).where('id', '=', user.id).execute();
        forgetUserSessions(user.id); // cached sessions carry the linked person (platform/auth/session-cache.ts)
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

  app.get('/api/me/dependants', { config: { audit: 'self', permission: 'self' }, schema: { tags, response: { 200: SelfDependantsResponse } } }, async (req) => {
    const own = await ownPersonId(req.user!);
    return { items: own ? await listDependants(own) : [] };
  });

  app.post(
    '/api/me/dependants',
    { config: { audit: 'self', permission: 'self' }, schema: { tags, body: SelfDependantBody, response: { 201: SelfDependantsResponse } } },
    async (req, reply) => {
      const user = req.user!;
      const own = await requireOwnPerson(user);
      const t = now();
      // always a new record, like one's own registration: an existing record joins the household only with proof
      // (POST /api/me/dependants/link, or a link request)
      const found = {
        id: await createPerson(db, req.body.person, { resolver, now: t, source: 'citizen', prefix: 'body.person', nationalIdClash: 'allow' }),
        created: true,
      };
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
    { config: { audit: 'self', permission: 'self' }, schema: { tags, querystring: SelfQrQuery, response: { 200: SelfQrResponse } } },
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

  // ── linking to an existing record: proof of possession (links.ts) ─────────────────────────────────────────
  const linkLimit = { max: 10, timeWindow: '1 minute', keyGenerator: (req: FastifyRequest) => `link:${req.user?.id ?? req.ip}` };
  const actor = (user: AuthUser) => ({ id: user.id, username: user.username });

  app.post(
    '/api/me/person/link',
    { config: { audit: 'self', permission: 'self', rateLimit: linkLimit }, schema: { tags, body: SelfLinkBody, response: { 200: SelfPersonResponse } } },
    async (req) => {
      const user = req.user!;
      await access.authorize(user, 'self', { ownedBySelf: true });
      const targetId = await verifyLinkProof(db, proofs, req.body.proof, { keys: ctx.keys, now: now(), path: 'body.proof' });
      const own = await ownPersonId(user);
      const done = await completeLink(db, { userId: user.id, kind: 'self', claimantId: own, targetId, method: req.body.proof.method, actor: actor(user), now: now(), events: ctx.events });
      await audit(req, { action: 'person.link_account', subjectType: 'person', subjectId: done.personId, details: { by: 'self', method: req.body.proof.method, userId: user.id, mergedId: done.merged ? own : null } });
      const p = (await findPersonById(db, done.personId))!;
      return { person: await toSelfPerson(p, unitLabeler(resolver)) };
    },
  );

  app.post(
    '/api/me/dependants/link',
    { config: { audit: 'self', permission: 'self', rateLimit: linkLimit }, schema: { tags, body: SelfDependantLinkBody, response: { 201: SelfDependantsResponse } } },
    async (req, reply) => {
      const user = req.user!;
      const own = await requireOwnPerson(user);
      const targetId = await verifyLinkProof(db, proofs, req.body.proof, { keys: ctx.keys, now: now(), path: 'body.proof' });
      const done = await completeLink(db, {
        userId: user.id,
        kind: 'dependant',
        claimantId: null,
        targetId,
        relationship: req.body.relationship,
        method: req.body.proof.method,
        actor: actor(user),
        now: now(),
        events: ctx.events,
      });
      await audit(req, {
        action: 'person.dependant.add',
        subjectType: 'person',
        subjectId: own,
        details: { by: 'self', dependantId: done.personId, created: false, relationship: req.body.relationship, method: req.body.proof.method },
      });
      return reply.status(201).send({ items: await listDependants(own) });
    },
  );

  const selfRequest = async (r: LinkRequestRow): Promise<SelfLinkRequest> => {
    const p = await findPersonById(db, r.claimant_id);
    return {
      id: r.id,
      kind: r.kind as SelfLinkRequest['kind'],
      method: r.method,
      personId: r.claimant_id,
      personName: p?.full_name ?? '',
      status: r.status as SelfLinkRequest['status'],
      note: r.note,
      decisionNote: r.decision_note,
      createdAt: r.created_at.toISOString(),
      decidedAt: r.decided_at?.toISOString() ?? null,
    };
  };

  app.post(
    '/api/me/link-requests',
    { config: { audit: 'self', permission: 'self', rateLimit: linkLimit }, schema: { tags, body: SelfLinkRequestBody, response: { 201: Type.Object({ request: SelfLinkRequest }) } } },
    async (req, reply) => {
      const user = req.user!;
      const own = await requireOwnPerson(user);
      const claimantId = req.body.personId ? ((await resolvePersonId(db, req.body.personId)) ?? req.body.personId) : own;
      const r = await requestLink(db, { userId: user.id, ownId: own, claimantId, note: req.body.note ?? null, now: now() });
      await audit(req, { action: 'person.link_request', subjectType: 'person', subjectId: r.claimant_id, details: { by: 'self', requestId: r.id, kind: r.kind } });
      return reply.status(201).send({ request: await selfRequest(r) });
    },
  );

  app.get('/api/me/link-requests', { config: { audit: 'self', permission: 'self' }, schema: { tags, response: { 200: SelfLinkRequestList } } }, async (req) => ({
    items: await Promise.all((await linkRequestsOfUser(db, req.user!.id)).map(selfRequest)),
  }));

  app.delete('/api/me/link-requests/:id', { config: { permission: 'self' }, schema: { tags, params: PersonIdParam } }, async (req, reply) => {
    const user = req.user!;
    const r = await findLinkRequest(db, req.params.id);
    // someone else's request looks like no request at all
    if (!r || String(r.user_id) !== String(user.id)) throw notFound('Link request');
    await closeLinkRequest(db, { id: r.id, status: 'cancelled', note: null, by: actor(user), now: now() });
    await audit(req, { action: 'person.link_request.cancel', subjectType: 'person', subjectId: r.claimant_id, details: { by: 'self', requestId: r.id } });
    return reply.status(204).send();
  });
}
