// SMPP 3.4 client (the carriers' protocol) on npm `smpp`, which parses and writes PDUs and keeps the sequence numbers.
// What the library does not do, and is written here: bind_transceiver and its failures, enquire_link keep-alive with a
// response deadline, reconnect with exponential backoff, a window of outstanding submit_sm, throttling to the
// provider's messages per second (and a pause when it answers ESME_RTHROTTLED), long texts split into concatenated
// parts (text.ts), delivery receipts and inbound texts (STOP) from deliver_sm, and error codes mapped to retry / give up.
import { EventEmitter } from 'node:events';
import smpp, { type PDU, type Session } from 'smpp';
import { concatUdh, splitText } from '../text';
import { outcomeOf, type InboundSms, type OutgoingSms, type PartResult, type ProviderState, type Receipt, type ReceiptState, type SendResult, type SmsError, type SmsProvider } from './types';

export interface SmppOptions {
  /** smpp://system_id:password@host:port */
  url: string;
  /** source address: a brandname (alphanumeric) or a number */
  source: string;
  /** messages (parts) per second the provider allows */
  tps: number;
  /** submit_sm in flight at most */
  window: number;
  enquireLinkSeconds?: number;
  /** a response (bind, submit, enquire_link) later than this counts as lost */
  responseTimeoutMs?: number;
  reconnectMinMs?: number;
  reconnectMaxMs?: number;
  log: { info(o: object, m: string): void; warn(o: object, m: string): void };
}

/** Answers that a later attempt may turn into success; every other error status is final for that message. */
const RETRYABLE = new Set([
  'ESME_RTHROTTLED',
  'ESME_RMSGQFUL',
  'ESME_RSYSERR',
  'ESME_RINVBNDSTS',
  'ESME_RSUBMITFAIL',
  'ESME_RX_T_APPN',
  'ESME_RX_P_APPN',
  'ESME_RUNKNOWNERR',
]);
const ERROR_NAMES = new Map<number, string>(Object.entries(smpp.errors).map(([name, code]) => [code, name]));
const RECEIPT_STATES: Record<string, ReceiptState> = {
  DELIVRD: 'delivered',
  ACCEPTD: 'enroute',
  ENROUTE: 'enroute',
  UNDELIV: 'failed',
  EXPIRED: 'failed',
  REJECTD: 'failed',
  DELETED: 'failed',
  UNKNOWN: 'failed',
};
const STATE_BY_NUMBER: Record<number, string> = { 1: 'ENROUTE', 2: 'DELIVRD', 3: 'EXPIRED', 4: 'DELETED', 5: 'UNDELIV', 6: 'ACCEPTD', 7: 'UNKNOWN', 8: 'REJECTD' };

export function parseSmppUrl(url: string): { host: string; port: number; systemId: string; password: string } {
  const u = new URL(url);
  if (u.protocol !== 'smpp:') throw new Error('VIGIL_SMPP_URL must look like smpp://system_id:password@host:port');
  return { host: u.hostname, port: Number(u.port || 2775), systemId: decodeURIComponent(u.username), password: decodeURIComponent(u.password) };
}

export function smppError(status: number): SmsError {
  const code = ERROR_NAMES.get(status) ?? `0x${status.toString(16).padStart(4, '0')}`;
  return { code, message: `SMSC answered ${code}`, retry: RETRYABLE.has(code) };
}

const e164 = (addr: string, ton: number) => (ton === 1 || /^84\d{8,10}$/.test(addr) ? `+${addr.replace(/^\+/, '')}` : addr);

export class SmppProvider extends EventEmitter implements SmsProvider {
  readonly name = 'smpp' as const;
  private readonly target: ReturnType<typeof parseSmppUrl>;
  private session: Session | null = null;
  private bound = false;
  private closed = false;
  private detail = 'connecting';
  private failures = 0;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private enquireTimer: NodeJS.Timeout | null = null;
  private inFlight = 0;
  private readonly windowWaiters: (() => void)[] = [];
  private readonly boundWaiters = new Set<() => void>();
  private readonly pending = new Map<number, { done(pdu: PDU | null, err?: SmsError): void }>();
  private nextSendAt = 0;
  private readonly t: Required<Omit<SmppOptions, 'log' | 'url' | 'source'>>;

  constructor(private readonly opts: SmppOptions) {
    super();
    this.target = parseSmppUrl(opts.url);
    this.t = {
      tps: opts.tps,
      window: opts.window,
      enquireLinkSeconds: opts.enquireLinkSeconds ?? 30,
      responseTimeoutMs: opts.responseTimeoutMs ?? 10_000,
      reconnectMinMs: opts.reconnectMinMs ?? 500,
      reconnectMaxMs: opts.reconnectMaxMs ?? 30_000,
    };
    this.connect();
  }

  state(): ProviderState {
    return { ready: this.bound, detail: this.detail };
  }

  private setDetail(detail: string) {
    this.detail = detail;
    this.emit('state', this.state());
  }

  private connect() {
    if (this.closed) return;
    this.setDetail('connecting');
    const session = smpp.connect({ host: this.target.host, port: this.target.port });
    this.session = session;
    session.on('connect', () => this.bind(session));
    session.on('error', (err: Error) => {
      // a malformed PDU or a dead socket: start again on a fresh connection
      this.opts.log.warn({ smpp: `${this.target.host}:${this.target.port}`, error: err.message }, 'SMPP connection error');
      session.destroy();
    });
    session.on('close', () => this.lost(session));
    session.on('deliver_sm', (pdu: PDU) => this.onDeliver(session, pdu));
    session.on('enquire_link', (pdu: PDU) => session.send(pdu.response()));
    session.on('unbind', (pdu: PDU) => {
      session.send(pdu.response());
      session.close();
    });
    session.on('pdu', (pdu: PDU) => {
      if (!pdu.isResponse()) return;
      const p = this.pending.get(pdu.sequence_number);
      if (p) p.done(pdu);
    });
  }

  /** Send a request and wait for its response (null and an error when lost or late). */
  private request(session: Session, command: string, fields: Record<string, unknown>): Promise<{ pdu: PDU | null; err?: SmsError }> {
    return new Promise((resolve) => {
      const pdu = new smpp.PDU(command, fields) as unknown as PDU;
      let timer: NodeJS.Timeout | null = null;
      const done = (resp: PDU | null, err?: SmsError) => {
        if (timer) clearTimeout(timer);
        this.pending.delete(pdu.sequence_number);
        resolve({ pdu: resp, err });
      };
      if (!session.send(pdu)) return resolve({ pdu: null, err: { code: 'NOT_BOUND', message: 'SMPP connection not writable', retry: true } });
      this.pending.set(pdu.sequence_number, { done });
      timer = setTimeout(() => {
        done(null, { code: 'TIMEOUT', message: `no ${command}_resp within ${this.t.responseTimeoutMs} ms`, retry: true });
        if (command !== 'submit_sm') session.destroy(); // a silent SMSC: reconnect
      }, this.t.responseTimeoutMs);
    });
  }

  private async bind(session: Session) {
    this.setDetail('binding');
    const { pdu, err } = await this.request(session, 'bind_transceiver', {
      system_id: this.target.systemId,
      password: this.target.password,
      interface_version: 0x34,
      system_type: '',
    });
    if (session !== this.session) return;
    if (!pdu || pdu.command_status !== 0) {
      const why = err ?? smppError(pdu!.command_status);
      this.failures = Math.max(this.failures, 4); // a refused bind is not retried at full speed
      this.setDetail(`bind refused (${why.code})`);
      this.opts.log.warn({ smpp: `${this.target.host}:${this.target.port}`, code: why.code }, 'SMPP bind refused');
      session.destroy();
      return;
    }
    this.bound = true;
    this.failures = 0;
    this.setDetail('bound');
    for (const w of this.boundWaiters) w();
    this.boundWaiters.clear();
    this.enquireTimer = setInterval(() => {
      void this.request(session, 'enquire_link', {}); // a late answer destroys the session (request's timer)
    }, this.t.enquireLinkSeconds * 1000);
  }

  private lost(session: Session) {
    if (session !== this.session) return;
    this.session = null;
    this.bound = false;
    if (this.enquireTimer) clearInterval(this.enquireTimer);
    this.enquireTimer = null;
    for (const p of [...this.pending.values()]) p.done(null, { code: 'NOT_BOUND', message: 'SMPP connection lost before the answer', retry: true });
    if (this.closed) return;
    const delay = Math.min(this.t.reconnectMaxMs, this.t.reconnectMinMs * 2 ** this.failures);
    this.failures++;
    if (!this.detail.startsWith('bind refused')) this.setDetail(`reconnecting in ${Math.round(delay)} ms`);
    this.reconnectTimer = setTimeout(() => this.connect(), delay * (0.8 + Math.random() * 0.4));
  }

  private onDeliver(session: Session, pdu: PDU) {
    session.send(pdu.response()); // acknowledge everything, even a receipt for an id we do not know (the SMSC would resend it forever)
    const sm = pdu.short_message as { message?: string | Buffer } | string | undefined;
    const text = typeof sm === 'string' ? sm : Buffer.isBuffer(sm?.message) ? sm!.message.toString('latin1') : (sm?.message ?? '');
    const esm = Number(pdu.esm_class ?? 0);
    if ((esm & 0x3c) === smpp.consts.ESM_CLASS.MC_DELIVERY_RECEIPT) {
      const fields = Object.fromEntries([...text.matchAll(/(\w+):(\S*)/g)].map((m) => [m[1]!.toLowerCase(), m[2]!]));
      const messageId = (pdu.receipted_message_id as string | undefined) ?? fields.id;
      const stat = (typeof pdu.message_state === 'number' ? STATE_BY_NUMBER[pdu.message_state] : undefined) ?? (fields.stat ?? 'UNKNOWN').toUpperCase();
      if (!messageId) return;
      const receipt: Receipt = { messageId, state: RECEIPT_STATES[stat] ?? 'failed', detail: stat + (fields.err && fields.err !== '000' ? ` err:${fields.err}` : ''), at: new Date() };
      this.emit('receipt', receipt);
      return;
    }
    const inbound: InboundSms = { from: e164(String(pdu.source_addr ?? ''), Number(pdu.source_addr_ton ?? 0)), text, at: new Date() };
    this.emit('inbound', inbound);
  }

  private waitBound(deadline: number): Promise<boolean> {
    if (this.bound) return Promise.resolve(true);
    return new Promise((resolve) => {
      const ok = () => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        this.boundWaiters.delete(ok);
        resolve(false);
      }, Math.max(0, deadline - Date.now()));
      this.boundWaiters.add(ok);
    });
  }

  private async slot(): Promise<void> {
    if (this.inFlight < this.t.window) {
      this.inFlight++;
    } else {
      await new Promise<void>((r) => this.windowWaiters.push(r)); // the releaser hands its slot over
    }
    // throttle: one part every 1/tps seconds
    const now = Date.now();
    const at = Math.max(now, this.nextSendAt);
    this.nextSendAt = at + 1000 / this.t.tps;
    // a timer cannot wait less than ~1 ms: waits below that are let through (a burst of at most 1 ms of TPS)
    if (at - now >= 1) await new Promise((r) => setTimeout(r, at - now));
  }

  private release() {
    const next = this.windowWaiters.shift();
    if (next) next();
    else this.inFlight--;
  }

  async send(sms: OutgoingSms): Promise<SendResult> {
    const { coding, parts } = splitText(sms.text);
    const dest = sms.to.replace(/^\+/, '');
    const ref = sms.reference ?? Math.floor(Math.random() * 256);
    const skip = new Set(sms.skipParts ?? []);
    const alpha = /[^0-9+]/.test(this.opts.source);
    const results: PartResult[] = [];
    for (let i = 0; i < parts.length; i++) {
      if (skip.has(i)) continue;
      const r = await this.submit({
        source_addr_ton: alpha ? 5 : 1,
        source_addr_npi: alpha ? 0 : 1,
        source_addr: this.opts.source,
        dest_addr_ton: 1,
        dest_addr_npi: 1,
        destination_addr: dest,
        esm_class: 0,
        registered_delivery: 1,
        data_coding: coding === 'gsm7' ? 0x00 : 0x08,
        short_message: parts.length > 1 ? { udh: concatUdh(ref, parts.length, i), message: parts[i] } : { message: parts[i] },
      });
      results.push({ index: i, ...r });
      if (r.error) break; // the remaining parts wait for the retry (it skips the accepted ones)
    }
    return { parts: parts.length, results, ...outcomeOf(results) };
  }

  private async submit(fields: Record<string, unknown>): Promise<{ messageId?: string; error?: SmsError }> {
    if (!(await this.waitBound(Date.now() + this.t.responseTimeoutMs))) return { error: { code: 'NOT_BOUND', message: `SMSC not bound: ${this.detail}`, retry: true } };
    await this.slot();
    try {
      const session = this.session;
      if (!session || !this.bound) return { error: { code: 'NOT_BOUND', message: `SMSC not bound: ${this.detail}`, retry: true } };
      const { pdu, err } = await this.request(session, 'submit_sm', fields);
      if (!pdu) return { error: err };
      if (pdu.command_status !== 0) {
        const e = smppError(pdu.command_status);
        if (e.code === 'ESME_RTHROTTLED' || e.code === 'ESME_RMSGQFUL') this.nextSendAt = Math.max(this.nextSendAt, Date.now() + 1000); // the provider asks us to slow down
        return { error: e };
      }
      return { messageId: String(pdu.message_id) };
    } finally {
      this.release();
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    const session = this.session;
    if (!session) return;
    if (this.bound) await Promise.race([this.request(session, 'unbind', {}), new Promise((r) => setTimeout(r, 1000))]);
    await new Promise<void>((r) => {
      session.destroy(() => r());
      setTimeout(r, 500);
    });
  }
}
