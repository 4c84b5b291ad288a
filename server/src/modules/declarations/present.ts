// Shapes declaration rows into API responses.
import type { DbOrTx } from '../../platform/db/types';
import type { JurisdictionResolver } from '../../platform/auth/jurisdiction';
import { getPersonBriefs, type PersonBrief } from '../people';
import { venueRefs, type VenueRef } from '../venues';
import type { RiskHit, Severity } from './model';
import { actionsOf, findFormVersion, type listForms, type ActionRow, type DeclarationRow, type FormRow, type FormVersionRow } from './queries';
import type { ActionView, DeclarationItem, FormListItem, FormVersionView, MyDeclarationItem } from './schema';
import type { Status } from './workflow';

/** A unit code as { code, name } (null stays null: national). */
export async function unitRef(resolver: JurisdictionResolver, code: string | null): Promise<{ code: string; name: string } | null> {
  if (code === null) return null;
  return { code, name: (await resolver.unit(code))?.name ?? code };
}

/** A form list entry (public and officer lists). */
export async function formListItem(resolver: JurisdictionResolver, f: Awaited<ReturnType<typeof listForms>>[number]): Promise<FormListItem> {
  return {
    key: f.key,
    kind: f.kind as FormListItem['kind'],
    version: f.current_version,
    archived: f.archived,
    title: f.title,
    description: f.description,
    updatedAt: f.updated_at.toISOString(),
    owner: await unitRef(resolver, f.owner_unit_code),
  };
}

export async function formView(resolver: JurisdictionResolver, f: FormRow, v: FormVersionRow): Promise<FormVersionView> {
  return {
    owner: await unitRef(resolver, f.owner_unit_code),
    key: f.key,
    kind: f.kind as FormVersionView['kind'],
    version: v.version,
    currentVersion: f.current_version,
    archived: f.archived,
    title: v.title,
    description: v.description,
    unitQuestion: v.unit_question,
    questions: v.questions as FormVersionView['questions'],
    createdAt: v.created_at.toISOString(),
  };
}

export const actionView = (a: ActionRow): ActionView => ({
  id: String(a.id),
  action: a.action as ActionView['action'],
  note: a.note,
  from: a.status_from,
  to: a.status_to,
  at: a.at.toISOString(),
  by: a.by_username,
});

/** Caches form versions and unit names while shaping one response. */
export function presenter(db: DbOrTx, resolver: JurisdictionResolver) {
  const versions = new Map<string, Promise<FormVersionRow | undefined>>();
  const units = new Map<string, Promise<string>>();
  const version = (key: string, v: number) => {
    const k = `${key}@${v}`;
    let p = versions.get(k);
    if (!p) versions.set(k, (p = findFormVersion(db, key, v)));
    return p;
  };
  const unitName = (code: string) => {
    let p = units.get(code);
    if (!p) units.set(code, (p = resolver.unit(code).then((u) => u?.name ?? code)));
    return p;
  };
  const formRef = async (d: DeclarationRow) => {
    const v = await version(d.form_key, d.form_version);
    return { key: d.form_key, version: d.form_version, kind: d.kind, title: v?.title ?? { vi: d.form_key, en: d.form_key } };
  };

  /**
   * Rows as list items. `mayAct` tells whether the caller's unit acts on a declaration followed up in a unit (default:
   * no one; routes pass the caller's scope).
   */
  async function items(rows: DeclarationRow[], mayAct: (unitCode: string) => boolean = () => false): Promise<DeclarationItem[]> {
    const briefs = await getPersonBriefs(db, rows.map((r) => r.subject_person_id));
    const venues = await venueRefs(db, rows.flatMap((r) => (r.venue_id ? [r.venue_id] : [])));
    const actions = await actionsOf(db, rows.map((r) => r.id));
    const last = new Map<string, ActionRow>();
    for (const a of actions) last.set(a.declaration_id, a);
    const out: DeclarationItem[] = [];
    for (const d of rows) {
      const b: PersonBrief | undefined = briefs.get(d.subject_person_id);
      const l = last.get(d.id);
      out.push({
        id: d.id,
        submittedAt: d.submitted_at.toISOString(),
        form: await formRef(d),
        channel: d.channel,
        subject: {
          id: b?.id ?? d.subject_person_id,
          fullName: b?.fullName ?? '—',
          birthYear: b?.birthYear ?? null,
          phoneMasked: b?.phoneMasked ?? null,
          communeCode: b?.communeCode ?? null,
        },
        forDependant: !!d.declarant_person_id && d.declarant_person_id !== d.subject_person_id,
        responsibleUnit: { code: d.responsible_unit_code, name: await unitName(d.responsible_unit_code) },
        venueId: d.venue_id,
        venue: await venueOf(d, venues),
        mayAct: mayAct(d.responsible_unit_code),
        flagged: d.flagged,
        severity: d.severity as Severity | null,
        hits: (d.risk_hits ?? []) as RiskHit[],
        status: d.status as Status,
        statusChangedAt: d.status_changed_at?.toISOString() ?? null,
        lastAction: l ? actionView(l) : null,
      });
    }
    return out;
  }

  const venueOf = async (d: DeclarationRow, venues: Map<string, VenueRef>) => {
    const v = d.venue_id ? venues.get(d.venue_id) : undefined;
    if (!d.venue_id) return null;
    const unit = d.venue_unit_code ?? v?.communeCode;
    return {
      id: d.venue_id,
      code: v?.code ?? '',
      name: v?.name ?? '—',
      unit: unit ? { code: unit, name: await unitName(unit) } : { code: '', name: '—' },
    };
  };

  async function myItems(rows: DeclarationRow[]): Promise<MyDeclarationItem[]> {
    const briefs = await getPersonBriefs(db, rows.map((r) => r.subject_person_id));
    const out: MyDeclarationItem[] = [];
    for (const d of rows) {
      const b = briefs.get(d.subject_person_id);
      out.push({
        id: d.id,
        submittedAt: d.submitted_at.toISOString(),
        form: await formRef(d),
        subject: { id: b?.id ?? d.subject_person_id, fullName: b?.fullName ?? '—' },
        followUp: d.flagged,
        status: d.status as Status,
      });
    }
    return out;
  }

  return { items, myItems, version, unitName };
}
