// A campaign's audience: F1/F2 under monitoring in its area (or a saved filter of them: levels, communes), read
// from the cases module and kept in call_audience; or an uploaded list (upload.ts). Members who leave (order
// completed, became a case) are marked inactive; their queued calls of the day are cancelled by the plan.
import { sql } from 'kysely';
import type { DbOrTx } from '../../platform/db/types';
import { contactsUnderMonitoringSql } from '../cases';
import { personNamesSql } from '../people';
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
  // one statement, set-based: the contacts under monitoring (cases' relation) with their names and phones (people's)
  // upserted into the audience — a member whose details did not change is not rewritten — and the members no longer
  // under monitoring marked as left (the two writes touch disjoint rows: members in the set, members not in it)
  const r = await sql<{ active: string; joined: string; left: string }>`
    with m as materialized (
      select m.person_id, m.level, m.unit_code, p.phone, coalesce(p.full_name, '') as full_name
      from ${contactsUnderMonitoringSql(units, day, f.levels?.length ? f.levels : [1, 2])} m
      left join ${personNamesSql()} p on p.id = m.person_id),
    up as (
      insert into call_audience as a (campaign_id, member_key, person_id, phone, full_name, unit_code, level, active, left_at)
      select ${c.id}::uuid, m.person_id::text, m.person_id, m.phone, m.full_name, m.unit_code, m.level, true, null from m
      order by m.person_id::text
      on conflict (campaign_id, member_key) do update set phone = excluded.phone, full_name = excluded.full_name,
        unit_code = excluded.unit_code, level = excluded.level, active = true, left_at = null
      where not a.active or (a.phone, a.full_name, a.unit_code, a.level) is distinct from (excluded.phone, excluded.full_name, excluded.unit_code, excluded.level)
      returning (xmax = 0) as inserted),
    gone as (
      update call_audience a set active = false, left_at = now()
      where a.campaign_id = ${c.id} and a.active and not exists (select 1 from m where m.person_id::text = a.member_key)
      returning 1)
    select (select count(*) from m) as active, (select count(*) from up where inserted) as joined, (select count(*) from gone) as left`.execute(db);
  const x = r.rows[0]!;
  return { active: Number(x.active), joined: Number(x.joined), left: Number(x.left) };
}

/** A person left every audience (a new case, a death): inactive, and their open calls of `day` cancelled. */
export async function removePerson(db: DbOrTx, personId: string, day: string) {
  await db.updateTable('call_audience').set({ active: false, left_at: new Date() }).where('person_id', '=', personId).where('active', '=', true).execute();
  await db.updateTable('call_daily').set({ status: 'cancelled', updated_at: new Date() }).where('person_id', '=', personId).where('day', '>=', day).where('status', 'in', ['queued', 'retry']).execute();
}
