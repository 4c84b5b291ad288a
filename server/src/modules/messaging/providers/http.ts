// HTTP SMS provider, in the shape of Vietnamese brandname-SMS gateways (documented in README "SMS"):
//   POST $VIGIL_SMS_HTTP_URL   Authorization: Bearer $VIGIL_SMS_HTTP_TOKEN
//   {"to":"84912345678","from":"VIGIL","text":"…","unicode":true,"ref":"123"}
//   200 {"code":"00","message_id":"…","parts":2}   (the gateway splits long texts itself)
//   200 {"code":"<other>","message":"…"}: refused; code "99" (busy) and HTTP 429/5xx are retried, the rest final.
// Receipts come back to POST /api/sms/http-receipts {"message_id":"…","status":"DELIVRD|UNDELIV|EXPIRED|REJECTD"}
// with the same token in the header X-SMS-Gateway-Token; see routes.ts.
import { EventEmitter } from 'node:events';
import { codingOf } from '../text';
import type { OutgoingSms, ProviderState, SendResult, SmsError, SmsProvider } from './types';

export class HttpSmsProvider extends EventEmitter implements SmsProvider {
  readonly name = 'http' as const;
  private last = 'ready';
  constructor(private readonly opts: { url: string; token?: string; source: string; timeoutMs?: number }) {
    super();
  }
  state(): ProviderState {
    return { ready: true, detail: this.last };
  }
  async send(sms: OutgoingSms): Promise<SendResult> {
    if (sms.skipParts?.includes(0)) return { parts: 1, results: [], outcome: 'accepted' }; // one request per text: accepted before
    const fail = (error: SmsError): SendResult => {
      this.last = `last error ${error.code}`;
      return { parts: 1, results: [{ index: 0, error }], outcome: error.retry ? 'retry' : 'failed', error };
    };
    let res: Response;
    try {
      res = await fetch(this.opts.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(this.opts.token ? { authorization: `Bearer ${this.opts.token}` } : {}) },
        body: JSON.stringify({ to: sms.to.replace(/^\+/, ''), from: this.opts.source, text: sms.text, unicode: codingOf(sms.text) === 'ucs2', ref: String(sms.reference ?? '') }),
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? 10_000),
      });
    } catch (err) {
      return fail({ code: 'HTTP_UNREACHABLE', message: (err as Error).name === 'TimeoutError' ? 'gateway did not answer in time' : 'gateway unreachable', retry: true });
    }
    if (res.status === 429 || res.status >= 500) return fail({ code: `HTTP_${res.status}`, message: `gateway answered ${res.status}`, retry: true });
    const body = (await res.json().catch(() => null)) as { code?: string; message_id?: string; parts?: number; message?: string } | null;
    if (!res.ok || !body) return fail({ code: `HTTP_${res.status}`, message: `gateway answered ${res.status}`, retry: false });
    if (body.code !== '00' || !body.message_id) return fail({ code: `GW_${body.code ?? 'UNKNOWN'}`, message: String(body.message ?? 'refused').slice(0, 200), retry: body.code === '99' });
    this.last = 'ready';
    return { parts: Number(body.parts ?? 1), results: [{ index: 0, messageId: body.message_id }], outcome: 'accepted' };
  }
  async close(): Promise<void> {}
}
