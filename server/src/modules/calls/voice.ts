// Voice messages on the inbound hotline: after a prompt and a beep the caller's audio is recorded (until '#',
// silence, the longest length or hang-up), kept as a WAV with the caller's number, the time and the duration, and
// matched to a known person by phone where the number is theirs alone. Supervisors list, play and mark them
// handled (voice-routes.ts); they are deleted after the retention period (calls.voice-purge).
import { sql } from 'kysely';
import type { Db } from '../../platform/db/types';
import { purgeInChunks, retentionCutoff } from '../../platform/purge';
import { getPersonBrief } from '../people';
import { linearToUlaw, ulawLevel, VOICE_LEVEL } from './media/g711';
import { ulawToPcmWav } from './media/wav';
import type { CallSession, PromptRenderer } from './types';

export interface VoiceOptions {
  /** longest message, ms */
  maxMs: number;
  /** a message ends after this long without voice, ms */
  silenceMs: number;
}

const FRAME = 160; // 20 ms at 8 kHz

export const VOICE_TEXTS = {
  vi: {
    menu: 'Để tự khai báo sức khỏe, nhấn phím 1. Để để lại lời nhắn, nhấn phím 2.',
    record: 'Vui lòng để lại lời nhắn sau tiếng bíp. Nhấn phím thăng khi nói xong.',
    thanks: 'Cảm ơn bạn. Lời nhắn đã được ghi lại, cán bộ y tế sẽ nghe và liên hệ lại.',
    empty: 'Chúng tôi không nghe thấy lời nhắn nào. Xin cảm ơn.',
  },
  en: {
    menu: 'To report your health, press 1. To leave a voice message, press 2.',
    record: 'Please leave your message after the beep. Press the hash key when you have finished.',
    thanks: 'Thank you. Your message has been recorded; a health officer will listen to it and call you back.',
    empty: 'We did not hear a message. Thank you.',
  },
} as const;

/** The beep before recording: 1 kHz for 400 ms, µ-law. */
export function beep(): Buffer {
  const out = Buffer.alloc(3200);
  for (let i = 0; i < out.length; i++) out[i] = linearToUlaw(Math.round(8000 * Math.sin((2 * Math.PI * 1000 * i) / 8000)));
  return out;
}

/** Whether any 20 ms frame of the audio is voice. */
export function hasVoice(ulaw: Buffer): boolean {
  for (let off = 0; off + FRAME <= ulaw.length; off += FRAME) if (ulawLevel(ulaw.subarray(off, off + FRAME)) >= VOICE_LEVEL) return true;
  return false;
}

export interface VoiceCaller {
  /** normalised phone number, or null when the caller id is not one */
  phone: string | null;
  /** the caller id as received */
  remote: string;
  /** the person whose number it is, when it is one person's */
  personId: string | null;
  language: 'vi' | 'en';
  /** when the hotline answered (the deps' clock) */
  answeredAt: Date;
}

export interface VoiceDeps {
  db: Db;
  render: PromptRenderer;
  clock: { now(): Date };
  defaultUnit: string;
  voice: VoiceOptions;
}

/** Take a voice message on an answered hotline call; returns the stored message's id (null: none was left). */
export async function takeVoiceMessage(deps: VoiceDeps, session: CallSession, caller: VoiceCaller): Promise<string | null> {
  if (!session.record) return null;
  const t = VOICE_TEXTS[caller.language];
  const say = async (text: string) => session.play(await deps.render(text, { language: caller.language, voice: caller.language }));
  if ((await say(t.record)).hungUp) return null;
  if ((await session.play(beep())).hungUp) return null;
  const startedAt = deps.clock.now();
  const rec = await session.record(deps.voice.maxMs, { silenceMs: deps.voice.silenceMs });
  const endedAt = deps.clock.now();
  const voiced = hasVoice(rec.ulaw);
  if (rec.endedBy !== 'hangup') await say(voiced ? t.thanks : t.empty);
  const person = caller.personId ? await getPersonBrief(deps.db, caller.personId) : null;
  const unitCode = person?.communeCode ?? deps.defaultUnit;
  // the caller id as stored: a number, or what the far end put in From (printable, bounded)
  const phone = caller.phone ?? (caller.remote.replace(/[^\x20-\x7e]/g, '').slice(0, 64) || 'anonymous');
  return deps.db.transaction().execute(async (trx) => {
    await trx
      .insertInto('call_attempts')
      .values({ person_id: person?.id ?? null, phone: caller.phone, unit_code: unitCode, kind: 'robot', direction: 'inbound', provider: 'hotline', started_at: startedAt, answered_at: caller.answeredAt, ended_at: endedAt, sip_code: 200, disposition: voiced ? 'completed' : 'incomplete', billsec: Math.round((endedAt.getTime() - caller.answeredAt.getTime()) / 100) / 10, outcome: 'message' })
      .execute();
    if (!voiced) return null; // silence only: the CDR says someone called, there is nothing to listen to
    const row = await trx
      .insertInto('call_voice_messages')
      .values({ unit_code: unitCode, person_id: person?.id ?? null, phone, full_name: person?.fullName ?? '', received_at: startedAt, duration_ms: Math.round((rec.ulaw.length / 8000) * 1000), ended_by: rec.endedBy, audio: ulawToPcmWav(rec.ulaw) })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  });
}

/** Retention: voice messages received before `days` days ago are deleted (handled or not). */
export function purgeVoiceMessages(db: Db, now: Date, days: number): Promise<number> {
  return purgeInChunks(db, 'call_voice_messages', sql`received_at < ${retentionCutoff(now, days)}`, { chunk: 500 });
}

const DEMO_MESSAGES = [
  'Tôi bị sốt từ tối hôm qua và hơi khó thở, xin cán bộ y tế gọi lại cho tôi.',
  'Tôi đã chuyển về nhà ở phường Hưng Dũng, xin cập nhật địa chỉ cách ly giúp tôi.',
];

/**
 * Demo: two voice messages from members of `campaignId` (spoken by the demo's renderer: espeak-ng, or a tone where
 * it is missing), one of them handled. Idempotent: nothing when the campaign's members already left one.
 */
export async function seedVoiceDemo(db: Db, campaignId: string, at: Date, render: PromptRenderer): Promise<void> {
  const members = await db.selectFrom('call_audience').select(['person_id', 'phone', 'full_name', 'unit_code']).where('campaign_id', '=', campaignId).where('person_id', 'is not', null).where('phone', 'is not', null).orderBy('member_key').limit(DEMO_MESSAGES.length).execute();
  for (const [i, m] of members.entries()) {
    if (await db.selectFrom('call_voice_messages').select('id').where('person_id', '=', m.person_id).executeTakeFirst()) continue;
    const speech = await render(DEMO_MESSAGES[i]!, { language: 'vi', voice: 'vi' }).catch(() => beep());
    const receivedAt = new Date(at.getTime() - (i + 1) * 3_600_000);
    await db
      .insertInto('call_voice_messages')
      .values({ unit_code: m.unit_code ?? '40', person_id: m.person_id, phone: m.phone!, full_name: m.full_name, received_at: receivedAt, duration_ms: Math.round(speech.length / 8), ended_by: i ? 'key' : 'silence', audio: ulawToPcmWav(speech), handled_at: i ? at : null, note: i ? 'Đã cập nhật địa chỉ' : '' })
      .execute();
  }
}
