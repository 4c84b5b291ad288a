// A simulated telephony provider: scripted personas answer, press keys, ring out, are busy, hang up mid-prompt,
// never press, or do not exist — on the dialer's clock (accelerated in the demo, tests and benchmark). It keeps
// what a test needs to check pacing: calls in progress at most, and when each call was placed.
import type { CallClock } from './clock';
import type { CallProvider, CallSession, DialOptions, DialResult } from './types';

export type PersonaKind = 'answers' | 'no-answer' | 'busy' | 'hangs-up' | 'silent' | 'invalid' | 'unreachable';

export interface Persona {
  kind: PersonaKind;
  /** keys pressed, one per question asked (a multi-key answer is several keys, e.g. '0','1',…,'#') */
  keys?: string[];
  /** ringing before the answer (or before busy / the 404) */
  ringMs?: number;
  /** how long the person takes to press a key after a question */
  reactionMs?: number;
  /** behave as `kind` only from this attempt on (1-based); before it, as `before` (e.g. busy, then answers) */
  from?: number;
  before?: PersonaKind;
}

/** Well: confirms identity (1), no symptom (2 to every other question). */
export const WELL: Persona = { kind: 'answers', keys: ['1', '2', '2', '2', '2', '1'] };
/** Confirms identity, has fever (1), nothing else. */
export const FEVERISH: Persona = { kind: 'answers', keys: ['1', '1', '2', '2', '2', '1'] };

/** The default persona of a number when none is set: a stable mix by the number's last two digits. */
export function defaultPersona(phone: string): Persona {
  const n = Number(phone.replace(/\D/g, '').slice(-2) || '0');
  if (n < 70) return WELL;
  if (n < 75) return FEVERISH;
  if (n < 85) return { kind: 'no-answer' };
  if (n < 90) return { kind: 'busy' };
  if (n < 94) return { kind: 'hangs-up' };
  if (n < 97) return { kind: 'silent' };
  return { kind: 'invalid' };
}

export interface SimulatedOptions {
  clock: CallClock;
  maxChannels?: number;
  personas?: Map<string, Persona> | ((phone: string) => Persona);
}

export class SimulatedProvider implements CallProvider {
  readonly name = 'simulated';
  readonly maxChannels: number;
  /** calls in progress now, and the most seen at once */
  active = 0;
  peak = 0;
  /** when each call was placed (clock time, ms) */
  readonly placed: number[] = [];
  /** attempts per number so far */
  readonly attempts = new Map<string, number>();
  private inbound: ((s: CallSession) => Promise<void>) | null = null;
  private seq = 0;

  constructor(private readonly o: SimulatedOptions) {
    this.maxChannels = o.maxChannels ?? 500;
  }

  async start() {}
  async close() {}

  onInbound(handler: (session: CallSession) => Promise<void>) {
    this.inbound = handler;
  }

  personaOf(phone: string): Persona {
    const p = this.o.personas;
    if (p instanceof Map) return p.get(phone) ?? defaultPersona(phone);
    return p ? p(phone) : defaultPersona(phone);
  }

  /** Simulate a call to the hotline from `callerId`; resolves when the handler finished. */
  async callIn(callerId: string, persona: Persona): Promise<void> {
    if (!this.inbound) throw new Error('no inbound handler');
    const s = new SimulatedSession(`sim-in-${++this.seq}`, callerId, 'inbound', this.o.clock, persona);
    try {
      await this.inbound(s);
    } finally {
      await s.hangup();
    }
  }

  async dial(to: string, opts: DialOptions): Promise<DialResult> {
    const clock = this.o.clock;
    if (this.active >= this.maxChannels) return { disposition: 'failed', sipCode: 503, reason: 'all channels busy' };
    this.active++;
    this.peak = Math.max(this.peak, this.active);
    this.placed.push(clock.now().getTime());
    const n = (this.attempts.get(to) ?? 0) + 1;
    this.attempts.set(to, n);
    const persona = this.personaOf(to);
    const kind = persona.from && n < persona.from ? (persona.before ?? 'no-answer') : persona.kind;
    const ring = persona.ringMs ?? 4000;
    const result = await this.place(to, kind, persona, ring, opts);
    if (result.session) void result.session.ended.then(() => this.active--);
    else this.active--;
    return result;
  }

  private async place(to: string, kind: PersonaKind, persona: Persona, ring: number, opts: DialOptions): Promise<DialResult> {
    const clock = this.o.clock;
    if (kind === 'invalid') {
      await clock.sleep(300);
      return { disposition: 'invalid-number', sipCode: 404, reason: 'Not Found' };
    }
    if (kind === 'unreachable') {
      await clock.sleep(2000);
      return { disposition: 'failed', sipCode: 503, reason: 'Service Unavailable' };
    }
    if (kind === 'busy') {
      await clock.sleep(Math.min(ring, 2000));
      return { disposition: 'busy', sipCode: 486, reason: 'Busy Here' };
    }
    const ringingAt = clock.now();
    if (kind === 'no-answer' || ring >= opts.ringTimeoutMs) {
      await clock.sleep(opts.ringTimeoutMs);
      return { disposition: 'no-answer', sipCode: 487, reason: 'Request Terminated (ring timeout, CANCEL sent)', ringingAt };
    }
    await clock.sleep(ring);
    const session = new SimulatedSession(`sim-${++this.seq}`, to, 'outbound', clock, { ...persona, kind });
    return { disposition: 'answered', sipCode: 200, ringingAt, answeredAt: session.answeredAt, session };
  }
}

class SimulatedSession implements CallSession {
  readonly answeredAt: Date;
  readonly ended: Promise<{ by: 'local' | 'remote'; at: Date }>;
  private end!: (v: { by: 'local' | 'remote'; at: Date }) => void;
  private over = false;
  private keys: string[];
  private plays = 0;

  constructor(
    readonly id: string,
    readonly remote: string,
    readonly direction: 'outbound' | 'inbound',
    private readonly clock: CallClock,
    private readonly persona: Persona,
  ) {
    this.answeredAt = clock.now();
    this.keys = [...(persona.keys ?? [])];
    this.ended = new Promise((r) => (this.end = r));
  }

  private finish(by: 'local' | 'remote') {
    if (this.over) return;
    this.over = true;
    this.end({ by, at: this.clock.now() });
  }

  async play(ulaw: Buffer): Promise<{ hungUp: boolean; interrupted: boolean }> {
    if (this.over) return { hungUp: true, interrupted: false };
    const ms = ulaw.length / 8; // 8000 bytes per second
    this.plays++;
    if (this.persona.kind === 'hangs-up' && this.plays >= 2) {
      await this.clock.sleep(ms / 2);
      this.finish('remote');
      return { hungUp: true, interrupted: false };
    }
    await this.clock.sleep(ms);
    return { hungUp: this.over, interrupted: false };
  }

  async nextDigit(timeoutMs: number): Promise<string | null> {
    if (this.over) return null;
    const key = this.persona.kind === 'silent' ? undefined : this.keys.shift();
    if (key === undefined) {
      await this.clock.sleep(timeoutMs);
      return null;
    }
    await this.clock.sleep(Math.min(this.persona.reactionMs ?? 1500, timeoutMs));
    return this.over ? null : key;
  }

  clearDigits() {}

  async hangup() {
    this.finish('local');
  }
}
