// A Twilio-style webhook provider (TwiML). The call is placed with the REST API
//   POST {apiBase}/2010-04-01/Accounts/{AccountSid}/Calls.json  (Basic auth AccountSid:AuthToken, form: To, From,
//   Url, StatusCallback, StatusCallbackEvent=initiated|ringing|answered|completed, Timeout) → 201 {"sid":"CA…"}
// and then driven by the provider's webhooks, each answered with TwiML:
//   - Url (voice): the call was answered → <Play> the prompts, <Gather input="dtmf"> around a question's prompt,
//     whose action brings the keys (`Digits`, empty when none) and waits for what comes next. A one-key question
//     gathers numDigits="1"; a multi-key answer (a national id up to '#') is gathered in one round trip with
//     numDigits = its longest length (absent when unbounded) and finishOnKey = its terminator: Twilio leaves the
//     finishing key out of `Digits`, so the keys are handed to the runner followed by the terminator;
//   - StatusCallback: CallStatus ringing | in-progress | completed | busy | no-answer | failed | canceled (and
//     SipResponseCode when the provider gives it) → the dial's disposition, or the end of an answered call.
//   - a <Record>'s action (`recorded`): RecordingUrl, RecordingDuration, Digits ('#', 'hangup' or none) → the
//     recording is fetched from RecordingUrl (only under the account's own Recordings on the API base, with Basic
//     auth: HTTP basic authentication on media may be on) and handed to the hotline as 8 kHz µ-law.
// Every webhook must carry a valid X-Twilio-Signature: base64 HMAC-SHA1, keyed by the auth token, of the full URL
// followed by the POST parameters sorted by name (name+value, no separators); others get 403. A signature has no
// time in it, so a captured request stays valid: replays are refused (403 REPLAYED) by what the request answers —
// each Gather/Record action URL carries a one-time sequence number (signed with the URL), an outbound call's
// voice URL is taken once, and an inbound call's CallSid starts one call only.
// The runner's pull model (play, then nextDigit) maps onto this push model so: a prompt that may be interrupted is
// held until the runner asks for a key, then sent as a Gather with that timeout; plain prompts go out with the next
// answer. Audio is served as 8 kHz µ-law WAV from our own URL.
import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { CallProvider, CallSession, DialOptions, DialResult, KeyExpectation, Recording } from '../types';
import { wavToUlaw } from '../media/wav';
import { dispositionOf } from '../sip/ua';

export interface TwimlOptions {
  accountSid: string;
  authToken: string;
  /** the REST API base, e.g. https://api.twilio.com */
  apiBase: string;
  /** our public base URL for webhooks and audio, e.g. https://vigil.example.vn/api/calls/twiml */
  webhookBase: string;
  /** caller id (a number of the account) */
  from: string;
  maxChannels: number;
  /** how long a recording may take to become available at its RecordingUrl (404 until then); default 10 s */
  recordingWaitMs?: number;
  fetch?: typeof fetch;
}

export interface WebhookRequest {
  /** the path after webhookBase: 'voice', 'gather', 'status' */
  kind: string;
  /** the query string's parameters (our call token) */
  query: Record<string, string>;
  /** the POSTed form */
  params: Record<string, string>;
  /** X-Twilio-Signature */
  signature: string | undefined;
  /** the full URL the provider called (scheme, host, path, query) */
  url: string;
}

export interface WebhookResponse {
  status: number;
  contentType: string;
  body: string | Buffer;
}

/** Twilio's request signature. */
export function twilioSignature(authToken: string, url: string, params: Record<string, string>): string {
  const data = url + Object.keys(params).sort().map((k) => k + params[k]).join('');
  return createHmac('sha1', authToken).update(data, 'utf8').digest('base64');
}

export function validSignature(authToken: string, signature: string | undefined, url: string, params: Record<string, string>): boolean {
  if (!signature) return false;
  const want = Buffer.from(twilioSignature(authToken, url, params));
  const got = Buffer.from(signature);
  return want.length === got.length && timingSafeEqual(want, got);
}

/** 10 minutes of 16-bit stereo 48 kHz and then some: no recording of ours is larger */
const MAX_RECORDING_BYTES = 120 * 1024 * 1024;
/** inbound CallSids already answered (a replayed inbound voice webhook starts nothing), the newest this many */
const SEEN_INBOUND = 100_000;

const xml = (s: string) => s.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!);

/** A µ-law 8 kHz mono WAV around raw µ-law samples. */
export function ulawWav(ulaw: Buffer): Buffer {
  const h = Buffer.alloc(58);
  h.write('RIFF', 0);
  h.writeUInt32LE(50 + ulaw.length, 4);
  h.write('WAVE', 8);
  h.write('fmt ', 12);
  h.writeUInt32LE(18, 16);
  h.writeUInt16LE(7, 20); // WAVE_FORMAT_MULAW
  h.writeUInt16LE(1, 22);
  h.writeUInt32LE(8000, 24);
  h.writeUInt32LE(8000, 28);
  h.writeUInt16LE(1, 32);
  h.writeUInt16LE(8, 34);
  h.writeUInt16LE(0, 36);
  h.write('fact', 38);
  h.writeUInt32LE(4, 42);
  h.writeUInt32LE(ulaw.length, 46);
  h.write('data', 50);
  h.writeUInt32LE(ulaw.length, 54);
  return Buffer.concat([h, ulaw]);
}

/** numDigits/finishOnKey of a Gather for a question: one key, or a multi-key answer in one round trip. */
export function gatherAttributes(expect: KeyExpectation | undefined): string {
  if (!expect?.terminator) {
    // one key; '#' (Twilio's default finishOnKey) may be an answer, so no key finishes this Gather
    return `input="dtmf" numDigits="1"${expect?.digits.includes('#') ? ' finishOnKey=""' : ''}`;
  }
  return `input="dtmf"${expect.maxDigits ? ` numDigits="${expect.maxDigits}"` : ''} finishOnKey="${xml(expect.terminator)}"`;
}

/**
 * The keys of a Gather's `Digits` as the runner reads them one by one: only DTMF characters, at most 64; for a
 * multi-key answer shorter than its longest length, followed by the terminator (pressed, and left out by Twilio, or
 * the caller stopped: either way the answer is complete).
 */
export function gatheredKeys(digits: string, expect: KeyExpectation | null): string[] {
  if (!/^[0-9*#]{0,64}$/.test(digits)) return [];
  const keys = [...digits];
  if (!expect) return keys.slice(0, 1);
  if (keys.length > 0 && expect.terminator && !(expect.maxDigits && keys.length >= expect.maxDigits)) keys.push(expect.terminator);
  return keys;
}

interface Pending {
  resolve: (twiml: string) => void;
}

class TwimlCall implements CallSession {
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

export class TwimlProvider implements CallProvider {
  readonly name = 'twiml';
  readonly maxChannels: number;
  private readonly calls = new Map<string, TwimlCall>();
  private readonly audio = new Map<string, Buffer>();
  private readonly dials = new Map<string, (r: DialResult) => void>();
  private inboundHandler: ((s: CallSession) => Promise<void>) | null = null;
  private readonly fetchFn: typeof fetch;

  constructor(private readonly opts: TwimlOptions) {
    this.maxChannels = opts.maxChannels;
    this.fetchFn = opts.fetch ?? fetch;
  }

  async start(): Promise<void> {}

  async close(): Promise<void> {
    await Promise.all([...this.calls.values()].map((c) => c.hangup().catch(() => {})));
  }

  /** Calls to the account's number whose voice URL is `{webhookBase}/voice` (no call token) come here. */
  onInbound(handler: (session: CallSession) => Promise<void>): void {
    this.inboundHandler = handler;
  }

  private readonly seenInbound = new Set<string>();
  /** calls that ended here: their webhooks again are replays (a status callback is merely late) */
  private readonly endedTokens = new Set<string>();

  private inbound(params: Record<string, string>): Promise<string> {
    const handler = this.inboundHandler;
    if (params.CallSid) {
      this.seenInbound.add(params.CallSid);
      if (this.seenInbound.size > SEEN_INBOUND) this.seenInbound.delete(this.seenInbound.values().next().value!);
    }
    if (!handler || this.calls.size >= this.maxChannels) {
      return Promise.resolve('<?xml version="1.0" encoding="UTF-8"?><Response><Reject reason="busy"/></Response>');
    }
    const token = randomBytes(16).toString('hex');
    const caller = (params.From ?? params.Caller ?? 'anonymous').replace(/^client:/, '');
    const call = new TwimlCall(token, caller, this, 'inbound');
    call.sid = params.CallSid ?? '';
    call.voiceTaken = true;
    this.calls.set(token, call);
    const twiml = call.onRequest('voice', params);
    void (async () => {
      try {
        await handler(call);
      } catch {
        /* the handler's own failure: the call still ends */
      } finally {
        await call.hangup();
      }
    })();
    return twiml;
  }

  /** the public URL the webhooks are signed against */
  get webhookBase(): string {
    return this.opts.webhookBase;
  }

  url(kind: string, token: string, seq?: string): string {
    return `${this.opts.webhookBase}/${kind}?c=${token}${seq ? `&n=${seq}` : ''}`;
  }

  /**
   * A recording of this account (RecordingUrl of a <Record> action) as 8 kHz µ-law: fetched only from the account's
   * Recordings under the API base (the credentials go nowhere else), retried while it is not yet available (404),
   * bounded in size.
   */
  async fetchRecording(recordingUrl: string): Promise<Buffer | null> {
    const prefix = `${this.opts.apiBase}/2010-04-01/Accounts/${this.opts.accountSid}/Recordings/`;
    if (!recordingUrl.startsWith(prefix) || !/^RE[0-9a-zA-Z]{1,64}(\.wav)?$/.test(recordingUrl.slice(prefix.length))) return null;
    const url = recordingUrl.endsWith('.wav') ? recordingUrl : `${recordingUrl}.wav`;
    const deadline = Date.now() + (this.opts.recordingWaitMs ?? 10_000);
    for (let pauseMs = 200; ; pauseMs = Math.min(2000, pauseMs * 2)) {
      const res = await this.fetchFn(url, { headers: { authorization: this.auth() }, signal: AbortSignal.timeout(30_000) });
      if (res.status === 404 && Date.now() + pauseMs < deadline) {
        await res.body?.cancel();
        await new Promise((r) => setTimeout(r, pauseMs));
        continue;
      }
      if (!res.ok || Number(res.headers.get('content-length') ?? 0) > MAX_RECORDING_BYTES) {
        await res.body?.cancel();
        return null;
      }
      const body = Buffer.from(await res.arrayBuffer());
      return body.length > MAX_RECORDING_BYTES ? null : wavToUlaw(body);
    }
  }

  audioUrl(call: TwimlCall, ulaw: Buffer): string {
    const id = `${call.token}-${randomBytes(6).toString('hex')}`;
    this.audio.set(id, ulaw);
    return `${this.opts.webhookBase}/audio/${id}.wav`;
  }

  release(call: TwimlCall): void {
    this.calls.delete(call.token);
    this.endedTokens.add(call.token);
    if (this.endedTokens.size > SEEN_INBOUND) this.endedTokens.delete(this.endedTokens.values().next().value!);
    // the provider may still fetch the last prompts (the goodbye sent with <Hangup/>): keep them a while
    const t = setTimeout(() => {
      for (const k of [...this.audio.keys()]) if (k.startsWith(`${call.token}-`)) this.audio.delete(k);
    }, 5 * 60_000);
    t.unref();
  }

  private auth(): string {
    return `Basic ${Buffer.from(`${this.opts.accountSid}:${this.opts.authToken}`).toString('base64')}`;
  }

  private callsUrl(sid?: string): string {
    return `${this.opts.apiBase}/2010-04-01/Accounts/${encodeURIComponent(this.opts.accountSid)}/Calls${sid ? `/${encodeURIComponent(sid)}` : ''}.json`;
  }

  async endCall(call: TwimlCall): Promise<void> {
    if (!call.sid) return;
    await this.fetchFn(this.callsUrl(call.sid), {
      method: 'POST',
      headers: { authorization: this.auth(), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ Status: 'completed' }).toString(),
    }).catch(() => {});
  }

  async dial(to: string, opts: DialOptions): Promise<DialResult> {
    if (this.calls.size >= this.maxChannels) return { disposition: 'failed', sipCode: null, reason: 'all channels busy' };
    const number = to.replace(/[\s().-]/g, '');
    if (!/^\+?\d{3,20}$/.test(number) && !/^sip:/i.test(to)) return { disposition: 'invalid-number', sipCode: null, reason: 'not a phone number or SIP URI' };
    const token = randomBytes(16).toString('hex');
    const call = new TwimlCall(token, to, this);
    this.calls.set(token, call);
    const body = new URLSearchParams({
      To: number,
      From: opts.callerId ?? this.opts.from,
      Url: this.url('voice', token),
      Method: 'POST',
      StatusCallback: this.url('status', token),
      StatusCallbackMethod: 'POST',
      Timeout: String(Math.max(5, Math.min(600, Math.round(opts.ringTimeoutMs / 1000)))),
    });
    for (const e of ['initiated', 'ringing', 'answered', 'completed']) body.append('StatusCallbackEvent', e);
    const result = new Promise<DialResult>((resolve) => this.dials.set(token, resolve));
    let res: Response;
    try {
      res = await this.fetchFn(this.callsUrl(), { method: 'POST', headers: { authorization: this.auth(), 'content-type': 'application/x-www-form-urlencoded' }, body: body.toString(), signal: opts.signal });
    } catch (e) {
      this.dials.delete(token);
      call.markEnded('local');
      return { disposition: 'failed', sipCode: null, reason: `provider unreachable: ${(e as Error).message}` };
    }
    const json = (await res.json().catch(() => ({}))) as { sid?: string; message?: string; code?: number };
    if (res.status !== 201 && res.status !== 200) {
      this.dials.delete(token);
      call.markEnded('local');
      // 400 with code 21211/21214/21217: the number is invalid
      const invalid = res.status === 400 && [21211, 21214, 21217, 13223, 13224].includes(Number(json.code));
      return { disposition: invalid ? 'invalid-number' : 'failed', sipCode: null, reason: `provider answered ${res.status}${json.message ? `: ${json.message}` : ''}` };
    }
    call.sid = json.sid ?? '';
    const timer = setTimeout(() => this.finishDial(token, { disposition: 'no-answer', sipCode: null, reason: 'no status from the provider' }), opts.ringTimeoutMs + 60_000);
    const r = await result;
    clearTimeout(timer);
    return r;
  }

  private finishDial(token: string, r: DialResult): void {
    const resolve = this.dials.get(token);
    if (!resolve) return;
    this.dials.delete(token);
    if (!r.session) this.calls.get(token)?.markEnded('remote');
    resolve(r);
  }

  /** A webhook from the provider (mounted by the module's routes under webhookBase). */
  async handle(req: WebhookRequest): Promise<WebhookResponse> {
    const bad = (status: number, msg: string): WebhookResponse => ({ status, contentType: 'application/json', body: JSON.stringify({ error: { code: 'TWIML_WEBHOOK', message: msg, details: {} } }) });
    if (!validSignature(this.opts.authToken, req.signature, req.url, req.params)) return bad(403, 'bad or missing X-Twilio-Signature');
    const replay = (): WebhookResponse => ({ status: 403, contentType: 'application/json', body: JSON.stringify({ error: { code: 'REPLAYED', message: 'this webhook request was already answered', details: {} } }) });
    if (req.kind === 'voice' && !req.query.c) {
      if (!req.params.CallSid || this.seenInbound.has(req.params.CallSid)) return req.params.CallSid ? replay() : bad(400, 'CallSid missing');
      return { status: 200, contentType: 'text/xml', body: await this.inbound(req.params) };
    }
    const call = this.calls.get(req.query.c ?? '');
    if (!call && req.kind !== 'status' && this.endedTokens.has(req.query.c ?? '')) return replay();
    if (!call || (req.params.CallSid && call.sid && req.params.CallSid !== call.sid)) {
      // a call we do not know (ended, or never ours): tell the provider to hang up
      return req.kind === 'status' ? { status: 204, contentType: 'text/plain', body: '' } : { status: 200, contentType: 'text/xml', body: '<?xml version="1.0" encoding="UTF-8"?><Response><Hangup/></Response>' };
    }
    if (req.kind === 'status') {
      const status = req.params.CallStatus ?? '';
      const sipCode = /^\d{3}$/.test(req.params.SipResponseCode ?? '') ? Number(req.params.SipResponseCode) : null;
      if (status === 'completed' || status === 'busy' || status === 'no-answer' || status === 'failed' || status === 'canceled') {
        if (this.dials.has(call.token)) {
          const disposition = status === 'busy' ? 'busy' : status === 'no-answer' || status === 'canceled' ? 'no-answer' : sipCode ? dispositionOf(sipCode) : 'failed';
          this.finishDial(call.token, { disposition, sipCode, reason: `provider status ${status}` });
        } else call.markEnded(call.hungUpLocally ? 'local' : 'remote');
      }
      return { status: 204, contentType: 'text/plain', body: '' };
    }
    if (req.kind === 'voice' || req.kind === 'gather' || req.kind === 'recorded') {
      if (req.kind === 'voice') {
        if (call.voiceTaken || !this.dials.has(call.token)) return replay();
        call.voiceTaken = true;
      } else {
        // the one action this call waits for: an older (answered) one, or one never asked, is a replay
        if (!req.query.n || req.query.n !== call.pendingSeq) return replay();
        call.pendingSeq = null;
      }
      if (req.kind === 'voice') {
        call.answeredAt = new Date();
        const twiml = call.onRequest('voice', req.params);
        this.finishDial(call.token, { disposition: 'answered', sipCode: 200, session: call, answeredAt: call.answeredAt });
        return { status: 200, contentType: 'text/xml', body: await twiml };
      }
      return { status: 200, contentType: 'text/xml', body: await call.onRequest(req.kind, req.params) };
    }
    return bad(404, `unknown webhook ${req.kind}`);
  }

  /** GET {webhookBase}/audio/<id>.wav: the prompt audio (ids are random and live as long as their call). */
  audioFile(id: string): Buffer | null {
    const a = this.audio.get(id.replace(/\.wav$/, ''));
    return a ? ulawWav(a) : null;
  }
}

/**
 * Fastify routes for the webhooks under `prefix` (mounted by the module; `webhookBase` must be the public URL of
 * this prefix). Public by nature (the provider calls them), authenticated by the request signature, bounded bodies.
 */
export function twimlRoutes(provider: TwimlProvider, o: { perMinute?: number } = {}) {
  // public (the provider has no session), limited per client address: the provider's own addresses carry every call
  const config = { public: true, rateLimit: { max: o.perMinute ?? 6000, timeWindow: '1 minute' } };
  return async (app: import('fastify').FastifyInstance) => {
    if (!app.hasContentTypeParser('application/x-www-form-urlencoded'))
      app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 64 * 1024 }, (_req, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(String(body))));
    });
    app.get<{ Params: { id: string } }>('/audio/:id', { config, schema: { hide: true } }, async (req, reply) => {
      const wav = /^[0-9a-f]{32}-[0-9a-f]{12}\.wav$/.test(req.params.id) ? provider.audioFile(req.params.id) : null;
      if (!wav) return reply.code(404).send({ error: { code: 'NOT_FOUND', message: 'no such prompt', details: { field: 'id' } } });
      return reply.type('audio/wav').send(wav);
    });
    app.post<{ Params: { kind: string }; Querystring: Record<string, string>; Body: Record<string, string> }>('/:kind', { config, bodyLimit: 64 * 1024, schema: { hide: true } }, async (req, reply) => {
      const q = req.url.indexOf('?');
      const r = await provider.handle({
        kind: req.params.kind,
        query: req.query ?? {},
        params: req.body && typeof req.body === 'object' ? req.body : {},
        signature: req.headers['x-twilio-signature'] as string | undefined,
        url: `${provider.webhookBase}/${req.params.kind}${q >= 0 ? req.url.slice(q) : ''}`,
      });
      return reply.code(r.status).type(r.contentType).send(r.body);
    });
  };
}
