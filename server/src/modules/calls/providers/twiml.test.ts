// The TwiML webhook provider against a stand-in for Twilio that follows its documented shapes: the Calls.json REST
// call (Basic auth, form), signed webhooks (X-Twilio-Signature), <Play>/<Gather>/<Hangup> TwiML, status callbacks.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify, { type FastifyInstance } from 'fastify';
import { TwimlProvider } from './twiml';
import { gatheredKeys } from './twiml-markup';
import { twimlRoutes } from './twiml-routes';
import { twilioSignature, validSignature } from './twiml-signature';
import { runScript } from '../runner';
import { defaultScript } from '../default-scripts';

const SID = 'AC0123456789abcdef0123456789abcdef';
const TOKEN = 'test-auth-token';

interface FakeCall {
  sid: string;
  form: URLSearchParams;
  played: number;
  gathers: number;
}

/** Twilio, as far as its documents say: outcomes by number, keys the "person" presses per Gather. */
class FakeTwilio {
  server!: http.Server;
  base = '';
  calls: FakeCall[] = [];
  authHeaders: string[] = [];
  keys: string[] = [];
  signWith = TOKEN;

  async start() {
    this.server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        this.authHeaders.push(String(req.headers.authorization));
        const m = /^\/2010-04-01\/Accounts\/(AC\w+)\/Calls\.json$/.exec(req.url ?? '');
        if (req.method !== 'POST' || !m) return res.writeHead(404).end();
        const form = new URLSearchParams(body);
        const to = form.get('To') ?? '';
        if (to === '+000') {
          res.writeHead(400, { 'content-type': 'application/json' });
          return res.end(JSON.stringify({ code: 21211, message: "The 'To' number +000 is not a valid phone number.", status: 400 }));
        }
        const call: FakeCall = { sid: `CA${this.calls.length.toString().padStart(32, '0')}`, form, played: 0, gathers: 0 };
        this.calls.push(call);
        res.writeHead(201, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ sid: call.sid, account_sid: m[1], to, from: form.get('From'), status: 'queued', direction: 'outbound-api' }));
        void this.run(call, to);
      });
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', () => r()));
    this.base = `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
  }

  /** POST a signed webhook as Twilio does. */
  async hook(url: string, params: Record<string, string>): Promise<Response> {
    return fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilioSignature(this.signWith, url, params) },
      body: new URLSearchParams(params).toString(),
    });
  }

  private async run(call: FakeCall, to: string) {
    const status = call.form.get('StatusCallback')!;
    const common = { AccountSid: SID, CallSid: call.sid, To: to, From: call.form.get('From')!, Direction: 'outbound-api', ApiVersion: '2010-04-01' };
    await this.hook(status, { ...common, CallStatus: 'ringing' });
    if (to === '+84900000486') return void (await this.hook(status, { ...common, CallStatus: 'busy', SipResponseCode: '486' }));
    if (to === '+84900000480') return void (await this.hook(status, { ...common, CallStatus: 'no-answer' }));
    // answered: fetch TwiML, follow it until <Hangup/> or the end of the document
    let twiml = await (await this.hook(call.form.get('Url')!, { ...common, CallStatus: 'in-progress' })).text();
    for (let i = 0; i < 50; i++) {
      for (const src of [...twiml.matchAll(/<Play>([^<]+)<\/Play>/g)].map((x) => x[1]!.replace(/&amp;/g, '&'))) {
        const audio = await fetch(src);
        expect(audio.headers.get('content-type')).toBe('audio/wav');
        const wav = Buffer.from(await audio.arrayBuffer());
        expect(wav.toString('ascii', 0, 4)).toBe('RIFF');
        expect(wav.readUInt16LE(20)).toBe(7); // µ-law
        call.played++;
      }
      const gather = /<Gather [^>]*action="([^"]+)"/.exec(twiml);
      if (/<Hangup\/>/.test(twiml) || !gather) break;
      call.gathers++;
      twiml = await (await this.hook(gather[1]!.replace(/&amp;/g, '&'), { ...common, CallStatus: 'in-progress', Digits: this.keys.shift() ?? '' })).text();
    }
    await this.hook(status, { ...common, CallStatus: 'completed', CallDuration: '42' });
  }

  close() {
    return new Promise<void>((r) => this.server.close(() => r()));
  }
}

let twilio: FakeTwilio;
let app: FastifyInstance;
let provider: TwimlProvider;
let webhookBase: string;

beforeAll(async () => {
  twilio = new FakeTwilio();
  await twilio.start();
  app = Fastify();
  // the public URL is known only once we listen: the provider reads it through this object
  const late = { base: '' };
  provider = new TwimlProvider({
    accountSid: SID,
    authToken: TOKEN,
    apiBase: twilio.base,
    get webhookBase() {
      return late.base;
    },
    from: '+842873000000',
    maxChannels: 5,
  } as ConstructorParameters<typeof TwimlProvider>[0]);
  await app.register(twimlRoutes(provider), { prefix: '/api/calls/twiml' });
  await app.listen({ port: 0, host: '127.0.0.1' });
  webhookBase = `http://127.0.0.1:${(app.server.address() as { port: number }).port}/api/calls/twiml`;
  late.base = webhookBase;
});
afterAll(async () => {
  await provider.close();
  await app.close();
  await twilio.close();
});

const silence = async () => Buffer.alloc(800, 0xff);

describe('TwiML webhook provider', () => {
  it("Twilio's documented signature example validates; a changed parameter does not", () => {
    const url = 'https://mycompany.com/myapp.php?foo=1&bar=2';
    const params = { CallSid: 'CA1234567890ABCDE', Caller: '+12349013030', Digits: '1234', From: '+12349013030', To: '+18005551212' };
    expect(twilioSignature('12345', url, params)).toBe('0/KCTR6DLpKmkAf8muzZqo1nDgQ=');
    expect(validSignature('12345', '0/KCTR6DLpKmkAf8muzZqo1nDgQ=', url, params)).toBe(true);
    expect(validSignature('12345', '0/KCTR6DLpKmkAf8muzZqo1nDgQ=', url, { ...params, Digits: '1235' })).toBe(false);
    expect(validSignature('12345', undefined, url, params)).toBe(false);
  });

  it('a call is placed through Calls.json, answered by webhook, the script runs over Play/Gather, keys arrive, the call ends', async () => {
    twilio.keys = ['1', '2', '2', '1', '2', '1'];
    const r = await provider.dial('+84912345678', { ringTimeoutMs: 30_000 });
    expect(r).toMatchObject({ disposition: 'answered', sipCode: 200 });
    const call = twilio.calls.at(-1)!;
    expect(twilio.authHeaders.at(-1)).toBe(`Basic ${Buffer.from(`${SID}:${TOKEN}`).toString('base64')}`);
    expect(call.form.get('To')).toBe('+84912345678');
    expect(call.form.getAll('StatusCallbackEvent')).toEqual(['initiated', 'ringing', 'answered', 'completed']);
    expect(call.form.get('Timeout')).toBe('30');
    const result = await runScript(r.session!, defaultScript('daily-health-check')!, { render: silence, vars: { name: 'An' } });
    expect(result).toMatchObject({ outcome: 'completed', set: { symptomatic: true } });
    expect(result.answers).toEqual({ identity: '1', fever: '2', cough: '2', breathing: '1', taste_smell: '2', at_address: '1' });
    await r.session!.hangup();
    expect((await r.session!.ended).by).toBe('local');
    expect(call.gathers).toBe(6);
    await expect.poll(() => call.played).toBe(8); // hello, 6 questions, the goodbye (fetched after <Hangup/>)
  });

  it('busy, no-answer and an invalid number come back as dispositions', async () => {
    expect(await provider.dial('+84900000486', { ringTimeoutMs: 10_000 })).toMatchObject({ disposition: 'busy', sipCode: 486 });
    expect(await provider.dial('+84900000480', { ringTimeoutMs: 10_000 })).toMatchObject({ disposition: 'no-answer' });
    expect(await provider.dial('+000', { ringTimeoutMs: 10_000 })).toMatchObject({ disposition: 'invalid-number' });
  });

  /** An inbound call to the number, the caller answering each Gather with the next entry of `answers`; the Gathers seen. */
  async function callIn(callSid: string, answers: string[]) {
    const reports: { remote: string; direction: string; answers: Record<string, string>; outcome: string }[] = [];
    provider.onInbound(async (session) => {
      const r = await runScript(session, defaultScript('hotline-self-report-en')!, { render: silence });
      reports.push({ remote: session.remote, direction: session.direction, answers: r.answers, outcome: r.outcome });
    });
    const gathers: string[] = [];
    const common = { AccountSid: SID, CallSid: callSid, From: '+84912345678', To: '+842873000000', Direction: 'inbound', CallStatus: 'ringing' };
    let twiml = await (await twilio.hook(`${webhookBase}/voice`, common)).text();
    for (let i = 0; i < 40 && !/<Hangup\/>/.test(twiml); i++) {
      const gather = /<Gather [^>]*>/.exec(twiml)![0];
      gathers.push(gather);
      const action = /action="([^"]+)"/.exec(gather)![1]!.replace(/&amp;/g, '&');
      twiml = await (await twilio.hook(action, { ...common, CallStatus: 'in-progress', Digits: answers.shift() ?? '' })).text();
    }
    expect(twiml).toContain('<Hangup/>');
    return { reports, gathers };
  }

  it('inbound: a call to the number (voice URL without a call token) runs the hotline handler; the national id comes in one Gather', async () => {
    const { reports, gathers } = await callIn('CAinbound0001', ['001099012345', '2', '2', '1', '2']);
    expect(reports).toEqual([{ remote: '+84912345678', direction: 'inbound', outcome: 'completed', answers: { national_id: '001099012345', fever: '2', cough: '2', breathing: '1', taste_smell: '2' } }]);
    // five round trips for five answers: the 12-key id is one Gather (numDigits 12, finished early by '#')
    expect(gathers).toHaveLength(5);
    expect(gathers[0]).toMatch(/numDigits="12" finishOnKey="#"/);
    for (const g of gathers.slice(1)) expect(g).toMatch(/numDigits="1"/);
  });

  it('inbound: a shorter id ended by # (left out of Digits, as Twilio does) is the whole answer; an empty Gather asks again', async () => {
    const { reports, gathers } = await callIn('CAinbound0002', ['', '123456789', '1', '1', '1', '1']);
    expect(reports[0]).toMatchObject({ outcome: 'completed', answers: { national_id: '123456789', fever: '1', cough: '1', breathing: '1', taste_smell: '1' } });
    expect(gathers).toHaveLength(6);
    expect(gathers[1]).toMatch(/finishOnKey="#"/);
  });

  it('Digits as the runner reads them: the terminator added when the answer stopped short, junk dropped', () => {
    const id = { digits: '0123456789', terminator: '#', maxDigits: 12 };
    expect(gatheredKeys('123', id)).toEqual(['1', '2', '3', '#']);
    expect(gatheredKeys('001099012345', id)).toEqual([...'001099012345']);
    expect(gatheredKeys('', id)).toEqual([]);
    expect(gatheredKeys('12a', id)).toEqual([]);
    expect(gatheredKeys('1'.repeat(65), id)).toEqual([]);
    expect(gatheredKeys('27', null)).toEqual(['2']); // a one-key question takes the first
  });

  it('webhooks without a valid signature are refused 403; unknown calls are told to hang up; unknown audio is 404', async () => {
    const url = `${webhookBase}/voice?c=nope`;
    const unsigned = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'CallSid=CA1' });
    expect(unsigned.status).toBe(403);
    expect(((await unsigned.json()) as { error: { code: string } }).error.code).toBe('TWIML_WEBHOOK');
    twilio.signWith = 'another-token';
    expect((await twilio.hook(url, { CallSid: 'CA1' })).status).toBe(403);
    twilio.signWith = TOKEN;
    const stray = await twilio.hook(url, { CallSid: 'CA1' });
    expect(stray.status).toBe(200);
    expect(await stray.text()).toContain('<Hangup/>');
    expect((await fetch(`${webhookBase}/audio/${'0'.repeat(32)}-${'0'.repeat(12)}.wav`)).status).toBe(404);
    expect((await fetch(`${webhookBase}/audio/..%2F..%2Fetc%2Fpasswd`)).status).toBe(404);
  });
});
