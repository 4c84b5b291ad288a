// Mode fallback (as Surveda does for IVR surveys): a person the robot could not reach today gets the same survey
// as an SMS link (messaging module); the link's token is random and answers once (survey-routes.ts).
import crypto from 'node:crypto';
import { sql } from 'kysely';
import type { DbOrTx } from '../../platform/db/types';
import type { Events } from '../../platform/events';
import type { DailyRow } from './tables';

export const surveyLink = (publicUrl: string, token: string) => `${publicUrl}/khao-sat/${token}`;

export async function sendSurveyLinks(trx: DbOrTx, deps: { events: Events; publicUrl: string; sender: string }, rows: Pick<DailyRow, 'id' | 'phone' | 'person_id' | 'full_name' | 'unit_code' | 'campaign_id' | 'day'>[], now: Date) {
  const due = rows.filter((r) => r.phone);
  for (let i = 0; i < due.length; i += 1000) {
    const chunk = due.slice(i, i + 1000).map((r) => ({ ...r, token: crypto.randomBytes(16).toString('base64url') }));
    // one statement per thousand (a closing window exhausts a province's unreached at once); a row that already
    // has its link keeps it and gets no second message
    const set = await sql<{ id: string }>`update call_daily d set survey_token = x.token, sms_fallback_at = ${now}
      from jsonb_to_recordset(${JSON.stringify(chunk.map((r) => ({ id: r.id, token: r.token })))}::jsonb) as x(id bigint, token text)
      where d.id = x.id and d.sms_fallback_at is null
      returning d.id`.execute(trx);
    const sent = new Set(set.rows.map((r) => String(r.id)));
    const mine = chunk.filter((r) => sent.has(String(r.id)));
    if (!mine.length) continue;
    const c = mine[0]!;
    await deps.events.publish(trx, 'messaging.requested', {
      purpose: 'calls.survey',
      subject: `calls-survey:${c.campaign_id}:${c.day}`,
      recipients: mine.map((r) => ({ phone: r.phone!, personId: r.person_id, unitCode: r.unit_code, vars: { name: r.full_name || '', link: surveyLink(deps.publicUrl, r.token) } })),
      vars: { sender: deps.sender },
    });
  }
}
