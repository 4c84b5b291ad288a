// The TwiML provider as the app mounts it (VIGIL_CALLS_PROVIDER=twiml, VIGIL_CALLS_HOTLINE_PROVIDER=twiml): a
// stand-in for Twilio that follows its documented request/response shapes drives the app's real webhook routes
// (signed form POSTs to {VIGIL_PUBLIC_URL}/api/calls/twiml/…, TwiML answers), serves the REST API (Calls.json) and
// the recordings (RecordingUrl) over HTTP from a local server. A campaign's call writes its follow-up; the hotline
// takes a voice message through <Record>; forged, unsigned and replayed requests are refused.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anotherApp, testContext, type TestContext } from '../../../../test/helpers';
import { KeyRing } from '../../../platform/signing';
import { localTime } from '../../../platform/time';
import { linearToUlaw } from '../media/g711';
import { ulawToPcmWav, wavToUlaw } from '../media/wav';
import { acceleratedClock } from '../clock';
import { runCampaignDay } from '../dialer';
import { providerKinds, twimlOfApp } from '../provider';
import { dialerDeps, prepareDay } from '../service';
import { silentRenderer } from '../sim-render';
import { createCampaign, saveScript } from '../store';
import { HEALTH_CHECK, monitoredContacts, vinhCommune } from '../test-fixtures';
import { purgeVoiceMessages } from '../voice';
import { twilioSignature } from './twiml-signature';
import { purgeInboundSeen, TWIML_SEEN_DAYS } from './twiml-seen';

const SID = 'AC' + 'ab'.repeat(16);
const TOKEN = 'twiml-app-test-token';
const PUBLIC = 'https://vigil.test';
const BASE = `${PUBLIC}/api/calls/twiml`;
const DAY = '2026-11-20';
const TZ = 'Asia/Ho_Chi_Minh';
const at = localTime(DAY, '09:00', TZ);

/** 2 s of a 440 Hz tone at speaking level, then 0.5 s of silence: what a caller says, as Twilio stores it (PCM WAV). */
function spoken(): Buffer {
  const ulaw = Buffer.alloc(20_000, 0xff);
  for (let i = 0; i < 16_000; i++) ulaw[i] = linearToUlaw(Math.round(6000 * Math.sin((2 * Math.PI * 440 * i) / 8000)));
  return ulawToPcmWav(ulaw);
}

let t: TestContext;
let twilio: http.Server;
let apiBase = '';
/** requests the stand-in's REST side received: Calls.json forms and recording downloads (with their auth header) */
const calls: URLSearchParams[] = [];
const downloads: { url: string; auth: string }[] = [];
let recordingReadyAfter = 0;
let personIds: string[];
let campaignId: string;

/** Twilio POSTing a webhook: form body, X-Twilio-Signature over the full public URL + sorted params. */
async function hook(url: string, params: Record<string, string>, signWith = TOKEN) {
  return t.app.inject({
    method: 'POST',
    url: url.replace(PUBLIC, ''),
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilioSignature(signWith, url, params) },
    payload: new URLSearchParams(params).toString(),
  });
}
const unxml = (s: string) => s.replace(/&amp;/g, '&');
const actionOf = (twiml: string, verb: 'Gather' | 'Record') => unxml(new RegExp(`<${verb} [^>]*action="([^"]+)"`).exec(twiml)?.[1] ?? '');

/** Fetches every <Play> of a TwiML answer as Twilio does (they must be 8 kHz µ-law WAVs of ours). */
async function play(twiml: string): Promise<number> {
  let n = 0;
  for (const src of [...twiml.matchAll(/<Play>([^<]+)<\/Play>/g)].map((m) => unxml(m[1]!))) {
    expect(src.startsWith(`${BASE}/audio/`)).toBe(true);
    const r = await t.app.inject({ method: 'GET', url: src.replace(PUBLIC, '') });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toBe('audio/wav');
    n++;
  }
  return n;
}

/** The person answering an outbound call: presses `keys` one Gather after another. */
async function answer(form: URLSearchParams, keys: string[]) {
  const common = { AccountSid: SID, CallSid: `CA${'0'.repeat(31)}${calls.length}`, To: form.get('To')!, From: form.get('From')!, Direction: 'outbound-api', ApiVersion: '2010-04-01' };
  const status = form.get('StatusCallback')!;
  await hook(status, { ...common, CallStatus: 'ringing' });
  let twiml = (await hook(form.get('Url')!, { ...common, CallStatus: 'in-progress' })).body;
  for (let i = 0; i < 30; i++) {
    await play(twiml);
    const action = actionOf(twiml, 'Gather');
    if (/<Hangup\/>/.test(twiml) || !action) break;
    twiml = (await hook(action, { ...common, CallStatus: 'in-progress', Digits: keys.shift() ?? '' })).body;
  }
  await hook(status, { ...common, CallStatus: 'completed', CallDuration: '40' });
}

beforeAll(async () => {
  twilio = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const url = req.url ?? '';
      if (req.method === 'POST' && url === `/2010-04-01/Accounts/${SID}/Calls.json`) {
        const form = new URLSearchParams(body);
        calls.push(form);
        res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ sid: `CA${'0'.repeat(31)}${calls.length}`, status: 'queued' }));
        void answer(form, ['1', '1', '2', '2', '2', '1']);
        return;
      }
      const rec = new RegExp(`^/2010-04-01/Accounts/${SID}/Recordings/(RE\\w+)\\.wav$`).exec(url);
      if (req.method === 'GET' && rec) {
        downloads.push({ url, auth: String(req.headers.authorization) });
        // not yet available the first times (Twilio: the recording may take a moment after the action)
        if (recordingReadyAfter-- > 0) return res.writeHead(404).end();
        const wav = spoken();
        return res.writeHead(200, { 'content-type': 'audio/x-wav', 'content-length': wav.length }).end(wav);
      }
      res.writeHead(404).end();
    });
  });
  await new Promise<void>((r) => twilio.listen(0, '127.0.0.1', () => r()));
  apiBase = `http://127.0.0.1:${(twilio.address() as { port: number }).port}`;
  t = await testContext({
    clock: () => at,
    config: { publicUrl: PUBLIC, callsProvider: 'twiml', callsHotlineProvider: 'twiml', twilioAccountSid: SID, twilioAuthToken: TOKEN, twilioFrom: '+842873000000', twilioApiBase: apiBase },
  });
  const commune = await vinhCommune(t.db);
  personIds = await monitoredContacts(t.db, commune, DAY, [{ name: 'Trần Thị Sốt', phone: '+84912880001' }]);
  const script = await saveScript(t.db, { unitCode: '40', script: HEALTH_CHECK, userId: null });
  const c = await createCampaign(t.db, { name: 'F1/F2 TwiML', unitCode: commune, scriptId: script.id, audience: 'monitoring', alertPhones: [] } as never, null);
  campaignId = c.id;
  await prepareDay(t.app.vigil, c, DAY);
}, 90_000);
afterAll(async () => {
  await t?.close();
  await new Promise<void>((r) => twilio.close(() => r()));
});

describe('TwiML provider mounted in the app', () => {
  it('the config selects it for outbound calls and the hotline; it needs the account, token and number', () => {
    expect(providerKinds(t.config)).toEqual({ outbound: 'twiml', hotline: 'twiml' });
    expect(providerKinds({ callsProvider: 'auto', callsHotlineProvider: 'auto', sipHost: undefined })).toEqual({ outbound: 'simulated', hotline: null });
    expect(providerKinds({ callsProvider: 'auto', callsHotlineProvider: 'twiml', sipHost: 'trunk.example' })).toEqual({ outbound: 'sip', hotline: 'twiml' });
  });

  it("a campaign's call goes out through Calls.json, is driven by the app's webhooks, and writes the follow-up", async () => {
    const provider = twimlOfApp(t.app.vigil)!;
    const clock = acceleratedClock(at, 1);
    const stats = await runCampaignDay(dialerDeps(t.app.vigil, provider, clock, silentRenderer), campaignId, DAY);
    expect(stats).toMatchObject({ placed: 1, completed: 1 });
    expect(calls[0]!.get('To')).toBe('+84912880001');
    expect(calls[0]!.get('Url')).toMatch(new RegExp(`^${BASE}/voice\\?c=[0-9a-f]{32}$`));
    const fu = await t.db.selectFrom('follow_ups').selectAll().where('person_id', '=', personIds[0]!).executeTakeFirstOrThrow();
    expect(fu).toMatchObject({ day: DAY, channel: 'robot_call', symptoms: true });
    const cdr = await t.db.selectFrom('call_attempts').selectAll().where('person_id', '=', personIds[0]!).where('direction', '=', 'outbound').executeTakeFirstOrThrow();
    expect(cdr).toMatchObject({ provider: 'twiml', disposition: 'completed', digits: '1 1 2 2 2 1' });
  });

  it('the hotline takes a voice message with <Record>: the recording is fetched from RecordingUrl and stored like the SIP ones', async () => {
    const supervisor = await t.login('call_supervisor', '40');
    const before = await t.app.inject({ method: 'GET', url: '/api/calls/voice-messages', headers: supervisor.headers });
    const common = { AccountSid: SID, CallSid: 'CA' + 'f'.repeat(30) + '01', From: '+84912880001', To: '+842873000000', Direction: 'inbound', ApiVersion: '2010-04-01' };
    let r = await hook(`${BASE}/voice`, { ...common, CallStatus: 'ringing' });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toMatch(/^text\/xml/);
    // the menu (the caller is a member of a campaign): 2 = a voice message
    expect(r.body).toMatch(/<Gather input="dtmf" numDigits="1" timeout="\d+" action="[^"]+" method="POST"/);
    const menu = { url: actionOf(r.body, 'Gather'), params: { ...common, CallStatus: 'in-progress', Digits: '2' } };
    r = await hook(menu.url, menu.params);
    expect(await play(r.body)).toBe(2); // the prompt and the beep
    expect(r.body).toMatch(/<Record action="[^"]+" method="POST" maxLength="120" timeout="5" finishOnKey="#" playBeep="false" trim="trim-silence"\/>/);
    const recorded = {
      url: actionOf(r.body, 'Record'),
      params: { ...common, CallStatus: 'in-progress', RecordingUrl: `${apiBase}/2010-04-01/Accounts/${SID}/Recordings/RE${'1'.repeat(32)}`, RecordingSid: `RE${'1'.repeat(32)}`, RecordingDuration: '3', Digits: '#' },
    };
    recordingReadyAfter = 1;
    r = await hook(recorded.url, recorded.params);
    expect(r.statusCode).toBe(200);
    expect(await play(r.body)).toBe(1); // thanks
    expect(r.body).toContain('<Hangup/>');
    // fetched as WAV with the account's credentials, after one "not yet" (404)
    expect(downloads.map((d) => d.url)).toEqual([`/2010-04-01/Accounts/${SID}/Recordings/RE${'1'.repeat(32)}.wav`, `/2010-04-01/Accounts/${SID}/Recordings/RE${'1'.repeat(32)}.wav`]);
    expect(downloads[1]!.auth).toBe(`Basic ${Buffer.from(`${SID}:${TOKEN}`).toString('base64')}`);

    const msg = await t.db.selectFrom('call_voice_messages').selectAll().where('person_id', '=', personIds[0]!).executeTakeFirstOrThrow();
    expect(msg).toMatchObject({ phone: '+84912880001', full_name: 'Trần Thị Sốt', ended_by: 'key', duration_ms: 2500 });
    expect(wavToUlaw(msg.audio)!.length).toBe(20_000); // 8 kHz PCM WAV, as the SIP hotline keeps them
    // on the supervisor's page
    const after = await t.app.inject({ method: 'GET', url: '/api/calls/voice-messages', headers: supervisor.headers });
    const items = after.json<{ items: { id: string }[] }>().items;
    expect(items.length).toBe(before.json<{ items: unknown[] }>().items.length + 1);
    const audio = await t.app.inject({ method: 'GET', url: `/api/calls/voice-messages/${msg.id}/audio`, headers: supervisor.headers });
    expect(audio.statusCode).toBe(200);

    // replays of captured, validly signed requests are refused and change nothing
    const again = await hook(recorded.url, recorded.params);
    expect(again.statusCode).toBe(403);
    expect(again.json().error.code).toBe('REPLAYED');
    expect((await hook(menu.url, menu.params)).statusCode).toBe(403);
    const inbound = await hook(`${BASE}/voice`, { ...common, CallStatus: 'ringing' });
    expect(inbound.statusCode).toBe(403);
    expect(inbound.json().error.code).toBe('REPLAYED');
    expect(await t.db.selectFrom('call_voice_messages').select('id').where('person_id', '=', personIds[0]!).execute()).toHaveLength(1);

    // kept and purged as the SIP ones are
    expect(await purgeVoiceMessages(t.db, new Date(at.getTime() + 31 * 86_400_000), 30)).toBeGreaterThanOrEqual(1);
    expect(await t.db.selectFrom('call_voice_messages').select('id').where('id', '=', msg.id).executeTakeFirst()).toBeUndefined();
  });

  it('a RecordingUrl outside the account on the API base is never fetched (nor given the credentials)', async () => {
    const common = { AccountSid: SID, CallSid: 'CA' + 'e'.repeat(30) + '02', From: '+84987650002', To: '+842873000000', Direction: 'inbound' };
    let r = await hook(`${BASE}/voice`, { ...common, CallStatus: 'ringing' });
    // a caller nobody knows, no campaign of theirs: straight to the message (the newest campaign's menu otherwise)
    if (/<Gather/.test(r.body)) r = await hook(actionOf(r.body, 'Gather'), { ...common, Digits: '2' });
    const n = downloads.length;
    r = await hook(actionOf(r.body, 'Record'), { ...common, RecordingUrl: `${apiBase}/2010-04-01/Accounts/AC${'0'.repeat(32)}/Recordings/RE${'2'.repeat(32)}`, RecordingDuration: '3', Digits: '#' });
    expect(r.statusCode).toBe(200);
    expect(downloads.length).toBe(n);
    expect(await t.db.selectFrom('call_voice_messages').select('id').where('phone', '=', '+84987650002').execute()).toEqual([]);
  });

  it('unsigned and forged requests get 403; a huge body 413; nothing is answered with TwiML', async () => {
    const params = { AccountSid: SID, CallSid: 'CA' + 'd'.repeat(32), From: '+84912880001', To: '+842873000000', CallStatus: 'ringing' };
    const unsigned = await t.app.inject({ method: 'POST', url: '/api/calls/twiml/voice', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams(params).toString() });
    expect(unsigned.statusCode).toBe(403);
    expect(unsigned.json()).toMatchObject({ error: { code: 'TWIML_WEBHOOK' } });
    const forged = await hook(`${BASE}/voice`, params, 'guessed-token');
    expect(forged.statusCode).toBe(403);
    // signed for another URL (a proxy's internal address): the signature covers the public URL
    const elsewhere = await t.app.inject({ method: 'POST', url: '/api/calls/twiml/voice', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilioSignature(TOKEN, 'http://10.0.0.5/api/calls/twiml/voice', params) }, payload: new URLSearchParams(params).toString() });
    expect(elsewhere.statusCode).toBe(403);
    // a changed parameter under a captured signature
    const sig = twilioSignature(TOKEN, `${BASE}/voice`, params);
    const tampered = await t.app.inject({ method: 'POST', url: '/api/calls/twiml/voice', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': sig }, payload: new URLSearchParams({ ...params, From: '+84900000000' }).toString() });
    expect(tampered.statusCode).toBe(403);
    // NUL bytes are refused before anything reads them
    const nul = await hook(`${BASE}/voice`, { ...params, From: '+849\u0000' });
    expect(nul.statusCode).toBe(400);
    const huge = await t.app.inject({ method: 'POST', url: '/api/calls/twiml/voice', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': sig }, payload: 'a=' + 'x'.repeat(100_000) });
    expect(huge.statusCode).toBe(413);
  });

  it('an inbound call answered by one app process is a replay for another on the same database (shared, purged)', async () => {
    const other = await anotherApp(t, { keys: KeyRing.inMemory() });
    try {
      const params = { AccountSid: SID, CallSid: 'CA' + '7'.repeat(30) + '77', From: '+84912880001', To: '+842873000000', Direction: 'inbound', ApiVersion: '2010-04-01', CallStatus: 'ringing' };
      const first = await hook(`${BASE}/voice`, params);
      expect(first.statusCode, first.body).toBe(200);
      // the same signed request to the second process: refused, no second call
      const replayed = await other.app.inject({
        method: 'POST',
        url: '/api/calls/twiml/voice',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilioSignature(TOKEN, `${BASE}/voice`, params) },
        payload: new URLSearchParams(params).toString(),
      });
      expect(replayed.statusCode).toBe(403);
      expect(replayed.json().error.code).toBe('REPLAYED');
      // remembered TWIML_SEEN_DAYS, then purged (hourly, with the voice messages): bounded
      expect(await t.db.selectFrom('call_twiml_inbound_seen' as never).select('call_sid' as never).where('call_sid' as never, '=', params.CallSid as never).execute()).toHaveLength(1);
      expect(await purgeInboundSeen(t.db, new Date(Date.now() + (TWIML_SEEN_DAYS + 1) * 86_400_000))).toBeGreaterThanOrEqual(1);
      expect(await t.db.selectFrom('call_twiml_inbound_seen' as never).select('call_sid' as never).execute()).toHaveLength(0);
    } finally {
      await other.close();
    }
  });

  it('the webhooks are rate limited per client address', async () => {
    const other = await anotherApp(t, { keys: KeyRing.inMemory(), config: { twilioWebhooksPerMinute: 10 } });
    try {
      const codes: number[] = [];
      for (let i = 0; i < 11; i++) codes.push((await other.app.inject({ method: 'POST', url: '/api/calls/twiml/status', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'CallSid=CA1' })).statusCode);
      expect(codes.slice(0, 10).every((c) => c === 403)).toBe(true);
      expect(codes[10]).toBe(429);
    } finally {
      await other.close();
    }
  });
});
