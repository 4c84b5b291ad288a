// Creating a campaign's calls of a local day: one row per active member (idempotent: planned twice, created
// once), due when the day's call window opens; members who left have their open calls cancelled. Set-based: a
// million members is one INSERT … SELECT.
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
    from call_audience where campaign_id = ${c.id} and active
    on conflict (campaign_id, day, member_key) do nothing`.execute(db);
  const cancelled = await sql`
    update call_daily d set status = 'cancelled', updated_at = now()
    from call_audience a
    where d.campaign_id = ${c.id} and d.day = ${day}::date and d.status in ('queued', 'retry')
      and a.campaign_id = d.campaign_id and a.member_key = d.member_key and not a.active`.execute(db);
  return { created: Number(r.numAffectedRows ?? 0), cancelled: Number(cancelled.numAffectedRows ?? 0) };
}
