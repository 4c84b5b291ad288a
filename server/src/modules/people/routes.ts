// Officer routes of the person registry. Every record-level check uses the person's commune as the unit.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { recordAudit, type AuditEntry } from '../../platform/audit';
import { auditActor } from '../../platform/auth/routes';
import type { AuthUser } from '../../platform/auth/service';
import type { Permission } from '../../platform/auth/roles';
import { invalidField, notFound } from '../../platform/http/errors';
import type { AppContext } from '../../platform/module';
import { personalCardsPdf, type CardParams } from './card';
import { maskPhone, normalizeName, normalizePhone, cleanNationalId } from './normalize';
import { toDetail, toListItem, unitLabeler } from './present';
import { findPersonById, findPersonsByIds, duplicatePairs, insertNotDuplicate, searchPersons, type PersonRow } from './queries';
import { personalQrToken } from './qr';
import {
  AddDependantBody,
  CardQuery,
  DuplicateListQuery,
  DuplicateListResponse,
  LinkParams,
  MergeBody,
  MergeResponse,
  NotDuplicateBody,
  PersonCreateBody,
  PersonIdParam,
  PersonListQuery,
  PersonListResponse,
  PersonResponse,
  PersonUpdateBody,
  ReasonQuery,
  type DuplicatePair,
} from './schema';
import { mergePersons } from './merge';
import { addDependant, dependantsOf, removeDependant } from './households';
import { createPerson, updatePerson } from './service';

const tags = ['people'];

export async function peopleRoutes(fastify: FastifyInstance, ctx: AppContext) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { db, access } = ctx;
  const resolver = access.resolver;
  const now = () => ctx.config.clock();

  const audit = async (req: FastifyRequest, e: Omit<AuditEntry, 'actor' | 'ip'>) =>
    recordAudit(db, { ...e, actor: await auditActor(access, req.user!), ip: req.ip, at: now() });

  /** Loads a person and checks the user may `perm` it (jurisdiction of the person's commune). */
  const authorized = async (user: AuthUser | null, perm: Permission, id: string): Promise<PersonRow> => {
    const p = await findPersonById(db, id);
    if (!p) throw notFound('Person');
    await access.authorize(user, perm, { unitCode: p.commune_code });
    return p;
  };

  /** A commune code the user may file people under: known (400) and inside their jurisdiction (403). */
  const checkCommune = async (user: AuthUser, perm: Permission, code: string, path: string) => {
    const unit = await resolver.unit(code);
    if (!unit || unit.level === 'country') throw invalidField(path, `is not a known commune/ward ("${code}")`);
    await access.authorize(user, perm, { unitCode: unit.code });
  };

  app.get(
    '/api/people',
    { config: { audit: 'handler', permission: 'people.read' }, schema: { tags, querystring: PersonListQuery, response: { 200: PersonListResponse } } },
    async (req) => {
      const user = req.user!;
      const scope = await access.scopeCodes(user);
      const q = req.query.q?.trim();
      let search: { nameKey?: string; phone?: string; nationalId?: string } = {};
      if (q) {
        const digits = cleanNationalId(q);
        const phone = /^[+0-9\s().-]+$/.test(q) ? normalizePhone(q) : null;
        const nationalId = /^(\d{9}|\d{12})$/.test(digits) ? digits : undefined;
        search = phone || nationalId ? { phone: phone ?? undefined, nationalId } : { nameKey: normalizeName(q) };
        if (!search.phone && !search.nationalId && !search.nameKey) throw invalidField('querystring.q', 'is not a name, phone number or ID number');
      }
      const r = await searchPersons(db, { scope, communeCode: req.query.commune, ...search, limit: req.query.limit, offset: req.query.offset });
      // every answer with names is a personal-data read: a search, or a page of the plain list
      await audit(req, {
        action: q ? 'person.search' : 'person.list',
        subjectType: 'person',
        details: {
          by: q ? (search.phone ? 'phone' : search.nationalId ? 'national_id' : 'name') : null,
          commune: req.query.commune ?? null,
          results: r.total,
          offset: req.query.offset,
          rows: r.items.length,
        },
      });
      const units = unitLabeler(resolver);
      return { items: await Promise.all(r.items.map((p) => toListItem(p, units))), total: r.total };
    },
  );

  app.post(
    '/api/people',
    { config: { audit: 'handler', permission: 'people.write' }, schema: { tags, body: PersonCreateBody, response: { 201: PersonResponse } } },
    async (req, reply) => {
      const user = req.user!;
      await checkCommune(user, 'people.write', req.body.communeCode, 'body.communeCode');
      const id = await createPerson(db, req.body, { resolver, now: now(), source: 'officer', require: ['communeCode'] });
      await audit(req, {
        action: 'person.create',
        subjectType: 'person',
        subjectId: id,
        details: { fields: Object.keys(req.body).filter((k) => (req.body as Record<string, unknown>)[k] != null) },
      });
      const p = (await findPersonById(db, id))!;
      return reply.status(201).send({ person: await toDetail(db, p, unitLabeler(resolver)) });
    },
  );

  app.get(
    '/api/people/duplicates',
    {
      config: { audit: { action: 'person.duplicates.read' }, permission: 'people.read' },
      schema: { tags, querystring: DuplicateListQuery, response: { 200: DuplicateListResponse } },
    },
    async (req) => {
      const user = req.user!;
      if (req.query.personId) await authorized(user, 'people.read', req.query.personId);
      const scope = await access.scopeCodes(user);
      const r = await duplicatePairs(db, scope, req.query.limit, req.query.offset, req.query.personId);
      const rows = await findPersonsByIds(db, [...new Set(r.items.flatMap((p) => [p.a_id, p.b_id]))]);
      const byId = new Map(rows.map((p) => [p.id, p]));
      const units = unitLabeler(resolver);
      const items: DuplicatePair[] = [];
      for (const pair of r.items) {
        const a = byId.get(pair.a_id);
        const b = byId.get(pair.b_id);
        if (a && b) items.push({ reason: pair.reason as DuplicatePair['reason'], a: await toListItem(a, units), b: await toListItem(b, units) });
      }
      return { items, total: r.total };
    },
  );

  app.post(
    '/api/people/duplicates/dismiss',
    { config: { permission: 'people.merge' }, schema: { tags, body: NotDuplicateBody } },
    async (req, reply) => {
      const user = req.user!;
      if (req.body.aId === req.body.bId) throw invalidField('body.bId', 'is the same record as aId');
      await authorized(user, 'people.merge', req.body.aId);
      await authorized(user, 'people.merge', req.body.bId);
      await insertNotDuplicate(db, req.body.aId, req.body.bId, user.id);
      await audit(req, { action: 'person.not_duplicate', subjectType: 'person', subjectId: req.body.aId, details: { otherId: req.body.bId } });
      return reply.status(204).send();
    },
  );

  app.get(
    '/api/people/:id',
    {
      config: { audit: 'handler', permission: 'people.read' },
      schema: { tags, params: PersonIdParam, querystring: ReasonQuery, response: { 200: PersonResponse } },
    },
    async (req) => {
      const p = await authorized(req.user, 'people.read', req.params.id);
      await audit(req, { action: 'person.read', subjectType: 'person', subjectId: p.id, reason: req.query.reason.trim() });
      return { person: await toDetail(db, p, unitLabeler(resolver)) };
    },
  );

  app.patch(
    '/api/people/:id',
    {
      config: { audit: 'handler', permission: 'people.write' },
      schema: { tags, params: PersonIdParam, body: PersonUpdateBody, response: { 200: PersonResponse } },
    },
    async (req) => {
      const user = req.user!;
      await authorized(user, 'people.write', req.params.id);
      if (req.body.communeCode) await checkCommune(user, 'people.write', req.body.communeCode, 'body.communeCode');
      const changed = await updatePerson(db, req.params.id, req.body, { resolver, now: now(), require: ['communeCode'] });
      // the answer is the full record: audited even when nothing changed
      await audit(req, { action: changed.length ? 'person.update' : 'person.read', subjectType: 'person', subjectId: req.params.id, details: { fields: changed } });
      const p = (await findPersonById(db, req.params.id))!;
      return { person: await toDetail(db, p, unitLabeler(resolver)) };
    },
  );

  app.post(
    '/api/people/:id/merge',
    {
      config: { audit: 'handler', permission: 'people.merge' },
      schema: { tags, params: PersonIdParam, body: MergeBody, response: { 200: MergeResponse } },
    },
    async (req) => {
      const user = req.user!;
      await authorized(user, 'people.merge', req.params.id);
      const other = await findPersonById(db, req.body.mergeId);
      if (!other) throw invalidField('body.mergeId', 'is not a known person');
      await access.authorize(user, 'people.merge', { unitCode: other.commune_code });
      const actor = await auditActor(access, user);
      const r = await mergePersons(db, ctx.events, {
        keptId: req.params.id,
        mergedId: req.body.mergeId,
        reason: req.body.reason.trim(),
        take: req.body.take,
        actor,
        now: now(),
      });
      await recordAudit(db, [
        {
          actor,
          ip: req.ip,
          at: now(),
          action: 'person.merge',
          subjectType: 'person',
          subjectId: r.keptId,
          reason: req.body.reason.trim(),
          details: { mergedId: r.mergedId, fieldsTaken: r.fieldsTaken, repointed: r.repointed },
        },
        {
          actor,
          ip: req.ip,
          at: now(),
          action: 'person.merged_into',
          subjectType: 'person',
          subjectId: r.mergedId,
          reason: req.body.reason.trim(),
          details: { keptId: r.keptId },
        },
      ]);
      const p = (await findPersonById(db, r.keptId))!;
      return {
        person: await toDetail(db, p, unitLabeler(resolver)),
        merge: { mergedId: r.mergedId, fieldsTaken: r.fieldsTaken, repointed: r.repointed },
      };
    },
  );

  app.post(
    '/api/people/:id/dependants',
    {
      config: { audit: 'handler', permission: 'people.write' },
      schema: { tags, params: PersonIdParam, body: AddDependantBody, response: { 200: PersonResponse, 201: PersonResponse } },
    },
    async (req, reply) => {
      const user = req.user!;
      await authorized(user, 'people.write', req.params.id);
      const d = await findPersonById(db, req.body.dependantId);
      if (!d) throw invalidField('body.dependantId', 'is not a known person');
      await access.authorize(user, 'people.read', { unitCode: d.commune_code });
      const r = await addDependant(db, req.params.id, req.body.dependantId, req.body.relationship, user.id, now());
      await audit(req, {
        action: 'person.dependant.add',
        subjectType: 'person',
        subjectId: req.params.id,
        details: { dependantId: req.body.dependantId, relationship: req.body.relationship },
      });
      const p = (await findPersonById(db, req.params.id))!;
      return reply.status(r.created ? 201 : 200).send({ person: await toDetail(db, p, unitLabeler(resolver)) });
    },
  );

  app.delete(
    '/api/people/:id/dependants/:dependantId',
    { config: { permission: 'people.write' }, schema: { tags, params: LinkParams } },
    async (req, reply) => {
      await authorized(req.user, 'people.write', req.params.id);
      if (!(await removeDependant(db, req.params.id, req.params.dependantId))) throw notFound('Dependant link');
      await audit(req, { action: 'person.dependant.remove', subjectType: 'person', subjectId: req.params.id, details: { dependantId: req.params.dependantId } });
      return reply.status(204).send();
    },
  );

  app.get(
    '/api/people/:id/card.pdf',
    {
      config: { permission: 'people.read' },
      schema: { tags, params: PersonIdParam, querystring: CardQuery, produces: ['application/pdf'] },
    },
    async (req, reply) => {
      const user = req.user!;
      const p = await authorized(user, 'people.read', req.params.id);
      if (p.merged_into) throw invalidField('params.id', `was merged into ${p.merged_into}; print that record's card`);
      const people = [p];
      if (req.query.household) {
        for (const d of await dependantsOf(db, p.id)) {
          if (await access.can(user, 'people.read', { unitCode: d.communeCode })) {
            const row = await findPersonById(db, d.id);
            if (row) people.push(row);
          }
        }
      }
      const pdf = await cardsFor(ctx, people);
      await audit(req, {
        action: 'person.card',
        subjectType: 'person',
        subjectId: p.id,
        reason: req.query.reason.trim(),
        details: { cards: people.length, personIds: people.map((x) => x.id) },
      });
      return sendPdf(reply, pdf, `the-qr-${p.id.slice(0, 8)}.pdf`);
    },
  );
}

/** Cards for the given records (QR token signed now). */
export async function cardsFor(ctx: AppContext, people: PersonRow[]): Promise<Buffer> {
  const units = unitLabeler(ctx.access.resolver);
  const issuedAt = ctx.config.clock();
  const cards: CardParams[] = [];
  for (const p of people) {
    cards.push({
      fullName: p.full_name,
      birthYear: p.birth_year,
      sex: p.sex,
      placeLabel: (await units(p.commune_code))?.label ?? null,
      phoneMasked: maskPhone(p.phone),
      qrText: personalQrToken(ctx.keys, p.id),
      reference: p.id.slice(0, 8).toUpperCase(),
      issuedAt,
      timeZone: ctx.config.timeZone,
    });
  }
  return personalCardsPdf(cards);
}

export function sendPdf(reply: FastifyReply, pdf: Buffer, filename: string) {
  return reply
    .header('content-type', 'application/pdf')
    .header('content-disposition', `inline; filename="${filename}"`)
    .header('cache-control', 'no-store')
    .send(pdf);
}
