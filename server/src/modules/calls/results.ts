// What a finished survey does, whoever answered it (outbound call, hotline, SMS link): a follow-up for the person
// in the cases module with the answers, and a symptom puts them on the symptomatic list and alerts their area.
import type { DbOrTx } from '../../platform/db/types';
import type { Events } from '../../platform/events';
import { recordFollowUp } from '../cases';
import { assess, type Assessment } from './answers';

export interface SurveySubject {
  personId: string | null;
  phone: string | null;
  fullName: string;
  unitCode: string;
  campaignId: string | null;
}

export interface ResultDeps {
  events: Events;
  publicUrl: string;
}

export async function recordSurvey(
  trx: DbOrTx,
  deps: ResultDeps,
  who: SurveySubject,
  r: { answers: Record<string, string>; set?: Record<string, string | number | boolean>; day: string; at: Date; source: 'outbound' | 'inbound' | 'sms'; alertPhones: string[]; channel?: 'robot_call' | 'self' | 'tracer' },
): Promise<Assessment> {
  const a = assess(r.answers, r.set);
  if (who.personId) {
    const note = `robot call answers: ${Object.entries(r.answers).map(([k, v]) => `${k}=${v}`).join(', ')}`.slice(0, 1000);
    await recordFollowUp(
      trx,
      { personId: who.personId, day: r.day, symptoms: a.symptomatic, symptomList: a.symptoms, channel: r.channel ?? (r.source === 'outbound' ? 'robot_call' : 'self'), note },
      who.unitCode,
      null,
      r.at,
    );
  }
  if (a.symptomatic) await flagSymptomatic(trx, deps, who, { ...r, symptoms: a.symptoms });
  return a;
}

async function flagSymptomatic(
  trx: DbOrTx,
  deps: ResultDeps,
  who: SurveySubject,
  r: { answers: Record<string, string>; day: string; at: Date; source: 'outbound' | 'inbound' | 'sms'; alertPhones: string[]; symptoms: string[] },
) {
  const inserted = await trx
    .insertInto('call_flags')
    .values({ kind: 'symptomatic', campaign_id: who.campaignId, person_id: who.personId, phone: who.phone, full_name: who.fullName, unit_code: who.unitCode, day: r.day, details: JSON.stringify({ answers: r.answers, symptoms: r.symptoms }), source: r.source, created_at: r.at })
    .onConflict((oc) => oc.doNothing())
    .returning('id')
    .executeTakeFirst();
  if (!inserted || !r.alertPhones.length) return;
  // the area's officers at once (one notice per person per day: the subject keys it)
  await deps.events.publish(trx, 'messaging.requested', {
    purpose: 'calls.symptomatic',
    subject: `calls-symptomatic:${inserted.id}`,
    recipients: r.alertPhones.map((phone) => ({ phone, unitCode: who.unitCode })),
    vars: { count: 1, unit: who.unitCode, date: r.day, link: `${deps.publicUrl}/calls/lists?kind=symptomatic&day=${r.day}` },
  });
}

/** The number does not exist (404/484) or belongs to someone else: the tracers' wrong-number list; never redialled. */
export async function flagWrongNumber(trx: DbOrTx, who: SurveySubject, r: { day: string; at: Date; sipCode: number | null; reason: string }) {
  await trx
    .insertInto('call_flags')
    .values({ kind: 'wrong-number', campaign_id: who.campaignId, person_id: who.personId, phone: who.phone, full_name: who.fullName, unit_code: who.unitCode, day: r.day, details: JSON.stringify({ sipCode: r.sipCode, reason: r.reason }), source: 'outbound', created_at: r.at })
    .onConflict((oc) => oc.doNothing())
    .execute();
  if (who.phone)
    await trx.updateTable('call_audience').set({ invalid_phone: who.phone }).where('phone', '=', who.phone).execute();
}
