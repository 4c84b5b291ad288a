// Hotline voice messages: the caller picks 2 in the hotline's menu, speaks after the beep, and the message is kept
// (caller's number, time, duration, WAV), matched to a person by phone where possible; supervisors list, play and
// mark them handled inside their jurisdiction, every read audited; the retention purge deletes old ones. The audio
// path over real RTP is sip/hotline-voice.test.ts (baresip); here the simulated provider carries the call and the
// recording is handed in as the caller's "speech".
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testContext, type LoggedIn, type TestContext } from '../../../test/helpers';
import { localTime } from '../../platform/time';
import { acceleratedClock } from './clock';
import { hotlineHandler } from './hotline';
import { linearToUlaw } from './media/g711';
import { prepareDay } from './service';
import { silentRenderer } from './sim-render';
import { FEVERISH, SimulatedProvider } from './simulated';
import { createCampaign, saveScript } from './store';
import { HEALTH_CHECK, monitoredContacts, vinhCommune } from './test-fixtures';
import type { CallSession, Recording } from './types';
import { purgeVoiceMessages } from './voice';

const DAY = '2026-11-20';
const at = localTime(DAY, '19:00', 'Asia/Ho_Chi_Minh');
let t: TestContext;
let provider: SimulatedProvider;
let ids: string[];
let commune: string;
let supervisor: LoggedIn;
let tracer: LoggedIn;
let hanoi: LoggedIn;
let citizen: LoggedIn;
let national: LoggedIn;

/** 2 s of a 440 Hz tone: the caller's "speech". */
const speech = (() => {
  const b = Buffer.alloc(16000);
  for (let i = 0; i < b.length; i++) b[i] = linearToUlaw(Math.round(6000 * Math.sin((2 * Math.PI * 440 * i) / 8000)));
  return b;
})();
const silence = Buffer.alloc(8000 * 3, 0xff);

/** The next inbound call's session records `audio` when asked (the simulated provider cannot record). */
let nextRecording: Recording | null = null;
const recorded: { maxMs: number; silenceMs?: number }[] = [];
function recording(session: CallSession): CallSession {
  const r = nextRecording;
  if (!r) return session;
  nextRecording = null;
  return Object.assign(Object.create(session) as CallSession, {
    record: async (maxMs: number, opts?: { silenceMs?: number }) => {
      recorded.push({ maxMs, silenceMs: opts?.silenceMs });
      return r;
    },
  });
}

const inject = (method: 'GET' | 'POST', url: string, who?: LoggedIn, payload?: unknown) =>
  t.app.inject({ method, url, headers: { ...(who?.headers ?? { 'x-requested-with': 'vigil' }) }, payload: payload as never });

beforeAll(async () => {
  t = await testContext({ clock: () => at });
  commune = await vinhCommune(t.db);
  const scriptId = (await saveScript(t.db, { unitCode: '40', script: HEALTH_CHECK, userId: null })).id;
  ids = await monitoredContacts(t.db, commune, DAY, [{ name: 'Lời Nhắn Một', phone: '+84912880001' }]);
  const c = await createCampaign(t.db, { name: 'F1/F2', unitCode: commune, scriptId, audience: 'monitoring', alertPhones: [] } as never, null);
  await prepareDay(t.app.vigil, c, DAY);
  const clock = acceleratedClock(at, 3000);
  provider = new SimulatedProvider({ clock });
  const handler = hotlineHandler({ db: t.db, events: t.events, publicUrl: 'http://vigil.test', timeZone: 'Asia/Ho_Chi_Minh', clock, render: silentRenderer, defaultUnit: 'VN', voice: { maxMs: 90_000, silenceMs: 4000 } });
  provider.onInbound((s) => handler(recording(s)));
  supervisor = await t.login('call_supervisor', '40');
  tracer = await t.login('contact_tracer', '40');
  hanoi = await t.login('call_supervisor', '01');
  citizen = await t.login('citizen', '40');
  national = await t.login('cdc_officer', 'VN');
}, 60_000);
afterAll(() => t?.close());

const messages = () => t.db.selectFrom('call_voice_messages').selectAll().orderBy('received_at').execute();

describe('hotline voice messages', () => {
  it('a known caller presses 2 and speaks: the message is kept with their name, number, time, duration and a playable WAV', async () => {
    nextRecording = { ulaw: speech, endedBy: 'key' };
    await provider.callIn('0912880001', { kind: 'answers', keys: ['2'] });
    const [m] = await messages();
    expect(m).toMatchObject({ person_id: ids[0], full_name: 'Lời Nhắn Một', phone: '+84912880001', unit_code: commune, duration_ms: 2000, ended_by: 'key', handled_at: null });
    expect(recorded.at(-1)).toEqual({ maxMs: 90_000, silenceMs: 4000 });
    // 16-bit PCM, 8 kHz mono: a header and two bytes per sample
    expect(m!.audio.toString('ascii', 0, 4)).toBe('RIFF');
    expect(m!.audio.readUInt16LE(20)).toBe(1);
    expect(m!.audio.readUInt32LE(24)).toBe(8000);
    expect(m!.audio.length).toBe(44 + speech.length * 2);
    const cdr = await t.db.selectFrom('call_attempts').selectAll().where('outcome', '=', 'message').executeTakeFirstOrThrow();
    expect(cdr).toMatchObject({ person_id: ids[0], direction: 'inbound', disposition: 'completed' });
    // a message is not a self-report: no follow-up was written
    expect(await t.db.selectFrom('follow_ups').select('id').where('person_id', '=', ids[0]!).execute()).toEqual([]);
  });

  it('an unknown number leaves a message under that number in the hotline’s default unit; silence only is not kept', async () => {
    nextRecording = { ulaw: speech, endedBy: 'silence' };
    await provider.callIn('0987000333', { kind: 'answers', keys: ['2'] });
    nextRecording = { ulaw: silence, endedBy: 'silence' };
    await provider.callIn('0987000444', { kind: 'answers', keys: ['2'] });
    const all = await messages();
    expect(all).toHaveLength(2);
    expect(all[1]).toMatchObject({ person_id: null, full_name: '', phone: '+84987000333', unit_code: 'VN', ended_by: 'silence' });
    const cdr = await t.db.selectFrom('call_attempts').select(['disposition', 'outcome']).where('phone', '=', '+84987000444').executeTakeFirstOrThrow();
    expect(cdr).toEqual({ disposition: 'incomplete', outcome: 'message' });
  });

  it('pressing 1 takes the survey as before', async () => {
    nextRecording = { ulaw: speech, endedBy: 'key' };
    await provider.callIn('0912880001', { kind: 'answers', keys: ['1', ...FEVERISH.keys!] });
    const fu = await t.db.selectFrom('follow_ups').selectAll().where('person_id', '=', ids[0]!).executeTakeFirstOrThrow();
    expect(fu).toMatchObject({ channel: 'self', symptoms: true });
    expect(await messages()).toHaveLength(2);
  });

  it('a supervisor lists the messages of their area, plays one, marks it handled; each step is audited', async () => {
    let res = await inject('GET', '/api/calls/voice-messages', supervisor);
    expect(res.statusCode).toBe(200);
    const items = res.json().items;
    expect(items.map((i: { phone: string }) => i.phone)).toEqual(['+84912880001']); // the unknown caller is in VN, not in 40
    const id = items[0].id;
    res = await inject('GET', `/api/calls/voice-messages/${id}/audio`, supervisor);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('audio/wav');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.rawPayload.length).toBe(44 + speech.length * 2);
    res = await inject('POST', `/api/calls/voice-messages/${id}/handled`, supervisor, { note: 'Đã gọi lại' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id, note: 'Đã gọi lại', handledAt: at.toISOString() });
    // handled ones leave the open list, stay in the handled one; a second click keeps the first note
    expect((await inject('GET', '/api/calls/voice-messages', supervisor)).json().items).toEqual([]);
    expect((await inject('GET', '/api/calls/voice-messages?status=handled', supervisor)).json().items).toHaveLength(1);
    res = await inject('POST', `/api/calls/voice-messages/${id}/handled`, supervisor, { note: 'again' });
    expect(res.json().note).toBe('Đã gọi lại');
    // the national officer sees both
    expect((await inject('GET', '/api/calls/voice-messages?status=all', national)).json().items).toHaveLength(2);
    const audits = await sql<{ action: string; subject_id: string | null }>`select action, subject_id from audit_log where action like 'calls.voice%' order by id`.execute(t.db);
    expect(audits.rows.map((r) => r.action)).toEqual([
      'calls.voice_messages_read',
      'calls.voice_message_played',
      'calls.voice_message_handled',
      'calls.voice_messages_read',
      'calls.voice_messages_read',
      'calls.voice_message_handled',
      'calls.voice_messages_read',
    ]);
    expect(audits.rows[1]!.subject_id).toBe(id);
  });

  it('refuses: no session, a citizen, another province, a tracer marking handled, bad ids, NUL bytes, huge notes', async () => {
    const [mine, unknown] = await messages();
    const url = `/api/calls/voice-messages/${mine!.id}`;
    expect((await inject('GET', '/api/calls/voice-messages')).statusCode).toBe(401);
    expect((await inject('GET', `${url}/audio`)).statusCode).toBe(401);
    expect((await inject('GET', '/api/calls/voice-messages', citizen)).statusCode).toBe(403);
    expect((await inject('GET', `${url}/audio`, citizen)).statusCode).toBe(403);
    // Hà Nội's supervisor: sees none of Nghệ An's, cannot play or handle one (404: ids are not probed)
    expect((await inject('GET', '/api/calls/voice-messages?status=all', hanoi)).json().items).toEqual([]);
    expect((await inject('GET', `${url}/audio`, hanoi)).statusCode).toBe(404);
    expect((await inject('POST', `${url}/handled`, hanoi, {})).statusCode).toBe(404);
    expect((await inject('GET', '/api/calls/voice-messages?unit=01', supervisor)).statusCode).toBe(403);
    // the province's supervisor cannot reach the national default unit's message either
    expect((await inject('GET', `/api/calls/voice-messages/${unknown!.id}/audio`, supervisor)).statusCode).toBe(404);
    // a tracer may listen, not close
    expect((await inject('GET', `${url}/audio`, tracer)).statusCode).toBe(200);
    expect((await inject('POST', `${url}/handled`, tracer, {})).statusCode).toBe(403);
    let res = await inject('GET', '/api/calls/voice-messages/not-a-uuid/audio', supervisor);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toMatch(/id/);
    expect((await inject('GET', `/api/calls/voice-messages/${'0'.repeat(8)}-0000-0000-0000-${'0'.repeat(12)}/audio`, supervisor)).statusCode).toBe(404);
    res = await inject('POST', `/api/calls/voice-messages/${unknown!.id}/handled`, national, { note: 'a\u0000b' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toMatch(/note/);
    res = await inject('POST', `/api/calls/voice-messages/${unknown!.id}/handled`, national, { note: 'x'.repeat(1001) });
    expect(res.statusCode).toBe(400);
    expect((await inject('GET', '/api/calls/voice-messages?status=everything', supervisor)).statusCode).toBe(400);
    expect((await t.db.selectFrom('call_voice_messages').select('handled_at').where('id', '=', unknown!.id).executeTakeFirstOrThrow()).handled_at).toBeNull();
  });

  it('retention: messages older than the retention period are deleted, handled or not; newer ones stay', async () => {
    const [first] = await messages();
    await t.db.updateTable('call_voice_messages').set({ received_at: new Date(at.getTime() - 31 * 86_400_000) }).where('id', '=', first!.id).execute();
    expect(await purgeVoiceMessages(t.db, at, 30)).toBe(1);
    expect((await messages()).map((m) => m.phone)).toEqual(['+84987000333']);
  });

  it('with no active campaign the hotline takes messages only: no menu, straight to the beep', async () => {
    await t.db.updateTable('call_campaigns').set({ status: 'paused' }).execute();
    nextRecording = { ulaw: speech, endedBy: 'max-length' };
    await provider.callIn('0987000555', { kind: 'answers', keys: [] }); // presses nothing
    const m = await t.db.selectFrom('call_voice_messages').selectAll().where('phone', '=', '+84987000555').executeTakeFirstOrThrow();
    expect(m).toMatchObject({ ended_by: 'max-length', duration_ms: 2000 });
    await t.db.updateTable('call_campaigns').set({ status: 'active' }).execute();
  });
});
