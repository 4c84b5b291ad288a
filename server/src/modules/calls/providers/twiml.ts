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
// voice URL is taken once, and an inbound call's CallSid starts one call only (claimed in the database, twiml-seen.ts: in
// every app process on it).
// The runner's pull model (play, then nextDigit) maps onto this push model so: a prompt that may be interrupted is
// held until the runner asks for a key, then sent as a Gather with that timeout; plain prompts go out with the next
// answer. Audio is served as 8 kHz µ-law WAV from our own URL.
// Beside it: twiml-call.ts (one call: the pull→push mapping), twiml-markup.ts (TwiML pieces), twiml-signature.ts
// (the webhooks' signature), twiml-routes.ts (the Fastify routes).
import { randomBytes } from 'node:crypto';
import type { CallProvider, CallSession, DialOptions, DialResult } from '../types';
import { ulawWav, wavToUlaw } from '../media/wav';
import { dispositionOf } from '../disposition';
import { TwimlCall } from './twiml-call';
import { validSignature } from './twiml-signature';

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
  /**
   * Claims an inbound CallSid: true the first time, false when it was answered before (a replay). The app passes one
   * shared by its processes through PostgreSQL (twiml-seen.ts); default: this process's memory, the newest 100,000.
   */
  claimInbound?: (callSid: string) => Promise<boolean>;
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

/** 10 minutes of 16-bit stereo 48 kHz and then some: no recording of ours is larger */
const MAX_RECORDING_BYTES = 120 * 1024 * 1024;
/** inbound CallSids already answered (a replayed inbound voice webhook starts nothing), the newest this many */
const SEEN_INBOUND = 100_000;

export class TwimlProvider implements CallProvider {
  readonly name = 'twiml';
  readonly maxChannels: number;
  private readonly calls = new Map<string, TwimlCall>();
  private readonly audio = new Map<string, Buffer>();
  private readonly dials = new Map<string, (r: DialResult) => void>();
  private inboundHandler: ((s: CallSession) => Promise<void>) | null = null;
  private readonly fetchFn: typeof fetch;

  private readonly claimInbound: (callSid: string) => Promise<boolean>;

  constructor(private readonly opts: TwimlOptions) {
    this.maxChannels = opts.maxChannels;
    this.fetchFn = opts.fetch ?? fetch;
    this.claimInbound = opts.claimInbound ?? this.claimInMemory;
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
  private readonly claimInMemory = async (callSid: string): Promise<boolean> => {
    if (this.seenInbound.has(callSid)) return false;
    this.seenInbound.add(callSid);
    if (this.seenInbound.size > SEEN_INBOUND) this.seenInbound.delete(this.seenInbound.values().next().value!);
    return true;
  };
  /** calls that ended here: their webhooks again are replays (a status callback is merely late) */
  private readonly endedTokens = new Set<string>();

  private inbound(params: Record<string, string>): Promise<string> {
    const handler = this.inboundHandler;
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
      if (!req.params.CallSid) return bad(400, 'CallSid missing');
      if (!(await this.claimInbound(req.params.CallSid))) return replay();
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
