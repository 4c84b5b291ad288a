// Configuration routes of declarations: forms, risk rules and zone lists (owned per area, audited with before/after).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { recordAudit, type AuditEntry } from '../../platform/audit';
import { auditActor } from '../../platform/auth/routes';
import type { AuthUser } from '../../platform/auth/service';
import type { AppContext } from '../../platform/module';
import { invalidField, notFound } from '../../platform/http/errors';
import { appliesIn, areaPathOf, authorizeOwner, chainOf, mayChange, ownerForNew, relevantTo } from './ownership';
import { formListItem, formView, unitRef } from './present';
import {
  deleteSwitchOff,
  findForm,
  findRule,
  findZone,
  formVersions,
  insertSwitchOff,
  listForms,
  listRules,
  listSwitchOffs,
  listZones,
  setFormArchived,
  type RuleRow,
  type ZoneRow,
} from './queries';
import {
  ArchiveBody,
  FormDefinitionBody,
  FormKeyParam,
  FormListResponse,
  FormResponse,
  FormVersionQuery,
  FormVersionsResponse,
  RuleBody,
  RuleKeyParam,
  RuleListResponse,
  RuleSwitchBody,
  SaveFormResponse,
  ZoneBody,
  ZoneListResponse,
  RuleView,
  ZoneView,
} from './schema';
import { loadForm, saveForm, saveRule, saveZone } from './service';
import type { FormDefinition, Question } from './model';

const tags = ['declarations'];

export async function declarationConfigRoutes(fastify: FastifyInstance, ctx: AppContext) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { db, access } = ctx;
  const resolver = access.resolver;
  const now = () => ctx.config.clock();
  const audit = async (req: FastifyRequest, e: Omit<AuditEntry, 'actor' | 'ip'>) =>
    recordAudit(db, { ...e, actor: await auditActor(access, req.user!), ip: req.ip, at: now() });

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
