// Digest authentication with the trunk (npm `sip/digest` computes the answer) and the registration that keeps the
// trunk knowing where we are: a request challenged with 401/407 is sent once more as a new transaction (fresh Via,
// next CSeq) carrying the answer; REGISTER keeps one Call-ID and a growing CSeq (RFC 3261 10.2) and refreshes itself
// at half its expiry.
import { randomUUID } from 'node:crypto';
import type { SipRequest, SipResponse, Stack } from 'sip';
import digest, { type DigestSession } from 'sip/digest';
import { tag } from './dialog';

export interface SipTrunk {
  host: string;
  port: number;
  user?: string;
  password?: string;
}

export const isChallenge = (rs: SipResponse) => rs.status === 401 || rs.status === 407;

/** `rq` again after the challenge `rs`: a new transaction with CSeq `seq`, answering the challenge as `trunk.user`. */
export function signedRetry(session: DigestSession, rq: SipRequest, rs: SipResponse, trunk: SipTrunk & { user: string }, seq: number): SipRequest {
  const next: SipRequest = { ...rq, headers: { ...rq.headers, via: [], cseq: { seq, method: rq.method } } };
  delete next.headers['proxy-authorization'];
  delete next.headers.authorization;
  digest.signRequest(session, next, rs, { user: trunk.user, password: trunk.password ?? '' });
  return next;
}

export interface RegistrationOptions {
  trunk: SipTrunk;
  callerId: string;
  expiresS: number;
  /** the stack to send through (null once closed) */
  stack: () => Stack | null;
  /** host:port written in Contact */
  contactHost: () => string;
  host: () => string;
  log: (level: 'info' | 'warn', msg: string) => void;
}

/** Our registration with the trunk. */
export class Registration {
  private reg: { callId: string; cseq: number; tag: string } | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly o: RegistrationOptions) {}

  /** Stop refreshing (before unregistering with register(0)). */
  stop(): void {
    if (this.timer) clearTimeout(this.timer);
  }

  register(expires = this.o.expiresS): Promise<void> {
    const trunk = this.o.trunk;
    const aor = `sip:${trunk.user ?? this.o.callerId}@${trunk.host}`;
    // one Call-ID and a growing CSeq for every REGISTER of this registration (RFC 3261 10.2)
    this.reg ??= { callId: `${randomUUID()}@${this.o.host()}`, cseq: 0, tag: tag() };
    const reg = this.reg;
    const auth: DigestSession = {};
    const rq: SipRequest = {
      method: 'REGISTER',
      uri: `sip:${trunk.host}:${trunk.port}`,
      headers: {
        to: { uri: aor, params: {} },
        from: { uri: aor, params: { tag: reg.tag } },
        'call-id': reg.callId,
        cseq: { seq: ++reg.cseq, method: 'REGISTER' },
        contact: [{ uri: `sip:${trunk.user ?? 'vigil'}@${this.o.contactHost()}`, params: {} }],
        expires,
        'max-forwards': 70,
        via: [],
      },
    };
    return new Promise((resolve, reject) => {
      let authTried = false;
      const onResponse = (rs: SipResponse) => {
        if (rs.status < 200) return;
        if (isChallenge(rs) && !authTried && trunk.user) {
          authTried = true;
          return this.o.stack()?.send(signedRetry(auth, rq, rs, { ...trunk, user: trunk.user }, ++reg.cseq), onResponse);
        }
        if (rs.status >= 300) return reject(new Error(`REGISTER refused: ${rs.status} ${rs.reason ?? ''}`));
        if (expires > 0) {
          this.stop();
          this.timer = setTimeout(() => void this.register().catch((e) => this.o.log('warn', (e as Error).message)), (expires * 1000) / 2);
          this.timer.unref();
        }
        resolve();
      };
      this.o.stack()!.send(rq, onResponse);
    });
  }
}
