// Recording how an attempt ended, in one transaction: the CDR, the person's call of the day (done, retry later,
// never again, no more today), and what follows — the follow-up and lists (results.ts), the wrong-number list, the
// SMS survey link after the day's last attempt (fallback.ts).
import type { Db } from '../../platform/db/types';
import type { Events } from '../../platform/events';
import { sendSurveyLinks } from './fallback';
import { flagWrongNumber, recordSurvey } from './results';
import { afterAttempt, type DayStep } from './retry';
import type { CampaignRow, DailyRow } from './tables';
import type { Disposition, ScriptResult } from './types';

export interface AttemptEnd {
  disposition: Disposition;
  sipCode: number | null;
  reason?: string;
  ringingAt?: Date;
  answeredAt?: Date;
  endedAt: Date;
  script?: ScriptResult | null;
}

export interface OutcomeDeps {
  db: Db;
  events: Events;
  publicUrl: string;
  smsSender: string;
}

export async function recordAttempt(deps: OutcomeDeps, c: CampaignRow, row: DailyRow, attemptId: string, e: AttemptEnd, windowEnd: Date): Promise<DayStep & { symptomatic: boolean }> {
  const answers = e.script?.answers ?? {};
  const wrongPerson = e.script?.outcome === 'wrong-person';
  const step: DayStep = wrongPerson ? { status: 'invalid' } : afterAttempt(e.disposition, row.attempts, e.endedAt, windowEnd, { busyMinutes: c.retry_busy_minutes, noAnswerMinutes: c.retry_no_answer_minutes, failedMinutes: c.retry_failed_minutes, maxAttempts: c.max_attempts });
  return deps.db.transaction().execute(async (trx) => {
    await trx
      .updateTable('call_attempts')
      .set({
        ringing_at: e.ringingAt ?? null,
        answered_at: e.answeredAt ?? null,
        ended_at: e.endedAt,
        sip_code: e.sipCode,
        disposition: e.disposition,
        reason: e.reason?.slice(0, 200) ?? null,
        billsec: e.answeredAt ? Math.round((e.endedAt.getTime() - e.answeredAt.getTime()) / 100) / 10 : 0,
        digits: Object.values(answers).join(' '),
        answers: e.script ? JSON.stringify(answers) : null,
        outcome: e.script?.outcome ?? null,
      })
      .where('id', '=', attemptId)
      .execute();
    // the lease may have been taken back by the watchdog: only the lease holder's row state counts
    const who = { personId: row.person_id, phone: row.phone, fullName: row.full_name, unitCode: row.unit_code ?? c.unit_code, campaignId: c.id };
    let symptomatic = false;
    if (step.status === 'completed') {
      const a = await recordSurvey(trx, deps, who, { answers, set: e.script?.set, day: row.day, at: e.endedAt, source: 'outbound', alertPhones: c.alert_phones });
      symptomatic = a.symptomatic;
    }
    const updated = await trx
      .updateTable('call_daily')
      .set({
        status: step.status,
        next_at: step.status === 'retry' ? step.nextAt : row.next_at,
        lease_until: null,
        last_disposition: e.disposition,
        last_sip_code: e.sipCode,
        answers: e.script ? JSON.stringify(answers) : row.answers === null ? null : JSON.stringify(row.answers),
        symptomatic: step.status === 'completed' ? symptomatic : null,
        completed_at: step.status === 'completed' ? e.endedAt : null,
        updated_at: e.endedAt,
      })
      .where('id', '=', row.id)
      .where('status', '=', 'calling')
      .returning('id')
      .executeTakeFirst();
    if (!updated) return { ...step, symptomatic };
    if (step.status === 'invalid') await flagWrongNumber(trx, who, { day: row.day, at: e.endedAt, sipCode: e.sipCode, reason: wrongPerson ? 'answered: not this person' : (e.reason ?? 'number does not exist') });
    if (step.status === 'exhausted') await sendSurveyLinks(trx, { events: deps.events, publicUrl: deps.publicUrl, sender: deps.smsSender }, [row], e.endedAt);
    return { ...step, symptomatic };
  });
}
