// What a finished survey does, whoever answered it (outbound call, hotline, SMS link): a follow-up for the person
// in the cases module with the answers, and a symptom puts them on the symptomatic list and alerts their area.
import type { DbOrTx } from '../../platform/db/types';
import type { Events } from '../../platform/events';
import { sql } from 'kysely';
import { recordFollowUp, recordFollowUps } from '../cases';
import { assess, type Assessment } from './answers';
import type { SurveySource } from './tables';

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
  r: { answers: Record<string, string>; set?: Record<string, string | number | boolean>; day: string; at: Date; source: SurveySource; alertPhones: string[]; channel?: 'robot_call' | 'self' | 'tracer' },
): Promise<Assessment> {
  const a = assess(r.answers, r.set);
  if (who.personId) {
    const note = noteOf(r.answers);
    await recordFollowUp(
      trx,
      { personId: who.personId, day: r.day, symptoms: a.symptomatic, symptomList: a.symptoms, channel: r.channel ?? (r.source === 'outbound' ? 'robot_call' : r.source === 'manual' ? 'tracer' : 'self'), note },
      who.unitCode,
      null,
      r.at,
    );
  }
  if (a.symptomatic) await flagSymptomatic(trx, deps, who, { ...r, symptoms: a.symptoms });
  return a;
}

/** One finished survey of a batch (the dialer's outcomes). */
export interface SurveyItem {
  who: SurveySubject;
  answers: Record<string, string>;
  set?: Record<string, string | number | boolean>;
  day: string;
  at: Date;
  alertPhones: string[];
}

const noteOf = (answers: Record<string, string>) => `robot call answers: ${Object.entries(answers).map(([k, v]) => `${k}=${v}`).join(', ')}`.slice(0, 1000);

/**
 * recordSurvey for a batch of outbound calls, set-based: the follow-ups in one statement set (cases'
 * recordFollowUps), the symptomatic flags in one insert; an alert (messaging.requested) per new flag, as one by one.
 */
export async function recordSurveys(trx: DbOrTx, deps: ResultDeps, items: SurveyItem[]): Promise<Assessment[]> {
  const assessed = items.map((x) => ({ x, a: assess(x.answers, x.set) }));
  await recordFollowUps(
    trx,
    assessed.filter(({ x }) => x.who.personId).map(({ x, a }) => ({ personId: x.who.personId!, day: x.day, symptoms: a.symptomatic, symptomList: a.symptoms, channel: 'robot_call' as const, note: noteOf(x.answers), unitCode: x.who.unitCode, at: x.at })),
    null,
  );
  const sick = assessed.filter(({ a }) => a.symptomatic);
  if (sick.length) {
    const rows = sick.map(({ x, a }, i) => ({ i, campaign_id: x.who.campaignId, person_id: x.who.personId, phone: x.who.phone, full_name: x.who.fullName, unit_code: x.who.unitCode, day: x.day, details: { answers: x.answers, symptoms: a.symptoms }, created_at: x.at.toISOString() }));
    const inserted = await sql<{ id: string; i: number }>`
      with x as (select * from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as x(i int, campaign_id uuid, person_id uuid, phone text, full_name text,
          unit_code text, day date, details jsonb, created_at timestamptz)),
      ins as (insert into call_flags (kind, campaign_id, person_id, phone, full_name, unit_code, day, details, source, created_at)
        select 'symptomatic', campaign_id, person_id, phone, full_name, unit_code, day, details, 'outbound', created_at from x order by i
        on conflict do nothing
        returning id, kind, person_id, phone, day)
      select ins.id, min(x.i) as i from ins join x on coalesce(x.person_id::text, x.phone) = coalesce(ins.person_id::text, ins.phone) and x.day = ins.day
      group by ins.id`.execute(trx);
    for (const r of inserted.rows) {
      const { x } = sick[r.i]!;
      await alert(trx, deps, r.id, x.who, x.day, x.alertPhones);
    }
  }
  return assessed.map(({ a }) => a);
}

async function alert(trx: DbOrTx, deps: ResultDeps, flagId: string, who: SurveySubject, day: string, alertPhones: string[]) {
  if (!alertPhones.length) return;
  // the area's officers at once (one notice per person per day: the subject keys it)
  await deps.events.publish(trx, 'messaging.requested', {
    purpose: 'calls.symptomatic',
    subject: `calls-symptomatic:${flagId}`,
    recipients: alertPhones.map((phone) => ({ phone, unitCode: who.unitCode })),
    vars: { count: 1, unit: who.unitCode, date: day, link: `${deps.publicUrl}/calls/lists?kind=symptomatic&day=${day}` },
  });
}

async function flagSymptomatic(
  trx: DbOrTx,
  deps: ResultDeps,
  who: SurveySubject,
  r: { answers: Record<string, string>; day: string; at: Date; source: SurveySource; alertPhones: string[]; symptoms: string[] },
) {
  const inserted = await trx
    .insertInto('call_flags')
    .values({ kind: 'symptomatic', campaign_id: who.campaignId, person_id: who.personId, phone: who.phone, full_name: who.fullName, unit_code: who.unitCode, day: r.day, details: JSON.stringify({ answers: r.answers, symptoms: r.symptoms }), source: r.source, created_at: r.at })
    .onConflict((oc) => oc.doNothing())
    .returning('id')
    .executeTakeFirst();
  if (inserted) await alert(trx, deps, inserted.id, who, r.day, r.alertPhones);
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
