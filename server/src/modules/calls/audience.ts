// A campaign's audience: F1/F2 under monitoring in its area (or a saved filter of them: levels, communes), read
// from the cases module and kept in call_audience; or an uploaded list (upload.ts). Members who leave (order
// completed, became a case) are marked inactive; their queued calls of the day are cancelled by the plan.
import { sql } from 'kysely';
import type { DbOrTx } from '../../platform/db/types';
import { contactsUnderMonitoring } from '../cases';
import { getPersonIdentities } from '../people';
import type { CampaignRow } from './tables';

export interface AudienceFilter {
  /** contact levels (1 = F1, 2 = F2); default both */
  levels?: number[];
  /** communes (or districts) inside the campaign's unit; default all of it */
  units?: string[];
}

export const filterOf = (c: Pick<CampaignRow, 'audience_filter'>): AudienceFilter => (c.audience_filter ?? {}) as AudienceFilter;

export interface UnitTree {
  subtreeCodes(code: string): Promise<string[] | null>;
}

/** Sync a monitoring/filter campaign's members with the cases module for `day`; returns members active now. */
export async function syncAudience(db: DbOrTx, tree: UnitTree, c: CampaignRow, day: string): Promise<{ active: number; joined: number; left: number }> {
  if (c.audience_kind === 'list') {
    const n = await db.selectFrom('call_audience').select((e) => e.fn.countAll<string>().as('n')).where('campaign_id', '=', c.id).where('active', '=', true).executeTakeFirstOrThrow();
    return { active: Number(n.n), joined: 0, left: 0 };
  }
  const f = filterOf(c);
  const roots = f.units?.length ? f.units : [c.unit_code];
  const trees = await Promise.all(roots.map((u) => tree.subtreeCodes(u)));
  const units = trees.some((t) => t === null) ? null : [...new Set(trees.flat() as string[])];
  const contacts = await contactsUnderMonitoring(db, units, day, f.levels?.length ? f.levels : [1, 2]);
  const people = await getPersonIdentities(db, contacts.map((x) => x.personId));
  const rows = contacts.map((x) => {
    const p = people.get(x.personId);
    return { member_key: x.personId, person_id: x.personId, phone: p?.phone ?? null, full_name: p?.fullName ?? '', unit_code: x.unitCode, level: x.level };
  });
  let joined = 0;
  for (let i = 0; i < rows.length; i += 5000) {
    const r = await sql<{ inserted: boolean }>`
      insert into call_audience (campaign_id, member_key, person_id, phone, full_name, unit_code, level, active, left_at)
      select ${c.id}::uuid, x.member_key, x.person_id, x.phone, x.full_name, x.unit_code, x.level, true, null
      from jsonb_to_recordset(${JSON.stringify(rows.slice(i, i + 5000))}::jsonb)
        as x(member_key text, person_id uuid, phone text, full_name text, unit_code text, level smallint)
      on conflict (campaign_id, member_key) do update set phone = excluded.phone, full_name = excluded.full_name,
        unit_code = excluded.unit_code, level = excluded.level, active = true, left_at = null
      returning (xmax = 0) as inserted`.execute(db);
    joined += r.rows.filter((x) => x.inserted).length;
  }
  const left = await sql`update call_audience set active = false, left_at = now()
    where campaign_id = ${c.id} and active and not (member_key = any(${rows.map((r) => r.member_key)}::text[]))`.execute(db);
  return { active: rows.length, joined, left: Number(left.numAffectedRows ?? 0) };
}

/** A person left every audience (a new case, a death): inactive, and their open calls of `day` cancelled. */
export async function removePerson(db: DbOrTx, personId: string, day: string) {
  await db.updateTable('call_audience').set({ active: false, left_at: new Date() }).where('person_id', '=', personId).where('active', '=', true).execute();
  await db.updateTable('call_daily').set({ status: 'cancelled', updated_at: new Date() }).where('person_id', '=', personId).where('day', '>=', day).where('status', 'in', ['queued', 'retry']).execute();
}
