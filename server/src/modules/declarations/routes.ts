// Officer routes: work list of flagged declarations, follow-up actions, dashboard counts, declaration detail,
// officer-entered declarations. The configuration of forms, risk rules and zone lists: config-routes.ts.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { recordAudit, type AuditEntry } from '../../platform/audit';
import { auditActor } from '../../platform/auth/routes';
import type { AuthUser } from '../../platform/auth/service';
import type { Permission } from '../../platform/auth/roles';
import { invalidField, notFound } from '../../platform/http/errors';
import type { AppContext } from '../../platform/module';
import { getPersonBrief, getPersonContact, resolvePersonId } from '../people';
import { actionView, presenter } from './present';
import {
  actionsOf,
  findDeclaration,
  searchDeclarations,
  type DeclarationRow,
} from './queries';
import {
  ActionBody,
  DashboardQuery,
  DashboardResponse,
  DeclarationIdParam,
  DeclarationListQuery,
  DeclarationListResponse,
  DeclarationResponse,
  DetailQuery,
  OfficerSubmitBody,
  SubmitResponse,
  WorklistQuery,
  type DeclarationDetail,
} from './schema';
import { applyAction, dashboard } from './service';
import { addDays, localDay, startOfLocalDay } from '../../platform/time';
import { submitDeclaration, submitDeps } from './submit';
import { ACTIVE_STATUSES, allowedActions, type Status } from './workflow';

const tags = ['declarations'];

export async function declarationRoutes(fastify: FastifyInstance, ctx: AppContext) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { db, access } = ctx;
  const resolver = access.resolver;
  const now = () => ctx.config.clock();
  const tz = ctx.config.timeZone;

  const audit = async (req: FastifyRequest, e: Omit<AuditEntry, 'actor' | 'ip'>) =>
    recordAudit(db, { ...e, actor: await auditActor(access, req.user!), ip: req.ip, at: now() });

  /** The unit codes to filter by: the caller's whole jurisdiction, or a unit inside it they picked. */
  const scopeFor = async (user: AuthUser, perm: Permission, unit: string | undefined) => {
    if (!unit) return { scope: await access.scopeCodes(user), root: user.jurisdictionCode };
    const u = await resolver.unit(unit);
    if (!u) throw invalidField('querystring.unit', `is not a known administrative unit ("${unit}")`);
    await access.authorize(user, perm, { unitCode: u.code });
    return { scope: await resolver.subtreeCodes(u.code), root: u.code };
  };

  /** The units whose declarations the user acts on (null = all): their jurisdiction, when they may review at all. */
  const actScope = async (user: AuthUser): Promise<string[] | null> => (user.permissions.has('declarations.review') ? access.scopeCodes(user) : []);

  const dayRange = (from?: string, to?: string) => ({
    from: from ? startOfLocalDay(from, tz) : undefined,
    to: to ? startOfLocalDay(addDays(to, 1), tz) : undefined,
  });

  /**
   * May the user read this declaration: its responsible unit, the unit of the venue it was made at, or the subject's
   * commune is in their jurisdiction.
   * Acting on it (called, referred, cleared) is for the responsible unit only, so an item never leaves another
   * unit's work list by someone else's hand.
   */
  const mayAccess = async (user: AuthUser, perm: Permission, d: DeclarationRow) => {
    if (await access.can(user, perm, { unitCode: d.responsible_unit_code })) return;
    if (d.venue_unit_code && (await access.can(user, perm, { unitCode: d.venue_unit_code }))) return; // declared at a venue in their area
    const subject = await getPersonBrief(db, d.subject_person_id);
    await access.authorize(user, perm, { unitCode: subject?.communeCode ?? d.responsible_unit_code });
  };

  /** Does the user's unit act on declarations followed up in `unitCode` (a scope from scopeFor / scopeCodes)? */
  const actorIn = (scope: string[] | null) => {
    const set = scope ? new Set(scope) : null;
    return (unitCode: string) => !set || set.has(unitCode);
  };

  const detail = async (user: AuthUser, d: DeclarationRow): Promise<DeclarationDetail> => {
    const p = presenter(db, resolver);
    const mayAct = await access.can(user, 'declarations.review', { unitCode: d.responsible_unit_code });
    // the full phone number is for the area that follows the person up (or where they live); an officer who sees
    // the declaration only because it was made at a venue in their area gets the masked number
    const followsUp =
      (await access.can(user, 'declarations.read', { unitCode: d.responsible_unit_code })) ||
      (await access.can(user, 'declarations.read', { unitCode: (await getPersonBrief(db, d.subject_person_id))?.communeCode ?? d.responsible_unit_code }));
    const [item] = await p.items([d], () => mayAct);
    const v = await p.version(d.form_key, d.form_version);
    const contact = await getPersonContact(db, d.subject_person_id);
    const declarant = d.declarant_person_id && d.declarant_person_id !== d.subject_person_id ? await getPersonBrief(db, d.declarant_person_id) : null;
    const actions = await actionsOf(db, [d.id]);
    return {
      ...item!,
      questions: (v?.questions ?? []) as DeclarationDetail['questions'],
      answers: d.answers,
      contact: {
        fullName: contact?.fullName ?? '—',
        birthYear: contact?.birthYear ?? null,
        sex: contact?.sex ?? null,
        phone: followsUp ? (contact?.phone ?? null) : null,
        address: contact?.address ?? null,
        commune: contact?.communeCode ? { code: contact.communeCode, name: await p.unitName(contact.communeCode) } : null,
      },
      declarant: declarant ? { id: declarant.id, fullName: declarant.fullName } : null,
      venueUnitCode: d.venue_unit_code,
      actions: actions.map(actionView),
      allowedActions: mayAct ? [...allowedActions(d.status as Status)] : [],
    };
  };

  // ── work list, list, dashboard ──────────────────────────────────────────────

  app.get(
    '/api/declarations/worklist',
    { config: { audit: 'handler', permission: 'declarations.read' }, schema: { tags, querystring: WorklistQuery, response: { 200: DeclarationListResponse } } },
    async (req) => {
      const { scope } = await scopeFor(req.user!, 'declarations.read', req.query.unit);
      const statuses = req.query.status === 'active' ? [...ACTIVE_STATUSES] : req.query.status === 'all' ? undefined : [req.query.status];
      const r = await searchDeclarations(db, {
        scope,
        venueUnits: req.query.view === 'venue' ? 'only' : req.query.view === 'all' ? 'also' : undefined,
        flaggedOnly: true,
        statuses,
        severities: req.query.severity ? [req.query.severity] : undefined,
        ...dayRange(req.query.from, req.query.to),
        order: 'worklist',
        limit: req.query.limit,
        offset: req.query.offset,
      });
      // names, years of birth, phones and risk answers of many people: recorded like any personal-data read
      await audit(req, {
        action: 'declarations.worklist.read',
        subjectType: 'declarations',
        subjectId: null,
        details: { unit: req.query.unit ?? null, status: req.query.status, view: req.query.view, rows: r.items.length, total: r.total },
      });
      return { items: await presenter(db, resolver).items(r.items, actorIn(await actScope(req.user!))), total: r.total };
    },
  );

  app.get(
    '/api/declarations',
    { config: { audit: 'handler', permission: 'declarations.read' }, schema: { tags, querystring: DeclarationListQuery, response: { 200: DeclarationListResponse } } },
    async (req) => {
      const user = req.user!;
      let scope: string[] | null;
      let subjectIds: string[] | undefined;
      if (req.query.personId) {
        // every declaration about a person the officer may see, whichever unit follows it up
        const live = (await resolvePersonId(db, req.query.personId)) ?? req.query.personId;
        const brief = await getPersonBrief(db, live);
        if (!brief) throw notFound('Person');
        await access.authorize(user, 'declarations.read', { unitCode: brief.communeCode });
        subjectIds = [...new Set([live, req.query.personId])];
        scope = null;
      } else scope = (await scopeFor(user, 'declarations.read', req.query.unit)).scope;
      const r = await searchDeclarations(db, {
        scope,
        venueUnits: 'also',
        subjectIds,
        flaggedOnly: req.query.flagged === true ? true : undefined,
        statuses: req.query.flagged === false ? ['none'] : undefined,
        formKey: req.query.formKey,
        ...dayRange(req.query.from, req.query.to),
        order: 'recent',
        limit: req.query.limit,
        offset: req.query.offset,
      });
      await audit(req, {
        action: 'declarations.read',
        subjectType: req.query.personId ? 'person' : 'declarations',
        subjectId: req.query.personId ?? null,
        details: { unit: req.query.unit ?? null, formKey: req.query.formKey ?? null, rows: r.items.length, total: r.total },
      });
      return { items: await presenter(db, resolver).items(r.items, actorIn(await actScope(user))), total: r.total };
    },
  );

  app.get(
    '/api/declarations/dashboard',
    { config: { permission: 'declarations.read' }, schema: { tags, querystring: DashboardQuery, response: { 200: DashboardResponse } } },
    async (req) => {
      const { scope, root } = await scopeFor(req.user!, 'declarations.read', req.query.unit);
      const to = req.query.to ?? localDay(now(), tz);
      const from = req.query.from ?? addDays(to, -13);
      if (from > to) throw invalidField('querystring.from', 'is after to');
      if (addDays(from, 366) < to) throw invalidField('querystring.from', 'the range may span at most a year');
      return dashboard(db, resolver, root, scope, from, to, tz);
    },
  );

  // ── one declaration ─────────────────────────────────────────────────────────

  app.get(
    '/api/declarations/:id',
    {
      config: { audit: 'handler', permission: 'declarations.read' },
      schema: { tags, params: DeclarationIdParam, querystring: DetailQuery, response: { 200: DeclarationResponse } },
    },
    async (req) => {
      const d = await findDeclaration(db, req.params.id);
      if (!d) throw notFound('Declaration');
      await mayAccess(req.user!, 'declarations.read', d);
      await audit(req, {
        action: 'declaration.read',
        subjectType: 'declaration',
        subjectId: d.id,
        reason: req.query.reason?.trim() || null,
        details: { personId: d.subject_person_id },
      });
      return { declaration: await detail(req.user!, d) };
    },
  );

  app.post(
    '/api/declarations/:id/actions',
    { config: { audit: 'handler', permission: 'declarations.review' }, schema: { tags, params: DeclarationIdParam, body: ActionBody, response: { 200: DeclarationResponse } } },
    async (req) => {
      const user = req.user!;
      const actor = await auditActor(access, user);
      const r = await applyAction(db, req.params.id, req.body.action, req.body.note, actor, now(), async (d) => void (await access.authorize(user, 'declarations.review', { unitCode: d.responsible_unit_code })));
      await audit(req, {
        action: 'declaration.action',
        subjectType: 'declaration',
        subjectId: req.params.id,
        details: { action: req.body.action, from: r.from, to: r.to },
      });
      return { declaration: await detail(req.user!, (await findDeclaration(db, req.params.id))!) };
    },
  );

  app.post(
    '/api/declarations',
    { config: { permission: 'declarations.review' }, schema: { tags, body: OfficerSubmitBody, response: { 201: SubmitResponse } } },
    async (req, reply) => {
      const user = req.user!;
      const subject = await getPersonBrief(db, req.body.subjectPersonId);
      if (!subject) throw invalidField('body.subjectPersonId', 'is not a known person');
      await access.authorize(user, 'declarations.review', { unitCode: subject.communeCode });
      const d = await submitDeclaration(
        db,
        { ...req.body, subjectPersonId: subject.id, declarantPersonId: null, userId: user.id, channel: 'officer' },
        submitDeps(ctx, now()),
      );
      await audit(req, {
        action: 'declaration.create',
        subjectType: 'declaration',
        subjectId: d.id,
        details: { personId: subject.id, formKey: d.form_key, formVersion: d.form_version, channel: 'officer', flagged: d.flagged },
      });
      return reply.status(201).send({
        declaration: { id: d.id, formKey: d.form_key, formVersion: d.form_version, submittedAt: d.submitted_at.toISOString(), followUp: d.flagged },
      });
    },
  );
}
