// Rules of health declarations: forms and their versions, risk rules and zone lists, the follow-up workflow,
// dashboards, retention (submitting one: submit.ts). Takes a Db (or transaction) and plain values; no HTTP types.
import { sql } from 'kysely';
import type { Db, DbOrTx } from '../../platform/db/types';
import { purgeInChunks } from '../../platform/purge';
import { addDays, localDayWindow } from '../../platform/time';
import type { JurisdictionResolver } from '../../platform/auth/jurisdiction';
import { badRequest, conflict, invalidField, notFound, type ErrorDetail } from '../../platform/http/errors';
import { localParts } from '../../platform/time';
import { formDefinitionProblems } from './answers';
import { isCountryCode } from './countries';
import {
  conditionKeys,
  conditionProblems,
  conditionZones,
  FORM_KINDS,
  SEVERITIES,
  type Condition,
  type EvalContext,
  type FormDefinition,
  type FormKind,
  type Localized,
  type RiskRule,
  type Severity,
} from './model';
import {
  countsByDayUnit,
  findForm,
  findFormVersion,
  insertAction,
  insertForm,
  insertFormVersion,
  insertRuleIfMissing,
  insertZoneIfMissing,
  findRule,
  json,
  listSwitchOffs,
  listRules,
  listZones,
  lockDeclaration,
  lockForm,
  setFormCurrent,
  setStatus,
  upsertRule,
  upsertZone,
  type DeclarationRow,
  type FormRow,
  type FormVersionRow,
} from './queries';
import { appliesIn, chainOf } from './ownership';
import { STANDARD_FORMS, STANDARD_RULES, STANDARD_ZONES } from './standard-forms';
import { nextStatus, type Action, type Status } from './workflow';

// ── forms ────────────────────────────────────────────────────────────────────

export interface LoadedForm {
  form: FormRow;
  version: FormVersionRow;
  definition: FormDefinition;
}

export const toDefinition = (f: FormRow, v: FormVersionRow): FormDefinition => ({
  kind: f.kind as FormKind,
  title: v.title,
  description: v.description,
  unitQuestion: v.unit_question,
  questions: v.questions,
});

/** The stored columns of a form version's content (the inverse of toDefinition). */
const versionContent = (def: FormDefinition) => ({
  title: json(def.title),
  description: def.description ? json(def.description) : null,
  unit_question: def.unitQuestion ?? null,
  questions: json(def.questions),
});

/** A form at a version (default: its current version). 404 when unknown. */
export async function loadForm(db: DbOrTx, key: string, version?: number): Promise<LoadedForm> {
  const form = await findForm(db, key);
  if (!form) throw notFound(`Form "${key}"`);
  const v = await findFormVersion(db, key, version ?? form.current_version);
  if (!v) throw notFound(`Version ${version} of form "${key}"`);
  return { form, version: v, definition: toDefinition(form, v) };
}

/** JSON with object keys sorted (jsonb does not keep key order) and undefined properties left out. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object')
    return `{${Object.keys(v)
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(v);
}

const sameDefinition = (a: FormDefinition, b: FormDefinition) =>
  canonical([a.title, a.description ?? null, a.unitQuestion ?? null, a.questions]) === canonical([b.title, b.description ?? null, b.unitQuestion ?? null, b.questions]);

/**
 * Saves a form definition: a new form, or a new version of an existing one (versions are immutable).
 * Saving the same content as the current version changes nothing.
 */
export async function saveForm(
  db: Db,
  key: string,
  def: FormDefinition,
  actor: { id: string; username: string } | null,
  now: Date,
  /** owner of a new form (null = national); an existing form keeps its owner */
  owner: string | null = null,
): Promise<{ version: number; created: boolean }> {
  if (!/^[a-z][a-z0-9_-]{1,39}$/.test(key)) throw invalidField('params.key', 'must be 2–40 lowercase letters, digits, _ or -');
  const problems = formDefinitionProblems(def);
  if (problems.length) throw badRequest(problems.map((p) => `${p.path}: ${p.message}`).join('; '), problems);
  return db.transaction().execute(async (tx) => {
    let form = await lockForm(tx, key);
    if (!form) {
      await insertForm(tx, { key, kind: def.kind, current_version: 1, created_at: now, updated_at: now, owner_unit_code: owner });
      await insertFormVersion(tx, {
        form_key: key,
        version: 1,
        ...versionContent(def),
        created_at: now,
        created_by: actor?.id ?? null,
        created_by_username: actor?.username ?? null,
      });
      return { version: 1, created: true };
    }
    if (form.kind !== def.kind) throw invalidField('body.kind', `cannot change the kind of an existing form (it is "${form.kind}")`);
    const current = await findFormVersion(tx, key, form.current_version);
    if (current && sameDefinition(toDefinition(form, current), def)) return { version: form.current_version, created: false };
    const version = form.current_version + 1;
    await insertFormVersion(tx, {
      form_key: key,
      version,
      ...versionContent(def),
      created_at: now,
      created_by: actor?.id ?? null,
      created_by_username: actor?.username ?? null,
    });
    await setFormCurrent(tx, key, version, now);
    form = { ...form, current_version: version };
    return { version, created: true };
  });
}

/**
 * Inserts the standard forms (domestic, entry, venue), risk rules and zone lists that are missing. Idempotent:
 * existing forms, rules and zones (and every edit made to them) are left alone.
 */
export async function seedStandardForms(db: Db): Promise<{ forms: number; rules: number; zones: number }> {
  return db.transaction().execute(async (tx) => {
    let forms = 0;
    for (const [key, def] of Object.entries(STANDARD_FORMS)) {
      if (await findForm(tx, key)) continue;
      await insertForm(tx, { key, kind: def.kind, current_version: 1 });
      await insertFormVersion(tx, {
        form_key: key,
        version: 1,
        ...versionContent(def),
        created_by: null,
        created_by_username: null,
      });
      forms++;
    }
    const before = { rules: (await listRules(tx, false)).length, zones: (await listZones(tx)).length };
    for (const z of STANDARD_ZONES) await insertZoneIfMissing(tx, { key: z.key, name: json(z.name), codes: z.codes, updated_by: null });
    for (const r of STANDARD_RULES)
      await insertRuleIfMissing(tx, { key: r.key, name: json(r.name), form_kinds: r.formKinds, condition: json(r.condition), severity: r.severity, updated_by: null });
    return { forms, rules: (await listRules(tx, false)).length - before.rules, zones: (await listZones(tx)).length - before.zones };
  });
}

// ── rules & zones ────────────────────────────────────────────────────────────

export interface RuleInput {
  name: Localized;
  formKinds: FormKind[];
  condition: unknown;
  severity: Severity;
  active: boolean;
}

/**
 * Creates or updates a rule. `owner` is the owner of a new rule (null = national); an existing rule keeps its owner.
 * A rule may use national zone lists and those of its owner's area or above (the lists that apply where it does).
 */
export async function saveRule(db: DbOrTx, resolver: JurisdictionResolver, key: string, input: RuleInput, by: string | null, now: Date, owner: string | null = null) {
  if (!/^[a-z][a-z0-9_]{0,39}$/.test(key)) throw invalidField('params.key', 'must be lowercase letters, digits and _');
  const problems: ErrorDetail[] = conditionProblems(input.condition, 'body.condition');
  if (!problems.length) {
    const c = input.condition as Condition;
    const ruleOwner = (await findRule(db, key))?.owner_unit_code ?? owner;
    const chain = ruleOwner === null ? new Set<string>() : await chainOf(resolver, ruleOwner);
    const zones = new Map((await listZones(db)).map((z) => [z.key, z.owner_unit_code]));
    for (const z of conditionZones(c)) {
      if (!zones.has(z)) problems.push({ path: 'body.condition', message: `uses the unknown zone list "${z}"` });
      else {
        const zoneOwner = zones.get(z)!;
        if (zoneOwner !== null && !chain.has(zoneOwner)) problems.push({ path: 'body.condition', message: `uses the zone list "${z}" of ${zoneOwner}, which does not cover where this rule applies` });
      }
    }
    const known = await questionKeysOf(db, input.formKinds);
    for (const k of conditionKeys(c)) if (!known.has(k)) problems.push({ path: 'body.condition', message: `refers to "${k}", which no current form of these kinds asks` });
  }
  if (problems.length) throw badRequest(problems.map((p) => `${p.path}: ${p.message}`).join('; '), problems);
  return upsertRule(
    db,
    { key, name: json(input.name), form_kinds: input.formKinds, condition: json(input.condition), severity: input.severity, active: input.active, updated_by: by, owner_unit_code: owner },
    now,
  );
}

async function questionKeysOf(db: DbOrTx, kinds: FormKind[]): Promise<Set<string>> {
  const forms = await db
    .selectFrom('declaration_forms as f')
    .innerJoin('declaration_form_versions as v', (j) => j.onRef('v.form_key', '=', 'f.key').onRef('v.version', '=', 'f.current_version'))
    .select(['f.kind', 'v.questions'])
    .execute();
  const keys = new Set<string>();
  for (const f of forms) if (!kinds.length || kinds.includes(f.kind as FormKind)) for (const q of f.questions) keys.add(q.key);
  return keys;
}

/** Creates or updates a zone list; `owner` is the owner of a new list (null = national), an existing one keeps its owner. */
export async function saveZone(db: DbOrTx, resolver: JurisdictionResolver, key: string, name: Localized, codes: string[], by: string | null, now: Date, owner: string | null = null) {
  if (!/^[a-z][a-z0-9_]{0,39}$/.test(key)) throw invalidField('params.key', 'must be lowercase letters, digits and _');
  const problems: ErrorDetail[] = [];
  const clean = [...new Set(codes.map((c) => c.trim()))];
  for (const [i, code] of clean.entries()) {
    if (isCountryCode(code)) continue;
    if (!(await resolver.unit(code))) problems.push({ path: `body.codes.${i}`, message: `"${code}" is neither an administrative unit nor a country code` });
  }
  if (problems.length) throw badRequest(problems.map((p) => `${p.path}: ${p.message}`).join('; '), problems);
  return upsertZone(db, { key, name: json(name), codes: clean, updated_by: by, owner_unit_code: owner }, now);
}

/**
 * The active rules that apply to a declaration followed up in `unitCode`: national ones and those owned by that unit or
 * a unit above it, less the ones switched off there or above.
 */
export async function activeRulesFor(db: DbOrTx, resolver: JurisdictionResolver, unitCode: string): Promise<RiskRule[]> {
  const chain = await chainOf(resolver, unitCode);
  const offs = new Map<string, string[]>();
  for (const o of await listSwitchOffs(db)) offs.set(o.rule_key, [...(offs.get(o.rule_key) ?? []), o.unit_code]);
  const rules = (await listRules(db, true)).filter((r) => appliesIn(chain, r.owner_unit_code, offs.get(r.key) ?? []));
  return rules.map((r) => ({
    key: r.key,
    name: r.name,
    formKinds: r.form_kinds as FormKind[],
    condition: r.condition as Condition,
    severity: r.severity as Severity,
  }));
}

/** Zones from the database and the ancestor chains of the unit codes in the answers. */
export async function evalContextFor(db: DbOrTx, resolver: JurisdictionResolver, codes: string[]): Promise<EvalContext> {
  const zones = Object.fromEntries((await listZones(db)).map((z) => [z.key, new Set(z.codes)]));
  const chains = new Map<string, string[]>();
  for (const code of codes) {
    const u = await resolver.unit(code);
    chains.set(code, u ? u.path.split('/').filter(Boolean).reverse() : [code]);
  }
  return { zones, ancestors: (c) => chains.get(c) ?? [c] };
}

// ── follow-up ────────────────────────────────────────────────────────────────

export async function applyAction(
  db: Db,
  id: string,
  action: Action,
  note: string,
  actor: { id: string; username: string },
  now: Date,
  /** checks the caller may act on this declaration (throws otherwise); runs on the locked row */
  authorize: (row: DeclarationRow) => Promise<void>,
) {
  return db.transaction().execute(async (tx) => {
    const d = await lockDeclaration(tx, id);
    if (!d) throw notFound('Declaration');
    await authorize(d);
    if (!d.flagged) throw conflict('This declaration was not flagged; there is nothing to follow up');
    const to = nextStatus(d.status as Status, action);
    if (!to) throw conflict(`Cannot "${action}" a declaration whose status is "${d.status}"`, [{ path: 'body.action', message: `is not allowed from status "${d.status}"` }]);
    await setStatus(tx, id, to, now);
    const row = await insertAction(tx, {
      declaration_id: id,
      action,
      note: note.trim(),
      status_from: d.status,
      status_to: to,
      at: now,
      by_user_id: actor.id,
      by_username: actor.username,
    });
    return { from: d.status as Status, to, action: row };
  });
}

// ── dashboard ────────────────────────────────────────────────────────────────

export interface Counts {
  declarations: number;
  flagged: number;
  open: number;
  called: number;
  referred: number;
  cleared: number;
}
const zero = (): Counts => ({ declarations: 0, flagged: 0, open: 0, called: 0, referred: 0, cleared: 0 });
const add = (a: Counts, b: Counts) => {
  for (const k of Object.keys(a) as (keyof Counts)[]) a[k] += b[k];
};

/**
 * Counts by local day and by unit, the units rolled up to the children of `root` (the viewer's jurisdiction or the
 * unit they picked): a province officer sees districts, a district officer communes.
 */
export async function dashboard(db: DbOrTx, resolver: JurisdictionResolver, root: string, scope: string[] | null, fromDay: string, toDay: string, timeZone: string) {
  const { from, to: toExclusive } = localDayWindow(fromDay, toDay, timeZone);
  const rows = await countsByDayUnit(db, scope, from, toExclusive, timeZone);
  const rootUnit = await resolver.unit(root);
  const rootPath = rootUnit?.path ?? `/${root}/`;
  const totals = zero();
  const byDay = new Map<string, Counts>();
  for (let d = fromDay; d <= toDay; d = addDays(d, 1)) byDay.set(d, zero());
  const byUnit = new Map<string, Counts>();
  const childOf = new Map<string, string>();
  for (const r of rows) {
    add(totals, r);
    if (!byDay.has(r.day)) byDay.set(r.day, zero());
    add(byDay.get(r.day)!, r);
    let child = childOf.get(r.unit);
    if (!child) {
      const u = await resolver.unit(r.unit);
      const rest = u && u.path.startsWith(rootPath) ? u.path.slice(rootPath.length).split('/').filter(Boolean) : [];
      child = rest[0] ?? (u?.code === root ? root : r.unit);
      childOf.set(r.unit, child);
    }
    if (!byUnit.has(child)) byUnit.set(child, zero());
    add(byUnit.get(child)!, r);
  }
  const units = [];
  for (const [code, c] of byUnit) {
    const u = await resolver.unit(code);
    units.push({ unit: { code, name: u?.name ?? code, level: u?.level ?? 'unknown' }, ...c });
  }
  units.sort((a, b) => b.open - a.open || b.flagged - a.flagged || a.unit.code.localeCompare(b.unit.code));
  return {
    from: fromDay,
    to: toDay,
    root: { code: root, name: rootUnit?.name ?? root, level: rootUnit?.level ?? 'unknown' },
    totals,
    byDay: [...byDay.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([day, c]) => ({ day, ...c })),
    byUnit: units,
  };
}


// ── retention ────────────────────────────────────────────────────────────────

/** Deletes declarations (and their follow-up notes) submitted before `before`, in batches. */
export async function purgeDeclarations(db: Db, before: Date, batch = 5000): Promise<number> {
  return purgeInChunks(db, 'declarations', sql`submitted_at < ${before}`, { chunk: batch });
}

export const isSeverity = (s: string): s is Severity => (SEVERITIES as readonly string[]).includes(s);
export const isFormKind = (s: string): s is FormKind => (FORM_KINDS as readonly string[]).includes(s);
