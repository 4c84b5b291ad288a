// The day's calls as a work queue: dialers lease due rows (skip locked: several processes share a campaign), a
// leased row gets its attempt (CDR) row at once; the watchdog frees rows whose dialer died mid-call.
import { sql } from 'kysely';
import type { DbOrTx } from '../../platform/db/types';
import { optedOut } from '../messaging';
import type { DailyRow } from './tables';

export interface Leased {
  row: DailyRow;
  attemptId: string;
}

export async function leaseDue(db: DbOrTx, campaignId: string, day: string, n: number, now: Date, leaseMs: number, provider: string): Promise<Leased[]> {
  if (n <= 0) return [];
  const r = await sql<DailyRow>`
    update call_daily set status = 'calling', attempts = attempts + 1, lease_until = ${new Date(now.getTime() + leaseMs)}, updated_at = ${now}
    where id in (
      select id from call_daily
      where campaign_id = ${campaignId} and day = ${day}::date and status in ('queued', 'retry') and next_at <= ${now}
      order by next_at, id limit ${n} for update skip locked)
    returning *`.execute(db);
  if (!r.rows.length) return [];
  // the opt-out list (messaging's) is read at dial time: a phone that opted out this morning is not called
  const out = await optedOut(db, r.rows.map((x) => x.phone!).filter(Boolean));
  const skipped = r.rows.filter((x) => x.phone && out.has(x.phone));
  if (skipped.length)
    await db.updateTable('call_daily').set({ status: 'opted-out', attempts: sql`attempts - 1`, lease_until: null }).where('id', 'in', skipped.map((x) => x.id)).execute();
  const rows = r.rows.filter((x) => !(x.phone && out.has(x.phone)));
  if (!rows.length) return [];
  const ids = await db
    .insertInto('call_attempts')
    .values(rows.map((x) => ({ daily_id: x.id, campaign_id: x.campaign_id, person_id: x.person_id, phone: x.phone, unit_code: x.unit_code, kind: 'robot' as const, direction: 'outbound' as const, provider, started_at: now })))
    .returning(['id', 'daily_id'])
    .execute();
  const attemptOf = new Map(ids.map((a) => [a.daily_id, a.id]));
  return rows.map((row) => ({ row, attemptId: attemptOf.get(row.id)! }));
}

/** When the next call of the day is due (null: none left to place). */
/** Leased calls the dialer did not start: due again as before the lease, their CDR rows gone (no call was made). */
export async function unlease(db: DbOrTx, leased: Leased[]): Promise<void> {
  if (!leased.length) return;
  await sql`delete from call_attempts where id = any(${leased.map((l) => l.attemptId)}::bigint[]) and ended_at is null`.execute(db);
  await sql`update call_daily set attempts = attempts - 1, status = case when attempts > 1 then 'retry' else 'queued' end, lease_until = null
    where id = any(${leased.map((l) => l.row.id)}::bigint[]) and status = 'calling'`.execute(db);
}

export async function nextDue(db: DbOrTx, campaignId: string, day: string): Promise<Date | null> {
  const r = await sql<{ at: Date | null }>`select min(next_at) as at from call_daily
    where campaign_id = ${campaignId} and day = ${day}::date and status in ('queued', 'retry')`.execute(db);
  return r.rows[0]?.at ?? null;
}

/**
 * An answered call lost with its dialer this many times is a poison call (it brings the dialer down whenever it is
 * answered): failed, with its reason, never placed again.
 */
export const POISON_LIMIT = 3;

/**
 * Attempts stuck past their lease (the dialer died, the provider never answered): the CDR ends as failed and the
 * person's call is due again (or exhausted after the last attempt). A stuck attempt that had been answered lost the
 * person's answers with the dialer: it does not count against the day's attempts and the person is called again at
 * once, so no answered survey is lost for good — up to POISON_LIMIT times: then the call is `failed`
 * ('dialer-lost-answered'), shown so on the campaign's page, and the dialer is not brought down by it again.
 */
export async function releaseStuck(db: DbOrTx, now: Date): Promise<number> {
  const r = await sql<{ id: string }>`
    with open_ as (
      select d.id, c.max_attempts, c.retry_failed_minutes, d.crashes,
        exists (select 1 from call_attempts a where a.daily_id = d.id and a.ended_at is null and a.answered_at is not null) as answered
      from call_daily d join call_campaigns c on c.id = d.campaign_id
      where d.status = 'calling' and d.lease_until < ${now}
      for update of d skip locked),
    stuck as (
      update call_daily d set
        status = case when o.answered and o.crashes + 1 >= ${POISON_LIMIT} then 'failed'
          when not o.answered and d.attempts >= o.max_attempts then 'exhausted' else 'retry' end,
        failed_reason = case when o.answered and o.crashes + 1 >= ${POISON_LIMIT} then 'dialer-lost-answered' else d.failed_reason end,
        crashes = case when o.answered then o.crashes + 1 else o.crashes end,
        attempts = case when o.answered and o.crashes + 1 < ${POISON_LIMIT} then d.attempts - 1 else d.attempts end,
        next_at = case when o.answered then ${now}::timestamptz else ${now}::timestamptz + make_interval(mins => o.retry_failed_minutes) end,
        lease_until = null, last_disposition = 'failed', updated_at = ${now}
      from open_ o where d.id = o.id
      returning d.id)
    update call_attempts a set ended_at = ${now}, disposition = 'failed', reason = 'watchdog: no result before the lease ran out'
    from stuck where a.daily_id = stuck.id and a.ended_at is null
    returning a.id`.execute(db);
  return r.rows.length;
}
