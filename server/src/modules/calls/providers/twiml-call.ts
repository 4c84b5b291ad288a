// One call through the TwiML provider: the runner's pull model (play, then nextDigit / record) mapped onto the
// provider's push model (each webhook waits for the TwiML that says what comes next). See twiml.ts.
import { randomBytes, randomUUID } from 'node:crypto';
import type { CallSession, KeyExpectation, Recording } from '../types';
import { gatherAttributes, gatheredKeys, xml } from './twiml-markup';
import type { TwimlProvider } from './twiml';

interface Pending {
  resolve: (twiml: string) => void;
}

export class TwimlCall implements CallSession {
  readonly id = randomUUID();
  answeredAt = new Date();
  sid = '';
  readonly ended: Promise<{ by: 'local' | 'remote'; at: Date }>;
  endedResolve!: (v: { by: 'local' | 'remote'; at: Date }) => void;
  isEnded = false;
  hungUpLocally = false;
  /** the provider's webhook waiting for its TwiML */
  request: Pending | null = null;
  requestArrived: (() => void) | null = null;
  /** verbs to send with the next answer */
  verbs: string[] = [];
  /** prompts that a key may interrupt: sent inside the next Gather */
  gatherPlays: string[] = [];
  digitWaiter: ((d: string | null) => void) | null = null;
  /** keys of the last Gather not yet taken by the runner (a multi-key answer) */
  keys: string[] = [];
  /** what the pending Gather asked for */
  gathering: KeyExpectation | null = null;
  answered: ((ok: boolean) => void) | null = null;
  /** the sequence number of the one Gather/Record action this call waits for (a replayed older one is refused) */
  pendingSeq: string | null = null;
  private seq = 0;
  /** the voice URL was taken (answered): a second one is a replay */
  voiceTaken = false;
  recordWaiter: ((params: Record<string, string> | null) => void) | null = null;

  constructor(
    readonly token: string,
    readonly remote: string,
    private readonly provider: TwimlProvider,
    readonly direction: 'outbound' | 'inbound' = 'outbound',
  ) {
    this.ended = new Promise((r) => (this.endedResolve = r));
  }

  markEnded(by: 'local' | 'remote') {
    if (this.isEnded) return;
    this.isEnded = true;
    this.endedResolve({ by, at: new Date() });
    this.digitWaiter?.(null);
    this.digitWaiter = null;
    this.recordWaiter?.(null);
    this.recordWaiter = null;
    this.requestArrived?.();
    this.provider.release(this);
  }

  /** Answer the waiting webhook with what is queued (plus `more`). */
  private flush(more = ''): void {
    const body = `<?xml version="1.0" encoding="UTF-8"?><Response>${this.verbs.join('')}${more}</Response>`;
    this.verbs = [];
    const req = this.request;
    this.request = null;
    req?.resolve(body);
  }

  private async waitForRequest(): Promise<boolean> {
    while (!this.request && !this.isEnded) await new Promise<void>((r) => (this.requestArrived = r));
    return !this.isEnded;
  }

  async play(ulaw: Buffer, opts?: { bargeIn?: boolean }) {
    if (this.isEnded) return { hungUp: true, interrupted: false };
    const url = this.provider.audioUrl(this, ulaw);
    if (opts?.bargeIn) this.gatherPlays.push(`<Play>${xml(url)}</Play>`);
    else this.verbs.push(...this.gatherPlays.splice(0), `<Play>${xml(url)}</Play>`);
    // the provider plays it when it gets this answer: for the runner, it is "sent"
    return { hungUp: false, interrupted: false };
  }

  async nextDigit(timeoutMs: number, expect?: KeyExpectation): Promise<string | null> {
    // the rest of a multi-key answer came with the last Gather; once it is taken, the answer is over
    if (this.keys.length) return this.keys.shift()!;
    if (this.gathering && !expect) {
      this.gathering = null;
      return null;
    }
    if (!(await this.waitForRequest())) return null;
    const secs = Math.max(1, Math.ceil(timeoutMs / 1000));
    const action = this.provider.url('gather', this.token, this.nextSeq());
    const digit = new Promise<string | null>((r) => (this.digitWaiter = r));
    this.gathering = expect?.terminator ? expect : null;
    this.flush(`<Gather ${gatherAttributes(expect)} timeout="${secs}" action="${xml(action)}" method="POST" actionOnEmptyResult="true">${this.gatherPlays.splice(0).join('')}</Gather>`);
    return digit;
  }

  private nextSeq(): string {
    this.pendingSeq = `${++this.seq}${randomBytes(4).toString('hex')}`;
    return this.pendingSeq;
  }

  /**
   * A voice message: <Record> (the beep is the hotline's own, played before), until '#', `silenceMs` of silence,
   * `maxMs` or hang-up; the recording is fetched from the provider once its action reports it.
   */
  async record(maxMs: number, opts?: { silenceMs?: number }): Promise<Recording> {
    const none: Recording = { ulaw: Buffer.alloc(0), endedBy: 'hangup' };
    this.keys = [];
    this.gathering = null;
    if (!(await this.waitForRequest())) return none;
    const maxS = Math.max(1, Math.ceil(maxMs / 1000));
    const timeoutS = Math.max(1, Math.ceil((opts?.silenceMs ?? 5000) / 1000));
    const action = this.provider.url('recorded', this.token, this.nextSeq());
    const done = new Promise<Record<string, string> | null>((r) => (this.recordWaiter = r));
    this.verbs.push(...this.gatherPlays.splice(0));
    this.flush(`<Record action="${xml(action)}" method="POST" maxLength="${maxS}" timeout="${timeoutS}" finishOnKey="#" playBeep="false" trim="trim-silence"/>`);
    const p = await done;
    if (!p) return none;
    const digits = p.Digits ?? '';
    const endedBy: Recording['endedBy'] = digits === 'hangup' ? 'hangup' : digits === '#' ? 'key' : Number(p.RecordingDuration) >= maxS ? 'max-length' : 'silence';
    const ulaw = p.RecordingUrl ? await this.provider.fetchRecording(p.RecordingUrl).catch(() => null) : null;
    return { ulaw: ulaw ?? Buffer.alloc(0), endedBy };
  }

  clearDigits(): void {
    // keys only count inside a Gather: only the unused rest of the last one's can be queued
    this.keys = [];
    this.gathering = null;
  }

  async hangup(): Promise<void> {
    if (this.isEnded) return;
    this.hungUpLocally = true;
    if (this.request) {
      this.verbs.push(...this.gatherPlays.splice(0));
      this.flush('<Hangup/>');
      this.markEnded('local');
      return;
    }
    await this.provider.endCall(this);
    this.markEnded('local');
  }

  /** A webhook of this call arrived: the voice URL (answered) or a Gather's action. */
  onRequest(kind: string, params: Record<string, string>): Promise<string> {
    if (this.request) this.flush(); // a retried webhook: answer the older one empty
    const twiml = new Promise<string>((resolve) => (this.request = { resolve }));
    this.requestArrived?.();
    this.requestArrived = null;
    if (kind === 'voice') this.answered?.(true);
    if (kind === 'recorded') {
      const w = this.recordWaiter;
      this.recordWaiter = null;
      w?.(params);
    }
    if (kind === 'gather') {
      const w = this.digitWaiter;
      this.digitWaiter = null;
      const keys = gatheredKeys(params.Digits ?? '', this.gathering);
      this.keys = keys.slice(1);
      w?.(keys[0] ?? null);
    }
    return twiml;
  }
}
