// Robot calls against a real softphone: baresip auto-answers our INVITE (or dials our hotline), presses keys over its
// ctrl_tcp socket (RFC 4733 telephone-events) and records the audio it received (sndfile).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runVigil } from '../../../../test/cli-run';
import { SipProvider } from './ua';
import { Tts } from '../tts';
import { runScript } from '../runner';
import { defaultScript } from '../default-scripts';
import type { CallSession, PromptRenderer, ScriptResult } from '../types';
import { startBaresip, wavSamples, wavSeconds, type Baresip } from './testing/peers';
import { linearToUlaw } from '../media/g711';

const LOCAL = '127.0.0.2';
let ttsDir: string;
let tts: Tts;
const peers: Baresip[] = [];
const providers: SipProvider[] = [];

beforeAll(() => {
  ttsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-tts-'));
  tts = new Tts({ cacheDir: ttsDir });
});
afterEach(async () => {
  await Promise.all(providers.splice(0).map((p) => p.close()));
  await Promise.all(peers.splice(0).map((b) => b.stop()));
});
afterAll(() => fs.rmSync(ttsDir, { recursive: true, force: true }));

async function baresip(opts?: Parameters<typeof startBaresip>[0]) {
  const b = await startBaresip(opts);
  peers.push(b);
  return b;
}

async function provider(extra: Partial<ConstructorParameters<typeof SipProvider>[0]> = {}) {
  const p = new SipProvider({ localAddress: LOCAL, localPort: 0, callerId: '1900123', maxChannels: 4, maxCallsPerSecond: 10, ...extra });
  await p.start();
  providers.push(p);
  return p;
}

/** A renderer counting the audio it hands out (what the far end must hear, when no prompt is interrupted). */
function counting(render: PromptRenderer) {
  const c = { samples: 0, render: (async (t, o) => {
    const a = await render(t, o);
    c.samples += a.length;
    return a;
  }) as PromptRenderer };
  return c;
}

/** The session, with the phone pressing the next group of keys when a question starts waiting (after its prompt). */
function pressingAfterPrompts(session: CallSession, phone: Baresip, groups: string[]): CallSession {
  let fresh = true;
  return {
    id: session.id,
    remote: session.remote,
    direction: session.direction,
    answeredAt: session.answeredAt,
    ended: session.ended,
    play: (a, o) => session.play(a, o),
    nextDigit: (ms) => {
      const k = fresh ? groups.shift() : undefined;
      fresh = false;
      if (k) void phone.command('sndcode', k);
      return session.nextDigit(ms);
    },
    clearDigits: () => {
      fresh = true;
      session.clearDigits();
    },
    hangup: () => session.hangup(),
  };
}

describe('SIP calls with baresip', () => {
  it('a call to an auto-answering phone completes the daily health check: keys arrive as answers, the phone heard every prompt', async () => {
    const phone = await baresip();
    const p = await provider();
    const script = defaultScript('daily-health-check-en')!;
    const rendered = counting(tts.render);
    const dialled = await p.dial(phone.uri, { ringTimeoutMs: 10_000 });
    expect(dialled).toMatchObject({ disposition: 'answered', sipCode: 200 });
    await phone.waitEvent('CALL_ESTABLISHED', 5000);
    const keys = ['1', '2', '1', '2', '2', '1'];
    const result: ScriptResult = await runScript(pressingAfterPrompts(dialled.session!, phone, [...keys]), script, { render: rendered.render, vars: { name: 'An' } });
    expect(result.outcome).toBe('completed');
    expect(result.answers).toEqual({ identity: '1', fever: '2', cough: '1', breathing: '2', taste_smell: '2', at_address: '1' });
    expect(result.set).toEqual({ symptomatic: true });
    await dialled.session!.hangup();
    expect((await dialled.session!.ended).by).toBe('local');
    await phone.waitEvent('CALL_CLOSED', 5000);
    // what the phone decoded and recorded is what we played: the 8 prompts, to within a few frames
    const [dec] = phone.recordings().dec;
    const heard = wavSeconds(dec!);
    const played = rendered.samples / 8000;
    expect(played).toBeGreaterThan(15);
    expect(Math.abs(heard - played)).toBeLessThan(Math.max(0.5, played * 0.03)); // a late frame or two may be dropped by its jitter buffer
  }, 90_000);

  it('`vigil calls dial --json` calls the phone, which presses 1 to every question: completed, answers, SIP 200, duration', async () => {
    const phone = await baresip();
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-dial-'));
    fs.cpSync(ttsDir, path.join(dataDir, 'tts'), { recursive: true }); // reuse what the first test rendered
    const cli = runVigil(['calls', 'dial', '--to', phone.uri, '--script', 'daily-health-check-en', '--var', 'name=An', '--json'], {
      VIGIL_DATA_DIR: dataDir,
      VIGIL_SIP_LOCAL_ADDRESS: LOCAL,
      VIGIL_SIP_LOCAL_PORT: '0',
      LOG_LEVEL: 'silent',
    });
    // a caller keeps pressing 1: each press answers (and cuts short) the question being asked
    await phone.waitEvent('CALL_ESTABLISHED', 60_000);
    let closed = false;
    const pressing = (async () => {
      while (!closed) {
        await phone.command('sndcode', '1').catch(() => {});
        await Promise.race([phone.waitEvent('CALL_CLOSED', 700).then(() => (closed = true)), new Promise((r) => setTimeout(r, 700))]).catch(() => {});
      }
    })();
    const r = await cli;
    closed = true;
    await pressing;
    fs.rmSync(dataDir, { recursive: true, force: true });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ disposition: 'completed', sip_code: 200, outcome: 'completed', set: { symptomatic: true } });
    expect(out.answers).toEqual({ identity: '1', fever: '1', cough: '1', breathing: '1', taste_smell: '1', at_address: '1' });
    expect(out.duration_s).toBeGreaterThan(3);
  }, 180_000);

  it('a phone that speaks only A-law: the µ-law prompt reaches it transcoded, as long as played, and not silent', async () => {
    const phone = await baresip({ codecs: 'PCMA' });
    const p = await provider();
    const r = await p.dial(phone.uri, { ringTimeoutMs: 10_000 });
    expect(r.disposition).toBe('answered');
    const tone = Buffer.alloc(8000 * 2);
    for (let i = 0; i < tone.length; i++) tone[i] = linearToUlaw(Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / 8000)));
    expect(await r.session!.play(tone)).toEqual({ hungUp: false, interrupted: false });
    await r.session!.hangup();
    await phone.waitEvent('CALL_CLOSED', 5000);
    expect(phone.lines.join('\n')).toMatch(/Set audio decoder: PCMA/);
    const dec = phone.recordings().dec[0]!;
    expect(Math.abs(wavSeconds(dec) - 2)).toBeLessThan(0.3);
    const samples = wavSamples(dec);
    const rms = Math.sqrt(samples.reduce((a, v) => a + v * v, 0) / samples.length);
    expect(rms).toBeGreaterThan(3000); // a 8000-peak sine has an RMS of 5657; silence would be ~0
  }, 30_000);

  it('record: keeps what the caller says for the time asked, or until they press #', async () => {
    const phone = await baresip();
    const p = await provider();
    const mark = phone.mark();
    const r = await p.dial(phone.uri, { ringTimeoutMs: 10_000 });
    await phone.waitEvent('CALL_ESTABLISHED', 5000, mark);
    const s = r.session!;
    const oneSecond = await s.record!(1000);
    expect(oneSecond.endedBy).toBe('max-length');
    expect(oneSecond.ulaw.length).toBeGreaterThan(8000 * 0.7);
    expect(oneSecond.ulaw.length).toBeLessThan(8000 * 1.3);
    const untilHash = s.record!(20_000);
    await phone.command('sndcode', '#');
    const short = await untilHash;
    expect(short.endedBy).toBe('key');
    expect(short.ulaw.length).toBeLessThan(8000 * 5); // far less than the 20 s asked
    expect(await s.nextDigit(10)).toBeNull(); // the # ended the recording; it is not an answer
    await s.hangup();
  }, 30_000);

  it('inbound: the phone dials the hotline, keys in a national id and the symptoms; the self-report arrives', async () => {
    const phone = await baresip();
    const p = await provider();
    const script = defaultScript('hotline-self-report-en')!;
    const reports: { caller: string; result: ScriptResult }[] = [];
    let done!: () => void;
    const finished = new Promise<void>((r) => (done = r));
    p.onInbound(async (session) => {
      // the caller keys the whole id then #, and one key per question once it was asked
      const session2 = pressingAfterPrompts(session, phone, ['001099012345#', '2', '1', '2', '2']);
      const result = await runScript(session2, script, { render: tts.render });
      reports.push({ caller: session.remote, result });
      done();
    });
    const dialOut = await phone.command('dial', `sip:hotline@${LOCAL}:${p.port}`);
    expect(dialOut.ok).toBe(true);
    await finished;
    expect(reports[0]!.caller).toBe(phone.user);
    expect(reports[0]!.result).toMatchObject({ outcome: 'completed', answers: { national_id: '001099012345', fever: '2', cough: '1', breathing: '2', taste_smell: '2' }, set: { symptomatic: true } });
    await phone.waitEvent('CALL_CLOSED', 10_000); // we hung up after the handler: the phone got our BYE
    expect(p.activeCalls).toBe(0);
  }, 90_000);
});
