// The inbound hotline: a caller is identified by caller id (or types their national id), takes the survey of their
// campaign, and their answers go where the robot's do (follow-up, symptomatic list); an unknown caller still takes
// the survey and a symptom is flagged under their number. Where the provider can record (SIP), a menu first offers
// the survey (1, also when no key is pressed) or a voice message (2, voice.ts); with no campaign to survey, every
// caller may leave a message. The telephony side calls this handler (CallProvider.onInbound); it owns the session
// until it returns.
import type { Db } from '../../platform/db/types';
import type { Events } from '../../platform/events';
import { localDay } from '../../platform/time';
import { findPeopleByIdentifier, getPersonBrief, normalizePhone } from '../people';
import type { CallClock } from './clock';
import { recordSurvey } from './results';
import { runScript } from './runner';
import type { CallScript, CallSession, PromptRenderer } from './types';
import { takeVoiceMessage, VOICE_TEXTS, type VoiceOptions } from './voice';

export interface HotlineDeps {
  db: Db;
  events: Events;
  publicUrl: string;
  timeZone: string;
  clock: CallClock;
  render: PromptRenderer;
  /** the unit whose lists take self-reports of callers who cannot be identified */
  defaultUnit: string;
  /** voice messages (where the provider records): longest length, silence that ends one */
  voice?: VoiceOptions;
  /** the language of the hotline's prompts when no campaign's script says it */
  language?: 'vi' | 'en';
}

export const DEFAULT_VOICE: VoiceOptions = { maxMs: 120_000, silenceMs: 5000 };

/** The hotline's menu: 1 (or nothing) the survey, 2 a voice message. */
const menu = (language: 'vi' | 'en'): CallScript => ({
  name: 'hotline-menu',
  language,
  start: 'choice',
  states: {
    choice: { kind: 'ask', text: VOICE_TEXTS[language].menu, field: 'choice', digits: '12', timeoutMs: 6000, retries: 1, branches: { '1': 'survey', '2': 'message' }, noInput: 'survey' },
    survey: { kind: 'end', outcome: 'completed' },
    message: { kind: 'end', outcome: 'message' },
  },
});

const ID_PROMPT = {
  vi: 'Chúng tôi chưa nhận ra số điện thoại của bạn. Vui lòng nhập số căn cước công dân, kết thúc bằng phím thăng.',
  en: 'We do not recognise your number. Please enter your national ID number, then the hash key.',
};

/** A one-question script: the national id, keys up to '#'. */
const askId = (language: 'vi' | 'en'): CallScript => ({
  name: 'hotline-id',
  language,
  start: 'id',
  states: {
    id: { kind: 'ask', text: ID_PROMPT[language], field: 'national_id', digits: '0123456789', terminator: '#', maxDigits: 12, timeoutMs: 15000, retries: 1, branches: { '*': 'ok' }, noInput: 'none' },
    ok: { kind: 'end', outcome: 'completed' },
    none: { kind: 'end', outcome: 'incomplete' },
  },
});

async function scriptFor(db: Db, personId: string | null): Promise<{ script: CallScript; campaignId: string | null; alertPhones: string[] } | null> {
  let q = db.selectFrom('call_campaigns as c').innerJoin('call_scripts as s', 's.id', 'c.script_id').select(['c.id', 's.body', 'c.alert_phones']).where('c.status', '=', 'active').orderBy('c.created_at', 'desc');
  if (personId) q = q.innerJoin('call_audience as a', 'a.campaign_id', 'c.id').where('a.person_id', '=', personId).where('a.active', '=', true);
  const r = (await q.executeTakeFirst()) ?? (personId ? await scriptFor(db, null) : undefined);
  if (!r) return null;
  return 'script' in r ? r : { script: r.body as CallScript, campaignId: r.id, alertPhones: r.alert_phones };
}

export function hotlineHandler(deps: HotlineDeps) {
  return async (session: CallSession): Promise<void> => {
    const startedAt = deps.clock.now();
    const phone = normalizePhone(session.remote);
    let ids = phone ? await findPeopleByIdentifier(deps.db, phone) : [];
    const chosen = await scriptFor(deps.db, ids.length === 1 ? ids[0]! : null);
    const render = deps.render;
    if (session.record) {
      const language = chosen?.script.language ?? deps.language ?? 'vi';
      const choice = chosen ? await runScript(session, menu(language), { render }) : null;
      if (choice?.outcome === 'hung-up') return;
      if (!choice || choice.outcome === 'message') {
        await takeVoiceMessage({ ...deps, voice: deps.voice ?? DEFAULT_VOICE }, session, { phone, remote: session.remote, personId: ids.length === 1 ? ids[0]! : null, language, answeredAt: startedAt });
        return;
      }
    }
    if (!chosen) return; // no campaign: nothing to ask (the provider hangs up)
    if (ids.length !== 1) {
      const r = await runScript(session, askId(chosen.script.language), { render });
      if (r.outcome === 'hung-up') return;
      ids = r.answers.national_id ? await findPeopleByIdentifier(deps.db, r.answers.national_id) : [];
    }
    const personId = ids.length === 1 ? ids[0]! : null;
    const person = personId ? await getPersonBrief(deps.db, personId) : null;
    const own = personId ? await scriptFor(deps.db, personId) : null;
    const { script, campaignId, alertPhones } = own ?? chosen;
    const result = await runScript(session, script, { render, vars: { name: person?.fullName ?? '', date: localDay(startedAt, deps.timeZone) } });
    const ended = deps.clock.now();
    const day = localDay(ended, deps.timeZone);
    const unitCode = person?.communeCode ?? deps.defaultUnit;
    await deps.db.transaction().execute(async (trx) => {
      const done = result.outcome === 'completed' || result.outcome === 'message';
      await trx
        .insertInto('call_attempts')
        .values({ campaign_id: campaignId, person_id: personId, phone, unit_code: unitCode, kind: 'robot', direction: 'inbound', provider: 'hotline', started_at: startedAt, answered_at: startedAt, ended_at: ended, sip_code: 200, disposition: done ? 'completed' : 'incomplete', billsec: Math.round((ended.getTime() - startedAt.getTime()) / 100) / 10, digits: Object.values(result.answers).join(' '), answers: JSON.stringify(result.answers), outcome: result.outcome })
        .execute();
      if (!done) return;
      const a = await recordSurvey(trx, deps, { personId, phone, fullName: person?.fullName ?? '', unitCode, campaignId }, { answers: result.answers, set: result.set, day, at: ended, source: 'inbound', alertPhones });
      // today's robot call is no longer needed
      if (personId)
        await trx.updateTable('call_daily').set({ status: 'completed', completed_at: ended, symptomatic: a.symptomatic, answers: JSON.stringify(result.answers), updated_at: ended }).where('person_id', '=', personId).where('day', '=', day).where('status', 'in', ['queued', 'retry', 'exhausted']).execute();
    });
  };
}
