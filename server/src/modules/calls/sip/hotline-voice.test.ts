// A voice message left on the hotline over real SIP/RTP: baresip calls our user agent, presses 2 (RFC 4733) at the
// menu, and when the recording starts switches its audio source to a WAV file (ctrl_tcp `ausrc aufile,<file>`): a
// 440 Hz tone, then silence. The stored recording is decoded and checked: how long it is (the silence or the longest
// length ended it), that the tone is in it (its frequency, by Goertzel) and that it is the caller's, matched by number.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { testContext, type TestContext } from '../../../../test/helpers';
import { localTime } from '../../../platform/time';
import { realClock } from '../clock';
import { hotlineHandler } from '../hotline';
import { prepareDay } from '../service';
import { silentRenderer } from '../sim-render';
import { createCampaign, saveScript } from '../store';
import { HEALTH_CHECK, monitoredContacts, vinhCommune } from '../test-fixtures';
import type { CallSession } from '../types';
import type { VoiceOptions } from '../voice';
import { run, startBaresip, type Baresip } from './testing/peers';
import { SipProvider } from './ua';

const LOCAL = '127.0.0.2';
const DAY = '2026-11-20';
const CALLER = '0912880009';
let t: TestContext;
let dir: string;
let personId: string;
let commune: string;
const peers: Baresip[] = [];
const providers: SipProvider[] = [];

beforeAll(async () => {
  t = await testContext({ clock: () => localTime(DAY, '19:00', 'Asia/Ho_Chi_Minh') });
  commune = await vinhCommune(t.db);
  const scriptId = (await saveScript(t.db, { unitCode: '40', script: HEALTH_CHECK, userId: null })).id;
  [personId] = (await monitoredContacts(t.db, commune, DAY, [{ name: 'Gọi Nhắn Lại', phone: '+84912880009' }])) as [string];
  const c = await createCampaign(t.db, { name: 'F1/F2', unitCode: commune, scriptId, audience: 'monitoring', alertPhones: [] } as never, null);
  await prepareDay(t.app.vigil, c, DAY);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-voice-'));
  // what the caller "says": 1.5 s of 440 Hz, then silence; and 30 s of it for the longest-length case
  await run('sox', ['-n', '-r', '8000', '-c', '1', '-b', '16', path.join(dir, 'short.wav'), 'synth', '1.5', 'sine', '440', 'vol', '0.5', 'pad', '0', '30']);
  await run('sox', ['-n', '-r', '8000', '-c', '1', '-b', '16', path.join(dir, 'long.wav'), 'synth', '30', 'sine', '440', 'vol', '0.5']);
}, 60_000);
afterEach(async () => {
  await t.db.deleteFrom('call_voice_messages').execute();
  await Promise.all(providers.splice(0).map((p) => p.close()));
  await Promise.all(peers.splice(0).map((b) => b.stop()));
});
afterAll(async () => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  await t?.close();
});

/**
 * The hotline on our user agent, the phone calling it; the phone presses 2 when the menu waits for a key and starts
 * speaking (`speech` WAV) as the recording starts. Resolves once the handler returned.
 */
async function leaveMessage(speech: string, voice: VoiceOptions, codecs = 'PCMU,PCMA') {
  const phone = await startBaresip({ user: CALLER, codecs });
  peers.push(phone);
  const p = new SipProvider({ localAddress: LOCAL, localPort: 0, callerId: '1900123', maxChannels: 2, maxCallsPerSecond: 10 });
  await p.start();
  providers.push(p);
  const handler = hotlineHandler({ db: t.db, events: t.events, publicUrl: 'http://vigil.test', timeZone: 'Asia/Ho_Chi_Minh', clock: realClock(t.app.vigil.config.clock), render: silentRenderer, defaultUnit: 'VN', voice });
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  p.onInbound(async (session) => {
    let menu = true;
    const caller: CallSession = Object.assign(Object.create(session) as CallSession, {
      nextDigit: (ms: number, expect?: Parameters<CallSession['nextDigit']>[1]) => {
        if (menu) void phone.command('sndcode', '2');
        menu = false;
        return session.nextDigit(ms, expect);
      },
      record: async (maxMs: number, opts?: { silenceMs?: number }) => {
        await phone.command('ausrc', `aufile,${speech}`);
        return session.record!(maxMs, opts);
      },
    });
    try {
      await handler(caller);
    } finally {
      done();
    }
  });
  expect((await phone.command('dial', `sip:hotline@${LOCAL}:${p.port}`)).ok).toBe(true);
  await finished;
  await phone.waitEvent('CALL_CLOSED', 10_000);
  return phone;
}

/** The 16-bit samples of a WAV buffer's data (the format our recordings have: 44-byte header). */
function samples(wav: Buffer): Int16Array {
  expect(wav.toString('ascii', 36, 40)).toBe('data');
  const data = wav.subarray(44);
  return new Int16Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.length));
}
const rms = (s: Int16Array) => Math.sqrt(s.reduce((a, v) => a + v * v, 0) / Math.max(1, s.length));
/** Goertzel power of one frequency, normalised by length. */
function power(s: Int16Array, hz: number): number {
  const k = 2 * Math.cos((2 * Math.PI * hz) / 8000);
  let a = 0;
  let b = 0;
  for (const x of s) [a, b] = [x + k * a - b, a];
  return (a * a + b * b - k * a * b) / s.length ** 2;
}

/** The one message the test's call left (each test starts with none: the pinned clock gives them all one time). */
const latest = () => t.db.selectFrom('call_voice_messages').selectAll().executeTakeFirstOrThrow();

describe('hotline voice message over SIP with baresip', () => {
  it('the caller presses 2, speaks 1.5 s and falls silent: the silence ends the message, which holds the 440 Hz tone', async () => {
    await leaveMessage(path.join(dir, 'short.wav'), { maxMs: 60_000, silenceMs: 2000 });
    const m = await latest();
    expect(m).toMatchObject({ person_id: personId, phone: '+84912880009', unit_code: commune, ended_by: 'silence' });
    const cdr = await t.db.selectFrom('call_attempts').select(['disposition', 'outcome', 'billsec']).where('person_id', '=', personId).executeTakeFirstOrThrow();
    expect(cdr).toMatchObject({ disposition: 'completed', outcome: 'message' });
    expect(Number(cdr.billsec)).toBeGreaterThanOrEqual(0);
    // 1.5 s of speech and the 2 s of silence that ended it (a few packets either side)
    expect(m.duration_ms).toBeGreaterThan(3000);
    expect(m.duration_ms).toBeLessThan(4500);
    const s = samples(m.audio);
    expect(s.length / 8000).toBeCloseTo(m.duration_ms / 1000, 1);
    const speech = s.subarray(1600, 8800); // 0.2–1.1 s
    expect(rms(speech)).toBeGreaterThan(5000); // a 0.5 sine is ~11,600 RMS; silence ~0
    expect(power(speech, 440)).toBeGreaterThan(100 * power(speech, 1000));
    expect(rms(s.subarray(s.length - 8000))).toBeLessThan(100); // the last second is the silence
  }, 90_000);

  it('an A-law phone that keeps talking: the longest length ends the message, transcoded and whole', async () => {
    const phone = await leaveMessage(path.join(dir, 'long.wav'), { maxMs: 3000, silenceMs: 10_000 }, 'PCMA');
    expect(phone.lines.join('\n')).toMatch(/Set audio encoder: PCMA/);
    const m = await latest();
    expect(m.ended_by).toBe('max-length');
    expect(m.duration_ms).toBeGreaterThan(2700);
    expect(m.duration_ms).toBeLessThanOrEqual(3100);
    const s = samples(m.audio);
    const body = s.subarray(800, s.length - 800);
    expect(rms(body)).toBeGreaterThan(5000);
    expect(power(body, 440)).toBeGreaterThan(100 * power(body, 1000));
  }, 90_000);
});
