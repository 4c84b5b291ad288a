// Officer routes: work list of flagged declarations, follow-up actions, dashboard counts, declaration detail,
// officer-entered declarations, and the configuration of forms, risk rules and zone lists.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { recordAudit, type AuditEntry } from '../../platform/audit';
import { auditActor } from '../../platform/auth/routes';
import type { AuthUser } from '../../platform/auth/service';
import type { Permission } from '../../platform/auth/roles';
import { invalidField, notFound } from '../../platform/http/errors';
import type { AppContext } from '../../platform/module';
import { getPersonBrief, getPersonContact, resolvePersonId } from '../people';
import { appliesIn, areaPathOf, authorizeOwner, chainOf, mayChange, ownerForNew, relevantTo } from './ownership';
import { actionView, formListItem, formView, presenter, unitRef } from './present';
import {
  actionsOf,
  deleteSwitchOff,
  findDeclaration,
  findForm,
  findRule,
  findZone,
  formVersions,
  insertSwitchOff,
  listForms,
  listRules,
  listSwitchOffs,
  listZones,
  searchDeclarations,
  setFormArchived,
  type DeclarationRow,
  type RuleRow,
  type ZoneRow,
} from './queries';
import {
  ActionBody,
  ArchiveBody,
  DashboardQuery,
  DashboardResponse,
  DeclarationIdParam,
  DeclarationListQuery,
  DeclarationListResponse,
  DeclarationResponse,
  DetailQuery,
  FormDefinitionBody,
  FormKeyParam,
  FormListResponse,
  FormResponse,
  FormVersionQuery,
  FormVersionsResponse,
  OfficerSubmitBody,
  RuleBody,
  RuleKeyParam,
  RuleListResponse,
  RuleSwitchBody,
  SaveFormResponse,
  SubmitResponse,
  WorklistQuery,
  ZoneBody,
  ZoneListResponse,
  type DeclarationDetail,
  RuleView,
  ZoneView,
} from './schema';
import { applyAction, dashboard, loadForm, saveForm, saveRule, saveZone } from './service';
import { addDays, localDay, startOfLocalDay } from '../../platform/time';
import { submitDeclaration, submitDeps } from './submit';
import type { FormDefinition, Question } from './model';
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

  // ── configuration: forms ────────────────────────────────────────────────────
  // Forms, rules and zone lists have an owner (ownership.ts): national ones are changed by national admins only; a
  // province or district adds its own and switches national rules off for its own area. Every change is audited with
  // what it was before and after, and with the area it affects, so that area's officers see it in their audit log.

  /** An audited configuration change: before/after, and the owner's area as the area it affects. */
  const auditChange = async (req: FastifyRequest, e: { action: string; subjectType: string; subjectId: string; area: string | null; before: unknown; after: unknown }) =>
    audit(req, {
      action: e.action,
      subjectType: e.subjectType,
      subjectId: e.subjectId,
      areaPath: await areaPathOf(resolver, e.area),
      details: { area: e.area ?? 'national', before: e.before, after: e.after },
    });

  /** Forms, rules and zone lists shown to a user: national, their area's and above, and those of units inside it. */
  const relevant = async <T extends { owner_unit_code: string | null }>(user: AuthUser, rows: T[]) => {
    const keep = await Promise.all(rows.map((r) => relevantTo(resolver, r.owner_unit_code, user.jurisdictionCode)));
    return rows.filter((_, i) => keep[i]);
  };

  const formSummary = (f: { version: { version: number; title: unknown }; form: { archived: boolean } }) => ({
    version: f.version.version,
    title: f.version.title,
    archived: f.form.archived,
  });

  app.get('/api/declarations/forms', { config: { permission: 'declarations.read' }, schema: { tags, response: { 200: FormListResponse } } }, async (req) => {
    const user = req.user!;
    const rows = await relevant(user, await listForms(db, true));
    return {
      items: await Promise.all(rows.map(async (f) => ({ ...(await formListItem(resolver, f)), editable: await mayChange(access, user, f.owner_unit_code) }))),
    };
  });

  app.get(
    '/api/declarations/forms/:key',
    { config: { permission: 'declarations.read' }, schema: { tags, params: FormKeyParam, querystring: FormVersionQuery, response: { 200: FormResponse } } },
    async (req) => {
      const f = await loadForm(db, req.params.key, req.query.version);
      return { form: await formView(resolver, f.form, f.version) };
    },
  );

  app.get(
    '/api/declarations/forms/:key/versions',
    { config: { permission: 'declarations.read' }, schema: { tags, params: FormKeyParam, response: { 200: FormVersionsResponse } } },
    async (req) => {
      if (!(await findForm(db, req.params.key))) throw notFound(`Form "${req.params.key}"`);
      const rows = await formVersions(db, req.params.key);
      return { items: rows.map((v) => ({ version: v.version, title: v.title, createdAt: v.created_at.toISOString(), createdBy: v.created_by_username })) };
    },
  );

  app.put(
    '/api/declarations/forms/:key',
    { config: { permission: 'declarations.forms' }, schema: { tags, params: FormKeyParam, body: FormDefinitionBody, response: { 200: SaveFormResponse } } },
    async (req) => {
      const user = req.user!;
      const existing = await findForm(db, req.params.key);
      const { owner: requested, ...body } = req.body;
      let owner: string | null;
      if (existing) {
        await authorizeOwner(access, user, existing.owner_unit_code); // `owner` names the owner of a new form only
        owner = existing.owner_unit_code;
      } else owner = await ownerForNew(access, user, requested, 'body.owner');
      const before = existing ? await loadForm(db, req.params.key) : null;
      const actor = await auditActor(access, user);
      const def: FormDefinition = { ...body, questions: body.questions as Question[] };
      const r = await saveForm(db, req.params.key, def, actor, now(), owner);
      const f = await loadForm(db, req.params.key, r.version);
      if (r.created) {
        await auditChange(req, {
          action: 'declarations.form.save',
          subjectType: 'declaration_form',
          subjectId: req.params.key,
          area: owner,
          before: before ? formSummary(before) : null,
          after: formSummary(f),
        });
      }
      return { form: await formView(resolver, f.form, f.version), created: r.created };
    },
  );

  app.post(
    '/api/declarations/forms/:key/archive',
    { config: { permission: 'declarations.forms' }, schema: { tags, params: FormKeyParam, body: ArchiveBody, response: { 200: FormResponse } } },
    async (req) => {
      const existing = await findForm(db, req.params.key);
      if (!existing) throw notFound(`Form "${req.params.key}"`);
      await authorizeOwner(access, req.user!, existing.owner_unit_code);
      await setFormArchived(db, req.params.key, req.body.archived, now());
      await auditChange(req, {
        action: 'declarations.form.archive',
        subjectType: 'declaration_form',
        subjectId: req.params.key,
        area: existing.owner_unit_code,
        before: { archived: existing.archived },
        after: { archived: req.body.archived },
      });
      const f = await loadForm(db, req.params.key);
      return { form: await formView(resolver, f.form, f.version) };
    },
  );

  // ── configuration: risk rules and zone lists ────────────────────────────────

  const ruleContent = (r: RuleRow) => ({ name: r.name, formKinds: r.form_kinds, condition: r.condition, severity: r.severity, active: r.active });

  const ruleViews = async (user: AuthUser, rules: RuleRow[]): Promise<RuleView[]> => {
    const offs = await listSwitchOffs(db);
    const chain = await chainOf(resolver, user.jurisdictionCode);
    const out: RuleView[] = [];
    for (const r of rules) {
      const mine = offs.filter((o) => o.rule_key === r.key);
      const shown = [];
      for (const o of mine)
        if (await relevantTo(resolver, o.unit_code, user.jurisdictionCode))
          shown.push({ unit: (await unitRef(resolver, o.unit_code))!, reason: o.reason, at: o.at.toISOString(), by: o.by_username });
      out.push({
        key: r.key,
        name: r.name,
        formKinds: r.form_kinds,
        condition: r.condition,
        severity: r.severity as RuleView['severity'],
        active: r.active,
        updatedAt: r.updated_at.toISOString(),
        owner: await unitRef(resolver, r.owner_unit_code),
        editable: await mayChange(access, user, r.owner_unit_code),
        switchOffs: shown,
        activeHere: r.active && appliesIn(chain, r.owner_unit_code, mine.map((o) => o.unit_code)),
      });
    }
    return out;
  };

  const zoneView = async (user: AuthUser, z: ZoneRow): Promise<ZoneView> => ({
    key: z.key,
    name: z.name,
    codes: z.codes,
    updatedAt: z.updated_at.toISOString(),
    owner: await unitRef(resolver, z.owner_unit_code),
    editable: await mayChange(access, user, z.owner_unit_code),
  });

  app.get('/api/declarations/rules', { config: { permission: 'declarations.read' }, schema: { tags, response: { 200: RuleListResponse } } }, async (req) => ({
    items: await ruleViews(req.user!, await relevant(req.user!, await listRules(db, false))),
  }));

  app.put(
    '/api/declarations/rules/:key',
    { config: { permission: 'declarations.forms' }, schema: { tags, params: RuleKeyParam, body: RuleBody, response: { 200: RuleView } } },
    async (req) => {
      const user = req.user!;
      const existing = await findRule(db, req.params.key);
      const { owner: requested, ...input } = req.body;
      let owner: string | null;
      if (existing) {
        await authorizeOwner(access, user, existing.owner_unit_code);
        owner = existing.owner_unit_code;
      } else owner = await ownerForNew(access, user, requested, 'body.owner');
      const r = await saveRule(db, resolver, req.params.key, input, user.id, now(), owner);
      await auditChange(req, {
        action: 'declarations.rule.save',
        subjectType: 'declaration_rule',
        subjectId: r.key,
        area: owner,
        before: existing ? ruleContent(existing) : null,
        after: ruleContent(r),
      });
      return (await ruleViews(user, [r]))[0]!;
    },
  );

  app.post(
    '/api/declarations/rules/:key/switch',
    { config: { permission: 'declarations.forms' }, schema: { tags, params: RuleKeyParam, body: RuleSwitchBody, response: { 200: RuleView } } },
    async (req) => {
      const user = req.user!;
      const rule = await findRule(db, req.params.key);
      if (!rule) throw notFound(`Rule "${req.params.key}"`);
      const unit = await resolver.unit(req.body.unit ?? user.jurisdictionCode);
      if (!unit) throw invalidField('body.unit', `is not a known administrative unit ("${req.body.unit}")`);
      if (unit.level === 'country') throw invalidField('body.unit', 'a rule is switched off for the whole country by its own "active" setting, not here');
      await access.authorize(user, 'declarations.forms', { unitCode: unit.code });
      const reason = req.body.reason?.trim() ?? '';
      if (!req.body.active && !reason) throw invalidField('body.reason', 'say why the rule is switched off for this area');
      const was = (await listSwitchOffs(db, rule.key)).find((o) => o.unit_code === unit.code);
      const actor = await auditActor(access, user);
      if (req.body.active) await deleteSwitchOff(db, rule.key, unit.code);
      else await insertSwitchOff(db, { rule_key: rule.key, unit_code: unit.code, reason, at: now(), by_user_id: actor.id, by_username: actor.username });
      await auditChange(req, {
        ...(req.body.active ? { action: 'declarations.rule.switch_on' } : { action: 'declarations.rule.switch_off' }),
        subjectType: 'declaration_rule',
        subjectId: rule.key,
        area: unit.code,
        before: { unit: unit.code, switchedOff: !!was, reason: was?.reason ?? null },
        after: { unit: unit.code, switchedOff: !req.body.active, reason: req.body.active ? null : reason },
      });
      return (await ruleViews(user, [rule]))[0]!;
    },
  );

  app.get('/api/declarations/zones', { config: { permission: 'declarations.read' }, schema: { tags, response: { 200: ZoneListResponse } } }, async (req) => ({
    items: await Promise.all((await relevant(req.user!, await listZones(db))).map((z) => zoneView(req.user!, z))),
  }));

  app.put(
    '/api/declarations/zones/:key',
    { config: { permission: 'declarations.forms' }, schema: { tags, params: RuleKeyParam, body: ZoneBody, response: { 200: ZoneView } } },
    async (req) => {
      const user = req.user!;
      const existing = await findZone(db, req.params.key);
      let owner: string | null;
      if (existing) {
        await authorizeOwner(access, user, existing.owner_unit_code);
        owner = existing.owner_unit_code;
      } else owner = await ownerForNew(access, user, req.body.owner, 'body.owner');
      const z = await saveZone(db, resolver, req.params.key, req.body.name, req.body.codes, user.id, now(), owner);
      await auditChange(req, {
        action: 'declarations.zone.save',
        subjectType: 'declaration_zone',
        subjectId: z.key,
        area: owner,
        before: existing ? { name: existing.name, codes: existing.codes } : null,
        after: { name: z.name, codes: z.codes },
      });
      return zoneView(user, z);
    },
  );
}
