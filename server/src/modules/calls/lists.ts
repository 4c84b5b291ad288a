// Officers' lists: symptomatic people and wrong numbers (stored flags), and non-reporting people (computed: N days
// of planned calls without a completed one), inside a scope of unit codes (null = everywhere).
import { sql } from 'kysely';
import type { DbOrTx } from '../../platform/db/types';
import { addDays } from '../../platform/time';

export interface ListItem {
  personId: string | null;
  fullName: string;
  phone: string | null;
  unitCode: string;
  day: string;
  details: Record<string, unknown>;
  source: string;
}

export async function flagList(db: DbOrTx, kind: 'symptomatic' | 'wrong-number', scope: string[] | null, from: string, to: string, limit = 500): Promise<ListItem[]> {
  let q = db.selectFrom('call_flags').selectAll().where('kind', '=', kind).where('day', '>=', from).where('day', '<=', to).where('resolved_at', 'is', null);
  if (scope) q = q.where('unit_code', 'in', scope);
  const rows = await q.orderBy('day', 'desc').orderBy('id', 'desc').limit(limit).execute();
  return rows.map((r) => ({ personId: r.person_id, fullName: r.full_name, phone: r.phone, unitCode: r.unit_code, day: r.day, details: (r.details ?? {}) as Record<string, unknown>, source: r.source }));
}

/** People whose calls of the last N days (N = their campaign's setting) were all planned and none completed. */
export async function nonReporting(db: DbOrTx, scope: string[] | null, day: string, limit = 500): Promise<ListItem[]> {
  const r = await sql<{ person_id: string | null; full_name: string; phone: string | null; unit_code: string; days: number; last_disposition: string | null }>`
    select d.person_id, max(d.full_name) as full_name, max(d.phone) as phone, max(d.unit_code) as unit_code,
      count(distinct d.day)::int as days, (array_agg(d.last_disposition order by d.day desc))[1] as last_disposition
    from call_daily d join call_campaigns c on c.id = d.campaign_id
    where d.day > ${day}::date - c.non_reporting_days and d.day <= ${day}::date
      and d.status not in ('cancelled', 'opted-out')
      and (${scope}::text[] is null or d.unit_code = any(${scope}::text[]))
    group by d.campaign_id, d.member_key, d.person_id, c.non_reporting_days
    having count(distinct d.day) >= c.non_reporting_days and bool_and(d.status <> 'completed')
    order by max(d.unit_code), max(d.full_name)
    limit ${limit}`.execute(db);
  return r.rows.map((x) => ({ personId: x.person_id, fullName: x.full_name, phone: x.phone, unitCode: x.unit_code, day, details: { days: x.days, lastDisposition: x.last_disposition }, source: 'outbound' }));
}

export const defaultFrom = (day: string) => addDays(day, -6);
