// The SIP provider: a user agent on UDP that places calls through the carrier's trunk (or straight to a SIP URI),
// answers inbound calls to the hotline, and carries each answered call's RTP media. npm `sip` does the message
// parsing, the transactions (retransmissions, timers, ACK of non-2xx finals) and the digest computation; dialogs
// (tags, CSeq, route sets, ACK of 2xx, BYE both ways, CANCEL), SDP negotiation, RTP and DTMF are ours. Here: the
// stack, channels and pacing, the RTP watchdog, ending calls (BYE), requests from the far end. Beside it:
// outbound.ts (our INVITE: auth retry, CANCEL on ring timeout, the answer), inbound.ts (an INVITE to the hotline:
// 2xx retransmitted until ACK; re-INVITE), dialog.ts (dialog state and in-dialog requests), auth.ts (digest
// retries, REGISTER), session.ts (the answered call's media: prompts, digits, recording).
import dgram from 'node:dgram';
import { performance } from 'node:perf_hooks';
import { randomUUID } from 'node:crypto';
import sip, { type SipMessage, type SipRequest, type SipResponse, type Stack } from 'sip';
import type { CallProvider, CallSession, DialOptions, DialResult } from '../types';
import { RtpStream } from '../media/rtp';
import { digitFromInfo } from '../media/dtmf';
import { ALLOW, inDialogRequest, tag, USER_AGENT } from './dialog';
import { isChallenge, Registration, signedRetry, type SipTrunk } from './auth';
import type { Call } from './session';
import { onInvite, onReInvite } from './inbound';
import { invite } from './outbound';

export type { SipTrunk } from './auth';

export interface SipProviderOptions {
  /** address our SIP and RTP sockets bind to */
  localAddress: string;
  /** SIP port; 0 picks a free one */
  localPort: number;
  /** address written in Via/Contact/SDP when the bind address is not reachable as is (0.0.0.0, NAT) */
  publicAddress?: string;
  /** where phone numbers are sent; SIP URIs are dialled directly */
  trunk?: SipTrunk;
  /** user part of From when DialOptions.callerId is absent */
  callerId: string;
  maxChannels: number;
  maxCallsPerSecond: number;
  /** REGISTER with the trunk (user/password) and keep the registration fresh */
  register?: boolean;
  registerExpiresS?: number;
  /** an answered call whose far end sent no RTP for this long is over (it vanished without a BYE); default 60 s */
  rtpTimeoutMs?: number;
  /** an INVITE that got no response at all (not even 100 Trying) in this time failed (host unreachable) */
  responseTimeoutMs?: number;
  /** every SIP message sent and received (tests, debugging; holds numbers: never log it in production) */
  trace?: (dir: 'out' | 'in', m: SipMessage, peer: { address: string; port: number }) => void;
  /** operational log lines (call ids and SIP codes only: numbers are personal data) */
  log?: (level: 'info' | 'warn', msg: string) => void;
}

/**
 * What the INVITE transactions (outbound.ts, inbound.ts) use of the user agent: its stack and address, the calls
 * and channel count, replies, and how a call ends.
 */
export type UserAgent = Pick<
  SipProvider,
  'opts' | 'stack' | 'host' | 'port' | 'stats' | 'calls' | 'active' | 'maxChannels' | 'inbound' | 'reply' | 'finishCall' | 'hangupCall' | 'sendBye' | 'log'
>;

export class SipProvider implements CallProvider {
  readonly name = 'sip';
  readonly maxChannels: number;
  stack: Stack | null = null;
  readonly calls = new Map<string, Call>();
  active = 0;
  private nextInviteAt = 0;
  inbound: ((s: CallSession) => Promise<void>) | null = null;
  private rtpWatch: NodeJS.Timeout | null = null;
  private registration: Registration | null = null;
  host = '';
  port = 0;
  /** counters for tests and the bench */
  readonly stats = { invites: 0, answered: 0, inbound: 0, malformed: 0 };

  constructor(readonly opts: SipProviderOptions) {
    this.maxChannels = opts.maxChannels;
  }

  log(level: 'info' | 'warn', msg: string) {
    this.opts.log?.(level, msg);
  }

  async start(): Promise<void> {
    this.port = this.opts.localPort || (await freeUdpPort(this.opts.localAddress));
    this.host = this.opts.publicAddress ?? this.opts.localAddress;
    // sip.js opens its UDP socket without an 'error' listener: a refused send (EACCES, ENETUNREACH...) or a port
    // taken would be an uncaught exception that takes the whole server down. Catch the socket as it is made.
    const createSocket = dgram.createSocket;
    const sockets: dgram.Socket[] = [];
    (dgram as { createSocket: typeof dgram.createSocket }).createSocket = ((...args: Parameters<typeof dgram.createSocket>) => {
      const sock = createSocket.apply(dgram, args);
      sockets.push(sock);
      return sock;
    }) as typeof dgram.createSocket;
    try {
      this.createStack();
    } finally {
      (dgram as { createSocket: typeof dgram.createSocket }).createSocket = createSocket;
    }
    const sock = sockets[0];
    if (!sock) throw new Error('sip: no UDP socket');
    await new Promise<void>((resolve, reject) => {
      sock.once('listening', resolve);
      sock.once('error', (e) => {
        this.stack?.destroy();
        this.stack = null;
        reject(new Error(`SIP: cannot listen on ${this.opts.localAddress}:${this.port}: ${e.message}`));
      });
    });
    sock.on('error', (e) => this.log('warn', `sip: socket: ${e.message}`));
    const rtpTimeout = this.opts.rtpTimeoutMs ?? 60_000;
    this.rtpWatch = setInterval(() => {
      const now = performance.now();
      for (const call of this.calls.values()) {
        if (call.session && !call.ended && now - call.rtp.lastReceivedAt > rtpTimeout) {
          this.log('warn', `call ${call.id}: no RTP for ${Math.round((now - call.rtp.lastReceivedAt) / 1000)} s: ending it`);
          void this.hangupCall(call, 'remote');
        }
      }
    }, Math.min(5000, Math.max(100, rtpTimeout / 4)));
    this.rtpWatch.unref();
    if (this.opts.register && this.opts.trunk) {
      this.registration = new Registration({
        trunk: this.opts.trunk,
        callerId: this.opts.callerId,
        expiresS: this.opts.registerExpiresS ?? 600,
        stack: () => this.stack,
        contactHost: () => `${this.host}:${this.port}`,
        host: () => this.host,
        log: (level, msg) => this.log(level, msg),
      });
      await this.registration.register();
    }
  }

  private createStack(): void {
    this.stack = sip.create(
      {
        address: this.opts.localAddress,
        port: this.port,
        publicAddress: this.host,
        tcp: false,
        logger: {
          error: (e) => this.log('warn', `sip: ${(e as Error)?.message ?? String(e)}`),
          ...(this.opts.trace
            ? { send: (m: SipMessage, t: { address: string; port: number }) => this.opts.trace!('out', m, t), recv: (m: SipMessage, r: { address: string; port: number }) => this.opts.trace!('in', m, r) }
            : {}),
        },
      },
      (rq) => {
        try {
          this.onRequest(rq);
        } catch (e) {
          this.stats.malformed++;
          this.log('warn', `sip: ${rq.method} not handled: ${(e as Error).message}`);
          try {
            this.reply(rq, 500, 'Server Internal Error');
          } catch {
            /* unanswerable */
          }
        }
      },
    );
  }

  onInbound(handler: (session: CallSession) => Promise<void>): void {
    this.inbound = handler;
  }

  get activeCalls(): number {
    return this.active;
  }

  async close(): Promise<void> {
    this.registration?.stop();
    if (this.rtpWatch) clearInterval(this.rtpWatch);
    await Promise.all([...this.calls.values()].map((c) => this.hangupCall(c)));
    if (this.registration) await this.registration.register(0).catch(() => {});
    this.stack?.destroy();
    this.stack = null;
  }

  // ---- outbound ----

  /** The request URI for a number (through the trunk) or a SIP URI; null when it is neither. */
  targetUri(to: string): string | null {
    const t = to.trim();
    if (/^sips?:/i.test(t)) return sip.parseUri(t) ? t : null;
    const digits = t.replace(/[\s().-]/g, '');
    if (!/^\+?\d{3,20}$/.test(digits) || !this.opts.trunk) return null;
    return `sip:${digits}@${this.opts.trunk.host}:${this.opts.trunk.port}`;
  }

  private async pace(): Promise<void> {
    const gap = 1000 / this.opts.maxCallsPerSecond;
    const now = Date.now();
    const at = Math.max(now, this.nextInviteAt);
    this.nextInviteAt = at + gap;
    if (at > now) await new Promise((r) => setTimeout(r, at - now));
  }

  async dial(to: string, opts: DialOptions): Promise<DialResult> {
    if (!this.stack) throw new Error('SIP provider not started');
    const uri = this.targetUri(to);
    if (!uri) return { disposition: 'invalid-number', sipCode: null, reason: this.opts.trunk ? 'not a phone number or SIP URI' : 'no SIP trunk configured for phone numbers' };
    if (this.active >= this.maxChannels) return { disposition: 'failed', sipCode: null, reason: 'all channels busy' };
    this.active++;
    let call: Call | undefined;
    try {
      await this.pace();
      const rtp = new RtpStream(this.opts.localAddress, (d) => call?.session?.onDigit(d));
      await rtp.open();
      const callerId = (opts.callerId ?? this.opts.callerId).replace(/[^\w+.-]/g, '') || 'vigil';
      call = {
        id: randomUUID(),
        callId: `${randomUUID()}@${this.host}`,
        direction: 'outbound',
        local: { uri: `sip:${callerId}@${this.host}`, params: { tag: tag() } },
        remote: { uri, params: {} },
        remoteTarget: uri,
        routeSet: [],
        localCseq: 1,
        rtp,
        ended: false,
      };
      this.calls.set(call.callId, call);
      return await invite(this, call, to, opts);
    } catch (e) {
      if (call) this.finishCall(call, 'local');
      else this.active--;
      return { disposition: 'failed', sipCode: null, reason: (e as Error).message };
    }
  }

  async hangupCall(call: Call, by: 'local' | 'remote' = 'local'): Promise<void> {
    if (call.ended) return;
    const established = call.direction === 'outbound' ? !!call.session : !!call.answer;
    this.finishCall(call, by);
    if (established) await this.sendBye(call);
  }

  async sendBye(call: Call): Promise<void> {
    if (!this.stack) return;
    const bye = inDialogRequest(call, 'BYE');
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 4000);
      let authTried = false;
      const onResponse = (rs: SipResponse) => {
        if (rs.status < 200) return;
        const trunk = this.opts.trunk;
        if (isChallenge(rs) && !authTried && trunk?.user) {
          authTried = true;
          this.stack?.send(signedRetry(call.auth ?? {}, bye, rs, { ...trunk, user: trunk.user }, ++call.localCseq), onResponse);
          return;
        }
        clearTimeout(timer);
        resolve();
      };
      this.stack!.send(bye, onResponse);
    });
  }

  /** Release the call's media and channel; the session learns who ended it. */
  finishCall(call: Call, by: 'local' | 'remote'): void {
    if (call.ended) return;
    call.ended = true;
    call.rtp.close();
    call.session?.markEnded(by);
    this.calls.delete(call.callId);
    this.active--;
  }

  // ---- requests from the far end ----

  reply(rq: SipRequest, status: number, reason: string, extra?: { headers?: Record<string, unknown>; content?: string; toTag?: string }): SipResponse {
    const rs = sip.makeResponse(rq, status, reason);
    const to = rq.headers.to!;
    rs.headers.to = { ...to, params: { ...to.params, ...(extra?.toTag && !to.params.tag ? { tag: extra.toTag } : {}) } };
    Object.assign(rs.headers, { 'user-agent': USER_AGENT }, extra?.headers ?? {});
    if (extra?.content) rs.content = extra.content;
    this.stack?.send(rs);
    return rs;
  }

  private onRequest(rq: SipRequest): void {
    const call = this.calls.get(rq.headers['call-id'] ?? '');
    const inDialog = !!rq.headers.to?.params?.tag;
    switch (rq.method) {
      case 'INVITE':
        if (inDialog) return call ? onReInvite(this, call, rq) : void this.reply(rq, 481, 'Call/Transaction Does Not Exist');
        if (call) return; // a retransmission racing our answer
        return void onInvite(this, rq);
      case 'ACK':
        call?.acked?.();
        return;
      case 'BYE':
        if (!call) return void this.reply(rq, 481, 'Call/Transaction Does Not Exist');
        this.reply(rq, 200, 'OK');
        this.log('info', `call ${call.id}: BYE from the far end`);
        this.finishCall(call, 'remote');
        return;
      case 'CANCEL': {
        this.reply(rq, call ? 200 : 481, call ? 'OK' : 'Call/Transaction Does Not Exist');
        if (call?.invite && !call.answer) {
          this.reply(call.invite, 487, 'Request Terminated', { toTag: call.local.params.tag ?? undefined });
          this.finishCall(call, 'remote');
        }
        return;
      }
      case 'INFO': {
        if (!call) return void this.reply(rq, 481, 'Call/Transaction Does Not Exist');
        const d = digitFromInfo(rq.headers['content-type'], rq.content);
        this.reply(rq, 200, 'OK');
        if (d) call.session?.onDigit(d);
        return;
      }
      case 'OPTIONS':
        return void this.reply(rq, 200, 'OK', { headers: { allow: ALLOW, accept: 'application/sdp' } });
      case 'UPDATE':
      case 'NOTIFY':
        return void this.reply(rq, call ? 200 : 481, call ? 'OK' : 'Call/Transaction Does Not Exist');
      default:
        return void this.reply(rq, 405, 'Method Not Allowed', { headers: { allow: ALLOW } });
    }
  }
}

/** A free UDP port on `address` (sip.js binds its own socket and cannot take port 0). */
export async function freeUdpPort(address: string): Promise<number> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    s.once('error', reject);
    s.bind(0, address, () => resolve());
  });
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export type { SipMessage };
