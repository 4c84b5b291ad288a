// The media side of a SIP call: what the script runner sees of an answered call (CallSession) over its RTP stream —
// prompts played, DTMF digits queued (RFC 4733 or SIP INFO), the caller's audio recorded (until '#', silence, the
// longest length or hang-up). The call's dialog is in dialog.ts; SipProvider (ua.ts) owns both.
import { performance } from 'node:perf_hooks';
import type { SipRequest, SipResponse } from 'sip';
import type { DigestSession } from 'sip/digest';
import type { CallSession, Recording } from '../types';
import type { RtpStream } from '../media/rtp';
import { ulawLevel, VOICE_LEVEL } from '../media/g711';
import type { MediaParams } from './sdp';
import type { Dialog } from './dialog';

/** A call of the user agent: its dialog, its media and, once answered, its session. */
export interface Call extends Dialog {
  id: string;
  direction: 'outbound' | 'inbound';
  rtp: RtpStream;
  media?: MediaParams;
  session?: SipSession;
  auth?: DigestSession;
  ended: boolean;
  /** inbound: the INVITE (for 487 on CANCEL) and the 200 retransmission */
  invite?: SipRequest;
  answer?: SipResponse;
  acked?: () => void;
}

export class SipSession implements CallSession {
  readonly id: string;
  readonly remote: string;
  readonly direction: 'outbound' | 'inbound';
  readonly answeredAt = new Date();
  readonly ended: Promise<{ by: 'local' | 'remote'; at: Date }>;
  private endedResolve!: (v: { by: 'local' | 'remote'; at: Date }) => void;
  private isEnded = false;
  private digits: string[] = [];
  private waiter: ((d: string | null) => void) | null = null;
  private recordStop: ((by: 'key' | 'hangup') => void) | null = null;

  constructor(
    private readonly call: Call,
    remote: string,
    private readonly bye: (call: Call) => Promise<void>,
  ) {
    this.id = call.id;
    this.remote = remote;
    this.direction = call.direction;
    this.ended = new Promise((r) => (this.endedResolve = r));
  }

  onDigit(d: string): void {
    if (this.isEnded) return;
    if (this.recordStop && d === '#') return this.recordStop('key');
    this.digits.push(d);
    this.call.rtp.interrupt();
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = null;
      w(this.digits.shift() ?? null);
    }
  }

  markEnded(by: 'local' | 'remote'): void {
    if (this.isEnded) return;
    this.isEnded = true;
    this.endedResolve({ by, at: new Date() });
    this.waiter?.(null);
    this.waiter = null;
    this.recordStop?.('hangup');
  }

  async play(ulaw: Buffer, opts?: { bargeIn?: boolean }) {
    if (this.isEnded) return { hungUp: true, interrupted: false };
    if (opts?.bargeIn && this.digits.length) return { hungUp: false, interrupted: true };
    return this.call.rtp.play(ulaw, opts?.bargeIn ?? false);
  }

  nextDigit(timeoutMs: number): Promise<string | null> {
    if (this.digits.length) return Promise.resolve(this.digits.shift()!);
    if (this.isEnded) return Promise.resolve(null);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiter = null;
        resolve(null);
      }, timeoutMs);
      this.waiter = (d) => {
        clearTimeout(timer);
        resolve(d);
      };
    });
  }

  clearDigits(): void {
    this.digits = [];
  }

  record(maxMs: number, opts?: { silenceMs?: number }): Promise<Recording> {
    if (this.isEnded) return Promise.resolve({ ulaw: Buffer.alloc(0), endedBy: 'hangup' });
    let lastVoice = performance.now();
    this.call.rtp.startRecording((ulaw) => {
      if (ulawLevel(ulaw) >= VOICE_LEVEL) lastVoice = performance.now();
    });
    return new Promise((resolve) => {
      const timers: NodeJS.Timeout[] = [];
      const stop = (endedBy: Recording['endedBy']) => {
        timers.forEach(clearTimeout);
        this.recordStop = null;
        resolve({ ulaw: this.call.rtp.stopRecording(), endedBy });
      };
      timers.push(setTimeout(() => stop('max-length'), maxMs));
      // silence: no voice (or no audio at all) for silenceMs, watched on a tenth of that
      const silenceMs = opts?.silenceMs;
      if (silenceMs) {
        const watch = () => {
          if (performance.now() - lastVoice >= silenceMs) return stop('silence');
          timers.push(setTimeout(watch, Math.max(20, silenceMs / 10)));
        };
        timers.push(setTimeout(watch, Math.max(20, silenceMs / 10)));
      }
      this.recordStop = (by) => stop(by);
    });
  }

  hangup(): Promise<void> {
    return this.bye(this.call);
  }
}
