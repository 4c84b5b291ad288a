// Creating a campaign's calls of a local day: one row per active member (idempotent: planned twice, created
// once), due when the day's call window opens; members who left have their open calls cancelled. Set-based: a
// million members is one INSERT … SELECT, no round trip per person. Members already planned that day are left out
// by an anti-join before the insert (a re-plan, every 10 minutes, then reads the day instead of trying a million
// inserts that conflict); the day's unique key still settles two plans racing. Rows go in key order, so the
// key's index grows at its end instead of touching a random page per row.
import { sql } from 'kysely';
import type { DbOrTx } from '../../platform/db/types';
import { localTime } from '../../platform/time';
import type { CampaignRow } from './tables';

export interface PlanResult {
  created: number;
  cancelled: number;
}

export async function planDay(db: DbOrTx, c: CampaignRow, day: string, timeZone: string): Promise<PlanResult> {
  const opens = localTime(day, c.window_start, timeZone);
  const r = await sql`
    insert into call_daily (campaign_id, day, member_key, person_id, phone, full_name, unit_code, next_at, status)
    select campaign_id, ${day}::date, member_key, person_id, phone, full_name, unit_code, ${opens}::timestamptz,
      case when phone is null or phone = invalid_phone then 'invalid' else 'queued' end
    from call_audience a where campaign_id = ${c.id} and active
      and not exists (select 1 from call_daily d where d.day = ${day}::date and d.campaign_id = a.campaign_id and d.member_key = a.member_key)
    order by member_key
    on conflict (day, campaign_id, member_key) do nothing`.execute(db);
  const cancelled = await sql`
    update call_daily d set status = 'cancelled', updated_at = now()
    where d.day = ${day}::date and d.campaign_id = ${c.id} and d.status in ('queued', 'retry')
      and d.member_key in (select member_key from call_audience where campaign_id = ${c.id} and not active)`.execute(db);
  return { created: Number(r.numAffectedRows ?? 0), cancelled: Number(cancelled.numAffectedRows ?? 0) };
}
