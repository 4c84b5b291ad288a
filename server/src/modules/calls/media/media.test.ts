import { describe, expect, it } from 'vitest';
import { alawToLinear, alawToUlawBuffer, linearToAlaw, linearToUlaw, ulawToAlawBuffer, ulawToLinear } from './g711';
import { digitFromInfo, TelephoneEventReceiver } from './dtmf';
import { LatenessStats, MediaClock } from './clock';
import { buildSdp, readSdp, SdpError } from '../sip/sdp';

describe('G.711', () => {
  it('encodes the reference points of µ-law and A-law and round-trips within the companding step', () => {
    expect(linearToUlaw(0)).toBe(0xff);
    expect(linearToUlaw(32767)).toBe(0x80);
    expect(linearToUlaw(-32768)).toBe(0x00);
    expect(linearToAlaw(0)).toBe(0xd5);
    expect(linearToAlaw(32767)).toBe(0xaa);
    expect(linearToAlaw(-32768)).toBe(0x2a);
    for (let x = -32000; x <= 32000; x += 250) {
      const step = Math.max(16, Math.abs(x) / 16);
      expect(Math.abs(ulawToLinear(linearToUlaw(x)) - x)).toBeLessThanOrEqual(step);
      expect(Math.abs(alawToLinear(linearToAlaw(x)) - x)).toBeLessThanOrEqual(step);
    }
  });
  it('transcodes µ-law prompts to A-law and back without drift', () => {
    const ulaw = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const back = alawToUlawBuffer(ulawToAlawBuffer(ulaw));
    for (let i = 0; i < 256; i++) expect(Math.abs(ulawToLinear(back[i]!) - ulawToLinear(i))).toBeLessThanOrEqual(Math.max(16, Math.abs(ulawToLinear(i)) / 8));
  });
});

describe('DTMF', () => {
  it('one key press (start, updates, three end packets on one timestamp) counts once; the next press counts again', () => {
    const got: string[] = [];
    const rx = new TelephoneEventReceiver((d) => got.push(d));
    const pkt = (ev: number, end: boolean, dur: number) => Buffer.from([ev, end ? 0x8a : 0x0a, dur >> 8, dur & 0xff]);
    for (const [ev, ts] of [[5, 1000], [11, 2000], [10, 3000], [5, 4000]] as const) {
      rx.receive(pkt(ev, false, 160), ts);
      rx.receive(pkt(ev, false, 320), ts);
      for (let i = 0; i < 3; i++) rx.receive(pkt(ev, true, 480), ts);
    }
    rx.receive(pkt(12, true, 480), 5000); // 'A': not a key we take
    rx.receive(Buffer.from([1]), 6000); // truncated
    expect(got).toEqual(['5', '#', '*', '5']);
  });
  it('SIP INFO bodies', () => {
    expect(digitFromInfo('application/dtmf-relay', 'Signal=5\r\nDuration=160')).toBe('5');
    expect(digitFromInfo('application/dtmf-relay; charset=x', 'Signal= #\r\n')).toBe('#');
    expect(digitFromInfo('application/dtmf-relay', 'Signal=10')).toBe('*');
    expect(digitFromInfo('application/dtmf', '9')).toBe('9');
    expect(digitFromInfo('application/dtmf-relay', 'Signal=Q')).toBeNull();
    expect(digitFromInfo('text/plain', 'Signal=5')).toBeNull();
    expect(digitFromInfo(undefined, undefined)).toBeNull();
  });
});

describe('SDP', () => {
  it('our offer carries PCMU, PCMA and telephone-event and reads back', () => {
    const offer = buildSdp('127.0.0.2', 40000);
    expect(offer).toMatch(/m=audio 40000 RTP\/AVP 0 8 101/);
    expect(offer).toMatch(/a=rtpmap:101 telephone-event\/8000/);
    expect(readSdp(offer)).toEqual({ codec: 'PCMU', payloadType: 0, telephoneEventPt: 101, address: '127.0.0.2', port: 40000 });
  });
  it('takes the far end’s first G.711 codec and its telephone-event number; refuses what has none', () => {
    const sdp = (m: string, extra = '') => `v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\n${m}\r\na=rtpmap:9 G722/8000\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:96 telephone-event/8000\r\n${extra}`;
    expect(readSdp(sdp('m=audio 5000 RTP/AVP 9 8 0 96'))).toMatchObject({ codec: 'PCMA', payloadType: 8, telephoneEventPt: 96, port: 5000 });
    expect(() => readSdp(sdp('m=audio 5000 RTP/AVP 9'))).toThrow(SdpError);
    expect(() => readSdp(sdp('m=audio 0 RTP/AVP 0'))).toThrow(SdpError);
    expect(() => readSdp('')).toThrow(SdpError);
    expect(() => readSdp('v=0\r\nm=audio 1 RTP/AVP 0\r\n')).toThrow(/connection address/);
  });
});

describe('media clock', () => {
  it('catches up after the event loop stalls: every 20 ms slot is sent, in order, none twice', async () => {
    const clock = new MediaClock();
    const slots: number[] = [];
    let done!: () => void;
    const finished = new Promise<void>((r) => (done = r));
    const l = {
      tick: (slot: number) => {
        slots.push(slot);
        if (slot === 3) {
          const until = Date.now() + 100; // block the loop for five frames
          while (Date.now() < until);
        }
        if (slot >= 15) {
          clock.remove(l);
          done();
        }
      },
    };
    clock.add(l);
    await finished;
    expect(slots).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));
  });
  it('spreads calls over the phases of a frame: each call keeps one phase and sends exactly every 20 ms', async () => {
    const clock = new MediaClock(4);
    const times = new Map<number, number[]>();
    let done!: () => void;
    const finished = new Promise<void>((r) => (done = r));
    const ls = Array.from({ length: 8 }, (_, i) => ({
      tick: (_slot: number, slotTime: number) => {
        const t = [...(times.get(i) ?? []), slotTime];
        times.set(i, t);
        if (i === 7 && t.length === 5) {
          for (const l of ls) clock.remove(l);
          done();
        }
      },
    }));
    for (const l of ls) clock.add(l);
    await finished;
    // two calls per phase, the phases 5 ms apart; every call's slots 20 ms apart
    const phase = (i: number) => Math.round(((times.get(i)![0]! % 20) + 20) % 20);
    const byPhase = new Map<number, number>();
    for (let i = 0; i < 8; i++) byPhase.set(phase(i) % 20, (byPhase.get(phase(i) % 20) ?? 0) + 1);
    expect([...byPhase.values()]).toEqual([2, 2, 2, 2]);
    for (const t of times.values()) for (let k = 1; k < t.length; k++) expect(t[k]! - t[k - 1]!).toBeCloseTo(20, 6);
    expect(clock.worst.count).toBe(0); // (no frame was sent through sent())
  });
  it('lateness percentiles', () => {
    const s = new LatenessStats();
    for (let i = 0; i < 100; i++) s.add(i < 99 ? 1 : 30);
    expect(s.percentile(50)).toBe(1);
    expect(s.percentile(99)).toBe(1);
    expect(s.percentile(100)).toBe(30);
    expect(s.max).toBe(30);
  });
});
