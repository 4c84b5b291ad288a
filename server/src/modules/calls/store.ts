// Scripts and campaigns: saved after their checks (a script's graph, a campaign's script in reach), read back for
// pages. Jurisdiction checks are the routes' (they know the caller).
import { sql } from 'kysely';
import type { DbOrTx } from '../../platform/db/types';
import { AppError, invalidField } from '../../platform/http/errors';
import { normalizePhone } from '../people';
import type { CampaignBody } from './schema';
import { checkScript } from './script-check';
import type { CampaignRow } from './tables';
import type { CallScript } from './types';

export function assertScript(script: CallScript, base = 'body.script') {
  const problems = checkScript(script, base);
  if (problems.length) throw new AppError(400, 'INVALID_SCRIPT', problems[0]!.message, problems);
}

export async function saveScript(db: DbOrTx, s: { id?: string; unitCode: string; script: CallScript; userId: string | null }) {
  assertScript(s.script);
  const values = { name: s.script.name, unit_code: s.unitCode, language: s.script.language, body: JSON.stringify(s.script), updated_at: new Date() };
  if (s.id) return db.updateTable('call_scripts').set(values).where('id', '=', s.id).returning(['id']).executeTakeFirstOrThrow();
  return db.insertInto('call_scripts').values({ ...values, created_by: s.userId }).returning(['id']).executeTakeFirstOrThrow();
}

export async function createCampaign(db: DbOrTx, b: CampaignBody, userId: string | null): Promise<CampaignRow> {
  const alertPhones = (b.alertPhones ?? []).map((p, i) => {
    const n = normalizePhone(p);
    if (!n) throw invalidField(`body.alertPhones.${i}`, `is not a valid phone number ("${p}")`);
    return n;
  });
  if ((b.windowStart ?? '08:00') >= (b.windowEnd ?? '17:00')) throw invalidField('body.windowEnd', 'must be after the window start');
  return db
    .insertInto('call_campaigns')
    .values({
      name: b.name,
      unit_code: b.unitCode,
      script_id: b.scriptId,
      audience_kind: b.audience,
      audience_filter: JSON.stringify(b.filter ?? {}),
      window_start: b.windowStart ?? '08:00',
      window_end: b.windowEnd ?? '17:00',
      retry_busy_minutes: b.retryBusyMinutes ?? 10,
      retry_no_answer_minutes: b.retryNoAnswerMinutes ?? 30,
      retry_failed_minutes: 30,
      max_attempts: b.maxAttempts ?? 3,
      channels: b.channels ?? 30,
      calls_per_second: b.callsPerSecond ?? 5,
      ring_timeout_seconds: b.ringTimeoutSeconds ?? 45,
      non_reporting_days: b.nonReportingDays ?? 2,
      alert_phones: alertPhones,
      created_by: userId,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Live figures of a campaign's day (the dashboard). */
export async function dayCounts(db: DbOrTx, campaignId: string, day: string) {
  const r = await sql<Record<string, string>>`
    select count(*) as planned,
      count(*) filter (where status in ('queued', 'retry')) as queued,
      count(*) filter (where status = 'completed') as completed,
      count(*) filter (where symptomatic) as symptomatic,
      count(*) filter (where status = 'exhausted') as failed,
      count(*) filter (where status = 'invalid') as invalid,
      count(*) filter (where status = 'opted-out') as opted_out,
      count(*) filter (where status = 'failed') as stopped,
      coalesce(sum(attempts), 0) as attempts
    from call_daily where campaign_id = ${campaignId} and day = ${day}::date`.execute(db);
  const live = await sql<Record<string, string>>`
    select count(*) filter (where answered_at is null) as ringing, count(*) filter (where answered_at is not null) as answered
    from call_attempts a join call_daily d on d.id = a.daily_id
    where d.campaign_id = ${campaignId} and d.day = ${day}::date and d.status = 'calling' and a.ended_at is null`.execute(db);
  const x = r.rows[0]!;
  const l = live.rows[0]!;
  return {
    day,
    planned: Number(x.planned),
    queued: Number(x.queued),
    ringing: Number(l.ringing),
    answered: Number(l.answered),
    completed: Number(x.completed),
    symptomatic: Number(x.symptomatic),
    failed: Number(x.failed),
    invalid: Number(x.invalid),
    optedOut: Number(x.opted_out),
    /** poison calls: failed, not placed again (failed_reason says why) */
    stopped: Number(x.stopped),
    attempts: Number(x.attempts),
  };
}
