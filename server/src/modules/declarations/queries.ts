// SQL of the declarations module. Plain rows in and out; rules live in service.ts.
import { sql, type ColumnType, type Generated, type Insertable, type Selectable } from 'kysely';
import type { DbOrTx } from '../../platform/db/types';
import type { Localized, Question } from './model';

export interface DeclarationFormTable {
  key: string;
  kind: string;
  current_version: Generated<number>;
  archived: Generated<boolean>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  /** null = national */
  owner_unit_code: string | null;
}

export interface DeclarationFormVersionTable {
  form_key: string;
  version: number;
  title: Json<Localized>;
  description: Json<Localized | null> | null;
  unit_question: string | null;
  questions: Json<Question[]>;
  created_at: Generated<Date>;
  created_by: string | null;
  created_by_username: string | null;
}

export interface DeclarationZoneListTable {
  key: string;
  name: Json<Localized>;
  codes: string[];
  updated_at: Generated<Date>;
  updated_by: string | null;
  /** null = national */
  owner_unit_code: string | null;
}

export interface DeclarationRiskRuleTable {
  key: string;
  name: Json<Localized>;
  form_kinds: string[];
  condition: Json<unknown>;
  severity: string;
  active: Generated<boolean>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  updated_by: string | null;
  /** null = national */
  owner_unit_code: string | null;
}

export interface DeclarationRuleSwitchOffTable {
  rule_key: string;
  unit_code: string;
  reason: string;
  at: Date;
  by_user_id: string | null;
  by_username: string | null;
}

export interface DeclarationTable {
  id: Generated<string>;
  form_key: string;
  form_version: number;
  kind: string;
  subject_person_id: string;
  declarant_person_id: string | null;
  submitted_by_user_id: string | null;
  channel: string;
  venue_id: string | null;
  venue_unit_code: string | null;
  responsible_unit_code: string;
  answers: Json<Record<string, unknown>>;
  submitted_at: Date;
  flagged: Generated<boolean>;
  severity: string | null;
  risk_hits: ColumnType<unknown, string | undefined, string>;
  status: Generated<string>;
  status_changed_at: Date | null;
}

export interface DeclarationActionTable {
  id: Generated<string>;
  declaration_id: string;
  action: string;
  note: string;
  status_from: string;
  status_to: string;
  at: Date;
  by_user_id: string | null;
  by_username: string | null;
}

declare module '../../platform/db/types' {
  interface Database {
    declaration_forms: DeclarationFormTable;
    declaration_form_versions: DeclarationFormVersionTable;
    declaration_zone_lists: DeclarationZoneListTable;
    declaration_risk_rules: DeclarationRiskRuleTable;
    declaration_rule_switch_offs: DeclarationRuleSwitchOffTable;
    declarations: DeclarationTable;
    declaration_actions: DeclarationActionTable;
  }
}

export type FormRow = Selectable<DeclarationFormTable>;
export type FormVersionRow = Selectable<DeclarationFormVersionTable>;
export type RuleRow = Selectable<DeclarationRiskRuleTable>;
export type ZoneRow = Selectable<DeclarationZoneListTable>;
export type SwitchOffRow = Selectable<DeclarationRuleSwitchOffTable>;
export type DeclarationRow = Selectable<DeclarationTable>;
export type ActionRow = Selectable<DeclarationActionTable>;

export const json = (v: unknown) => JSON.stringify(v);
/** a jsonb column: read as T, written as JSON text (pg would turn JS arrays into PostgreSQL arrays) */
type Json<T> = ColumnType<T, string, string>;

// ── forms ────────────────────────────────────────────────────────────────────

export const listForms = (db: DbOrTx, includeArchived: boolean) => {
  let q = db
    .selectFrom('declaration_forms as f')
    .innerJoin('declaration_form_versions as v', (j) => j.onRef('v.form_key', '=', 'f.key').onRef('v.version', '=', 'f.current_version'))
    .select(['f.key', 'f.kind', 'f.current_version', 'f.archived', 'f.updated_at', 'f.owner_unit_code', 'v.title', 'v.description']);
  if (!includeArchived) q = q.where('f.archived', '=', false);
  return q.orderBy('f.key').execute();
};

export const findForm = (db: DbOrTx, key: string) => db.selectFrom('declaration_forms').selectAll().where('key', '=', key).executeTakeFirst();

export const lockForm = (db: DbOrTx, key: string) =>
  db.selectFrom('declaration_forms').selectAll().where('key', '=', key).forUpdate().executeTakeFirst();

export const findFormVersion = (db: DbOrTx, key: string, version: number) =>
  db.selectFrom('declaration_form_versions').selectAll().where('form_key', '=', key).where('version', '=', version).executeTakeFirst();

export const formVersions = (db: DbOrTx, key: string) =>
  db
    .selectFrom('declaration_form_versions')
    .select(['form_key', 'version', 'title', 'created_at', 'created_by_username'])
    .where('form_key', '=', key)
    .orderBy('version', 'desc')
    .execute();

export const insertForm = (db: DbOrTx, row: Insertable<DeclarationFormTable>) =>
  db.insertInto('declaration_forms').values(row).onConflict((oc) => oc.column('key').doNothing()).execute();

export const insertFormVersion = (db: DbOrTx, row: Insertable<DeclarationFormVersionTable>) =>
  db
    .insertInto('declaration_form_versions')
    .values(row)
    .onConflict((oc) => oc.columns(['form_key', 'version']).doNothing())
    .execute();

export const setFormCurrent = (db: DbOrTx, key: string, version: number, now: Date) =>
  db.updateTable('declaration_forms').set({ current_version: version, updated_at: now }).where('key', '=', key).execute();

export const setFormArchived = (db: DbOrTx, key: string, archived: boolean, now: Date) =>
  db.updateTable('declaration_forms').set({ archived, updated_at: now }).where('key', '=', key).executeTakeFirst();

// ── rules & zones ────────────────────────────────────────────────────────────

export const listRules = (db: DbOrTx, activeOnly: boolean) => {
  let q = db.selectFrom('declaration_risk_rules').selectAll();
  if (activeOnly) q = q.where('active', '=', true);
  return q.orderBy('key').execute();
};

export const findRule = (db: DbOrTx, key: string) => db.selectFrom('declaration_risk_rules').selectAll().where('key', '=', key).executeTakeFirst();

export const upsertRule = (db: DbOrTx, row: Insertable<DeclarationRiskRuleTable>, now: Date) =>
  db
    .insertInto('declaration_risk_rules')
    .values({ ...row, created_at: now, updated_at: now })
    .onConflict((oc) =>
      oc.column('key').doUpdateSet((eb) => ({
        name: eb.ref('excluded.name'),
        form_kinds: eb.ref('excluded.form_kinds'),
        condition: eb.ref('excluded.condition'),
        severity: eb.ref('excluded.severity'),
        active: eb.ref('excluded.active'),
        updated_at: now,
        updated_by: eb.ref('excluded.updated_by'),
      })),
    )
    .returningAll()
    .executeTakeFirstOrThrow();

export const insertRuleIfMissing = (db: DbOrTx, row: Insertable<DeclarationRiskRuleTable>) =>
  db
    .insertInto('declaration_risk_rules')
    .values(row)
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();

export const findZone = (db: DbOrTx, key: string) => db.selectFrom('declaration_zone_lists').selectAll().where('key', '=', key).executeTakeFirst();

/** Switch-offs of rules (all, or of one rule), oldest first. */
export const listSwitchOffs = (db: DbOrTx, ruleKey?: string) => {
  let q = db.selectFrom('declaration_rule_switch_offs').selectAll();
  if (ruleKey) q = q.where('rule_key', '=', ruleKey);
  return q.orderBy('at').orderBy('unit_code').execute();
};

export const insertSwitchOff = (db: DbOrTx, row: Insertable<DeclarationRuleSwitchOffTable>) =>
  db
    .insertInto('declaration_rule_switch_offs')
    .values(row)
    .onConflict((oc) => oc.columns(['rule_key', 'unit_code']).doUpdateSet((eb) => ({ reason: eb.ref('excluded.reason'), at: eb.ref('excluded.at'), by_user_id: eb.ref('excluded.by_user_id'), by_username: eb.ref('excluded.by_username') })))
    .execute();

export const deleteSwitchOff = (db: DbOrTx, ruleKey: string, unitCode: string) =>
  db.deleteFrom('declaration_rule_switch_offs').where('rule_key', '=', ruleKey).where('unit_code', '=', unitCode).executeTakeFirst();

export const listZones = (db: DbOrTx) => db.selectFrom('declaration_zone_lists').selectAll().orderBy('key').execute();

export const upsertZone = (db: DbOrTx, row: Insertable<DeclarationZoneListTable>, now: Date) =>
  db
    .insertInto('declaration_zone_lists')
    .values({ ...row, updated_at: now })
    .onConflict((oc) =>
      oc.column('key').doUpdateSet((eb) => ({ name: eb.ref('excluded.name'), codes: eb.ref('excluded.codes'), updated_at: now, updated_by: eb.ref('excluded.updated_by') })),
    )
    .returningAll()
    .executeTakeFirstOrThrow();

export const insertZoneIfMissing = (db: DbOrTx, row: Insertable<DeclarationZoneListTable>) =>
  db
    .insertInto('declaration_zone_lists')
    .values(row)
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();

// ── declarations ─────────────────────────────────────────────────────────────

export const insertDeclaration = (db: DbOrTx, row: Insertable<DeclarationTable>) =>
  db
    .insertInto('declarations')
    .values(row)
    .returningAll()
    .executeTakeFirstOrThrow();

export const findDeclaration = (db: DbOrTx, id: string) => db.selectFrom('declarations').selectAll().where('id', '=', id).executeTakeFirst();

export const lockDeclaration = (db: DbOrTx, id: string) =>
  db.selectFrom('declarations').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();

export const setStatus = (db: DbOrTx, id: string, status: string, at: Date) =>
  db.updateTable('declarations').set({ status, status_changed_at: at }).where('id', '=', id).execute();

export const insertAction = (db: DbOrTx, row: Insertable<DeclarationActionTable>) =>
  db.insertInto('declaration_actions').values(row).returningAll().executeTakeFirstOrThrow();

export const actionsOf = (db: DbOrTx, ids: string[]) =>
  ids.length
    ? db.selectFrom('declaration_actions').selectAll().where('declaration_id', 'in', ids).orderBy('at').orderBy('id').execute()
    : Promise.resolve([] as ActionRow[]);

export interface DeclarationFilter {
  /** responsible unit codes visible to the caller; null = all */
  scope: string[] | null;
  /** with `scope`: also declarations made at venues in these units ('also'), only those followed up elsewhere ('only'), or neither */
  venueUnits?: 'also' | 'only';
  flaggedOnly?: boolean;
  statuses?: string[];
  severities?: string[];
  subjectIds?: string[];
  /** subject or declarant in these ids (citizen view) */
  personIds?: string[];
  formKey?: string;
  from?: Date;
  to?: Date;
  order: 'worklist' | 'recent';
  limit: number;
  offset: number;
}

export async function searchDeclarations(db: DbOrTx, f: DeclarationFilter) {
  let q = db.selectFrom('declarations as d');
  if (f.scope) {
    const scope = f.scope.length ? f.scope : ['\u0000'];
    if (f.venueUnits === 'also') q = q.where((eb) => eb.or([eb('d.responsible_unit_code', 'in', scope), eb('d.venue_unit_code', 'in', scope)]));
    else if (f.venueUnits === 'only') q = q.where('d.venue_unit_code', 'in', scope).where('d.responsible_unit_code', 'not in', scope);
    else q = q.where('d.responsible_unit_code', 'in', scope);
  } else if (f.venueUnits === 'only') q = q.where(sql<boolean>`false`); // the whole country: nothing is followed up elsewhere
  if (f.flaggedOnly) q = q.where('d.flagged', '=', true);
  if (f.statuses) q = q.where('d.status', 'in', f.statuses.length ? f.statuses : ['\u0000']);
  if (f.severities?.length) q = q.where('d.severity', 'in', f.severities);
  if (f.subjectIds) q = q.where('d.subject_person_id', 'in', f.subjectIds.length ? f.subjectIds : ['00000000-0000-0000-0000-000000000000']);
  if (f.personIds) {
    const ids = f.personIds.length ? f.personIds : ['00000000-0000-0000-0000-000000000000'];
    q = q.where((eb) => eb.or([eb('d.subject_person_id', 'in', ids), eb('d.declarant_person_id', 'in', ids)]));
  }
  if (f.formKey) q = q.where('d.form_key', '=', f.formKey);
  if (f.from) q = q.where('d.submitted_at', '>=', f.from);
  if (f.to) q = q.where('d.submitted_at', '<', f.to);
  let rows = q.selectAll('d');
  rows =
    f.order === 'worklist'
      ? rows
          .orderBy(sql`case d.severity when 'high' then 0 when 'medium' then 1 else 2 end`)
          .orderBy('d.submitted_at', 'asc')
          .orderBy('d.id')
      : rows.orderBy('d.submitted_at', 'desc').orderBy('d.id');
  const [items, total] = await Promise.all([
    rows.limit(f.limit).offset(f.offset).execute(),
    q.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { items, total: Number(total.n) };
}

export interface CountRow {
  day: string;
  unit: string;
  declarations: number;
  flagged: number;
  open: number;
  called: number;
  referred: number;
  cleared: number;
}

/** Counts per local day and responsible unit. */
export async function countsByDayUnit(db: DbOrTx, scope: string[] | null, from: Date, to: Date, timeZone: string): Promise<CountRow[]> {
  const scopeSql = scope ? sql`and responsible_unit_code = any(${scope}::text[])` : sql``;
  const r = await sql<CountRow>`
    select to_char((submitted_at at time zone ${timeZone})::date, 'YYYY-MM-DD') as day,
           responsible_unit_code as unit,
           count(*)::int as declarations,
           count(*) filter (where flagged)::int as flagged,
           count(*) filter (where flagged and status <> 'cleared')::int as open,
           count(*) filter (where status = 'called')::int as called,
           count(*) filter (where status = 'referred')::int as referred,
           count(*) filter (where status = 'cleared')::int as cleared
    from declarations
    where submitted_at >= ${from} and submitted_at < ${to} ${scopeSql}
    group by 1, 2
    order by 1, 2`.execute(db);
  return r.rows;
}

/** Re-points declarations from a merged person record to the kept one; returns the declarations changed. */
export async function repointPerson(db: DbOrTx, fromId: string, toId: string): Promise<number> {
  const r = await sql`
    update declarations set
      subject_person_id = case when subject_person_id = ${fromId}::uuid then ${toId}::uuid else subject_person_id end,
      declarant_person_id = case when declarant_person_id = ${fromId}::uuid then ${toId}::uuid else declarant_person_id end
    where subject_person_id = ${fromId}::uuid or declarant_person_id = ${fromId}::uuid`.execute(db);
  return Number(r.numAffectedRows ?? 0n);
}
