// Officer routes for cases and their contacts: list, confirm, read, update, re-trace, timeline, manual contacts.
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AuthUser } from '../../platform/auth/service';
import { invalidField, notFound } from '../../platform/http/errors';
import type { AppContext } from '../../platform/module';
import { findOrCreatePerson, getPersonIdentities } from '../people';
import { dayStart, plusDays } from './days';
import { confirmCase, requestTrace } from './events';
import { caseItems, contactItems } from './present';
import {
  CaseListQuery,
  CaseListResponse,
  CaseResponse,
  ContactListResponse,
  CreateCaseBody,
  IdParam,
  ManualContactBody,
  TimelineResponse,
  UpdateCaseBody,
} from './schema';
import { routeKit, withPhones } from './scope';
import { upsertContacts, type ContactInput } from './service';
import { timeline } from './timeline';
import type { CaseRow } from './tables';
import { Type } from '@sinclair/typebox';

const tags = ['cases'];

export async function caseRoutes(fastify: FastifyInstance, ctx: AppContext) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const kit = routeKit(ctx);
  const { db, access, now, settings, audit, scopeFor, placeFor, tz } = kit;

  /** The case, if the user may act on it with `perm` (403 outside their jurisdiction, 404 unknown). */
  const loadCase = async (user: AuthUser, id: string, perm: 'cases.read' | 'cases.write'): Promise<CaseRow> => {
    const c = await db.selectFrom('cases').selectAll().where('id', '=', id).executeTakeFirst();
    if (!c) throw notFound('Case');
    await access.authorize(user, perm, { unitCode: c.commune_code });
    return c;
  };

  app.get('/api/cases', { config: { audit: 'handler', permission: 'cases.read' }, schema: { tags, querystring: CaseListQuery, response: { 200: CaseListResponse } } }, async (req) => {
    const q = req.query;
    const scope = await scopeFor(req.user!, 'cases.read', q.unit);
    let base = db.selectFrom('cases');
    if (scope) base = base.where('commune_code', 'in', scope.length ? scope : ['-']);
    if (q.status) base = base.where('status', '=', q.status);
    if (q.source) base = base.where('source', '=', q.source);
    if (q.from) base = base.where('confirmed_at', '>=', dayStart(q.from, tz));
    if (q.to) base = base.where('confirmed_at', '<', dayStart(plusDays(q.to, 1), tz));
    if (q.q) base = base.where('code', 'ilike', `%${q.q.replace(/[%_\\]/g, '\\$&')}%`);
    const [rows, total] = await Promise.all([
      base.selectAll().orderBy('confirmed_at', 'desc').orderBy('code', 'desc').limit(q.limit).offset(q.offset).execute(),
      base.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
    ]);
    await audit(req, { action: 'cases.list', subjectType: 'cases', details: { unit: q.unit ?? null, status: q.status ?? null, rows: rows.length } });
    return { items: withPhones(req.user!, await caseItems(db, access.resolver, rows, settings)), total: Number(total.n) };
  });

  app.post('/api/cases', { config: { audit: 'handler', permission: 'cases.write' }, schema: { tags, body: CreateCaseBody, response: { 201: CaseResponse } } }, async (req, reply) => {
    const b = req.body;
    const person = (await getPersonIdentities(db, [b.personId])).get(b.personId);
    if (!person) throw notFound('Person');
    const unit = b.communeCode ?? person.communeCode;
    if (!unit) throw invalidField('body.communeCode', 'the person has no commune on record: give the commune that follows the case');
    await access.authorize(req.user!, 'cases.write', { unitCode: unit });
    if (b.placeId) await placeFor(req.user!, b.placeId);
    const row = await confirmCase(ctx, {
      personId: b.personId,
      communeCode: unit,
      confirmedAt: new Date(b.confirmedAt),
      onsetDate: b.onsetDate ?? null,
      testDate: b.testDate ?? null,
      isolatedAt: b.isolatedAt ? new Date(b.isolatedAt) : null,
      source: b.source,
      isolation: b.isolation,
      placeId: b.placeId ?? null,
      notes: b.notes,
      traceLevels: b.traceLevels ?? ctx.config.traceLevels,
      createdBy: req.user!.id,
      origin: 'officer',
    });
    await audit(req, { action: 'case.create', subjectType: 'case', subjectId: row.id, details: { code: row.code } });
    const fresh = await db.selectFrom('cases').selectAll().where('id', '=', row.id).executeTakeFirstOrThrow();
    return reply.status(201).send({ case: withPhones(req.user!, await caseItems(db, access.resolver, [fresh], settings))[0]! });
  });

  app.get('/api/cases/:id', { config: { audit: 'handler', permission: 'cases.read' }, schema: { tags, params: IdParam, response: { 200: CaseResponse } } }, async (req) => {
    const c = await loadCase(req.user!, req.params.id, 'cases.read');
    await audit(req, { action: 'case.read', subjectType: 'case', subjectId: c.id });
    return { case: withPhones(req.user!, await caseItems(db, access.resolver, [c], settings))[0]! };
  });

  app.patch('/api/cases/:id', { config: { audit: 'handler', permission: 'cases.write' }, schema: { tags, params: IdParam, body: UpdateCaseBody, response: { 200: CaseResponse } } }, async (req) => {
    const c = await loadCase(req.user!, req.params.id, 'cases.write');
    const b = req.body;
    if (b.placeId) await placeFor(req.user!, b.placeId);
    const t = now();
    const row = await db
      .updateTable('cases')
      .set({
        ...(b.status && b.status !== c.status && { status: b.status, status_changed_at: t }),
        ...(b.isolation && { isolation: b.isolation }),
        ...(b.placeId !== undefined && { place_id: b.placeId }),
        ...(b.isolatedAt !== undefined && { isolated_at: b.isolatedAt ? new Date(b.isolatedAt) : null }),
        ...(b.onsetDate !== undefined && { onset_date: b.onsetDate }),
        ...(b.notes !== undefined && { notes: b.notes }),
        // the officer looked at what flagged the case (withdraw.ts)
        ...(b.reviewed && { review_reason: null, review_flagged_at: null }),
        updated_at: t,
      })
      .where('id', '=', c.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await audit(req, { action: 'case.update', subjectType: 'case', subjectId: c.id, details: { fields: Object.keys(b) } });
    // a changed window means other contacts: trace again
    if (b.isolatedAt !== undefined || b.onsetDate !== undefined) await requestTrace(ctx, c.id);
    return { case: withPhones(req.user!, await caseItems(db, access.resolver, [row], settings))[0]! };
  });

  app.post(
    '/api/cases/:id/trace',
    {
      config: { audit: 'handler', permission: 'cases.write' },
      schema: { tags, params: IdParam, body: Type.Optional(Type.Object({ levels: Type.Optional(Type.Integer({ minimum: 1, maximum: 5 })) }, { additionalProperties: false })), response: { 202: CaseResponse } },
    },
    async (req, reply) => {
      const c = await loadCase(req.user!, req.params.id, 'cases.write');
      if (req.body?.levels) await db.updateTable('cases').set({ trace_levels: req.body.levels }).where('id', '=', c.id).execute();
      await db.updateTable('cases').set({ trace_status: 'pending' }).where('id', '=', c.id).execute();
      await audit(req, { action: 'case.trace', subjectType: 'case', subjectId: c.id, details: { levels: req.body?.levels ?? c.trace_levels } });
      await requestTrace(ctx, c.id);
      const fresh = await db.selectFrom('cases').selectAll().where('id', '=', c.id).executeTakeFirstOrThrow();
      return reply.status(202).send({ case: withPhones(req.user!, await caseItems(db, access.resolver, [fresh], settings))[0]! });
    },
  );

  app.get('/api/cases/:id/timeline', { config: { permission: 'cases.read' }, schema: { tags, params: IdParam, response: { 200: TimelineResponse } } }, async (req) => {
    const c = await loadCase(req.user!, req.params.id, 'cases.read');
    const items = await timeline(db, c, settings);
    await audit(req, { action: 'case.timeline.read', subjectType: 'case', subjectId: c.id, details: { rows: items.length } });
    return { items };
  });

  app.get(
    '/api/cases/:id/contacts',
    { config: { audit: 'handler', permission: 'cases.read' }, schema: { tags, params: IdParam, response: { 200: ContactListResponse } } },
    async (req) => {
      const c = await loadCase(req.user!, req.params.id, 'cases.read');
      // a commune officer sees the contacts their commune follows up; the case's province sees all of them
      const scope = await access.scopeCodes(req.user!);
      let q = db.selectFrom('case_contacts').selectAll().where('case_id', '=', c.id);
      if (scope) q = q.where('unit_code', 'in', scope.length ? scope : ['-']);
      const rows = await q.orderBy('level').orderBy('last_exposure_at', 'desc').limit(5000).execute();
      await audit(req, { action: 'case.contacts.read', subjectType: 'case', subjectId: c.id, details: { rows: rows.length } });
      return { items: withPhones(req.user!, await contactItems(db, access.resolver, rows, tz, now())), total: rows.length };
    },
  );

  app.post(
    '/api/cases/:id/contacts',
    { config: { audit: 'handler', permission: 'cases.write' }, schema: { tags, params: IdParam, body: ManualContactBody, response: { 201: ContactListResponse } } },
    async (req, reply) => {
      const c = await loadCase(req.user!, req.params.id, 'cases.write');
      const b = req.body;
      if (!b.personId === !b.person) throw invalidField('body.personId', 'give either personId or person (the details of someone new)');
      if (b.lastExposureDate > plusDays(new Date(now()).toISOString().slice(0, 10), 1)) throw invalidField('body.lastExposureDate', 'is in the future');
      const t = now();
      const row = await db.transaction().execute(async (tx) => {
        let personId = b.personId;
        if (personId) {
          if (!(await getPersonIdentities(tx, [personId])).has(personId)) throw notFound('Person');
        } else {
          const r = await findOrCreatePerson(tx, { ...b.person!, communeCode: b.person!.communeCode ?? null }, {
            resolver: access.resolver,
            now: t,
            source: 'officer',
            prefix: 'body.person',
            requirePhone: false,
            trust: 'staff',
          });
          personId = r.id;
        }
        if (personId === c.person_id) throw invalidField('body.personId', 'is the case itself');
        const at = new Date(dayStart(b.lastExposureDate, tz).getTime() + 12 * 3600_000);
        const input: ContactInput = {
          personId,
          level: b.level ?? 1,
          viaPersonId: null,
          origin: 'manual',
          exposures: [{ kind: b.relation, via: 'manual', venueId: null, from: at, to: at, overlapMinutes: null, sourcePersonId: c.person_id, note: b.note ?? '' }],
        };
        await upsertContacts(tx, c, [input], settings, t);
        return tx.selectFrom('case_contacts').selectAll().where('case_id', '=', c.id).where('person_id', '=', personId).executeTakeFirstOrThrow();
      });
      await audit(req, { action: 'contact.create', subjectType: 'case', subjectId: c.id, details: { contactId: row.id, relation: b.relation } });
      const items = withPhones(req.user!, await contactItems(db, access.resolver, [row], tz, now()));
      return reply.status(201).send({ items, total: 1 });
    },
  );
}

