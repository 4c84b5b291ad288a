// Our INVITE (a campaign's call): sent through the stack, retried once with digest credentials when the trunk asks
// (401/407), CANCELled on ring timeout or abort (also when the far end rings only after we gave up), ACKed when
// answered (and again for a retransmitted 2xx), the answer's SDP read and the RTP stream connected.
import type { SipRequest, SipResponse } from 'sip';
import type { DialOptions, DialResult } from '../types';
import { dispositionOf } from '../disposition';
import { isChallenge, signedRetry } from './auth';
import { ackRequest, ALLOW, cancelRequest, hostOf, USER_AGENT } from './dialog';
import { buildSdp, readSdp } from './sdp';
import { SipSession, type Call } from './session';
import type { UserAgent } from './ua';

export function invite(ua: UserAgent, call: Call, to: string, opts: DialOptions): Promise<DialResult> {
  const sdp = buildSdp(ua.host, call.rtp.port);
  let rq: SipRequest = {
    method: 'INVITE',
    uri: call.remoteTarget,
    headers: {
      to: { ...call.remote, params: { ...call.remote.params } },
      from: call.local,
      'call-id': call.callId,
      cseq: { seq: call.localCseq, method: 'INVITE' },
      contact: [{ uri: `sip:vigil@${ua.host}:${ua.port}`, params: {} }],
      'max-forwards': 70,
      allow: ALLOW,
      'user-agent': USER_AGENT,
      'content-type': 'application/sdp',
    },
    content: sdp,
  };
  const started = Date.now();
  ua.stats.invites++;
  return new Promise<DialResult>((resolve) => {
    let provisional = false;
    let cancelled: 'ring-timeout' | 'aborted' | null = null;
    let settled = false;
    let ringingAt: Date | undefined;
    let authTried = false;
    const timers: NodeJS.Timeout[] = [];
    const finish = (r: DialResult) => {
      if (settled) return;
      settled = true;
      timers.forEach(clearTimeout);
      opts.signal?.removeEventListener('abort', onAbort);
      if (!r.session) ua.finishCall(call, 'local');
      resolve({ ...r, ringingAt });
    };
    const giveUp = (why: 'ring-timeout' | 'aborted') => {
      if (settled || cancelled) return;
      cancelled = why;
      const disposition = why === 'aborted' ? 'failed' : 'no-answer';
      if (!provisional) return finish({ disposition: 'failed', sipCode: null, reason: 'no response' }); // nothing to CANCEL yet
      ua.stack?.send(cancelRequest(rq));
      // the INVITE should end 487 now; if the far end never says so, stop waiting after a transaction's time
      timers.push(setTimeout(() => finish({ disposition, sipCode: null, reason: why }), 32_000));
    };
    const onAbort = () => giveUp('aborted');
    opts.signal?.addEventListener('abort', onAbort);
    timers.push(setTimeout(() => giveUp('ring-timeout'), opts.ringTimeoutMs));
    timers.push(
      setTimeout(() => {
        if (!provisional && !settled) finish({ disposition: 'failed', sipCode: null, reason: `no response from ${hostOf(rq.uri)} in ${Date.now() - started} ms` });
      }, Math.min(ua.opts.responseTimeoutMs ?? 8000, opts.ringTimeoutMs)),
    );

    let lateCancel = false;
    const onResponse = (rs: SipResponse) => {
      if (rs.status < 200) {
        provisional = true;
        if (rs.status === 180 || rs.status === 183) ringingAt ??= new Date();
        // we gave up before any response (slow host): now that it rings, stop it (CANCEL needs a provisional)
        if (settled && !cancelled && !lateCancel && rs.status > 100) {
          lateCancel = true;
          ua.stack?.send(cancelRequest(rq));
        }
        return;
      }
      provisional = true;
      const trunk = ua.opts.trunk;
      if (isChallenge(rs) && !authTried && trunk?.user && !settled && !cancelled) {
        authTried = true;
        call.auth = {};
        rq = signedRetry(call.auth, rq, rs, { ...trunk, user: trunk.user }, ++call.localCseq);
        ua.stack!.send(rq, onResponse);
        return;
      }
      if (rs.status >= 300) {
        const disposition = cancelled === 'ring-timeout' ? 'no-answer' : cancelled === 'aborted' ? 'failed' : dispositionOf(rs.status);
        return finish({ disposition, sipCode: rs.status, reason: rs.reason });
      }
      // 2xx: the dialog is confirmed by our ACK (also for a retransmitted 2xx, whose ACK got lost)
      if (call.remote.params.tag) return ua.stack?.send(ackRequest(call, rq));
      call.remote = { ...call.remote, params: { ...call.remote.params, tag: rs.headers.to?.params.tag } };
      call.routeSet = [...(rs.headers['record-route'] ?? [])].reverse();
      const contact = rs.headers.contact;
      if (Array.isArray(contact) && contact[0]) call.remoteTarget = contact[0].uri;
      ua.stack?.send(ackRequest(call, rq));
      if (settled || cancelled) {
        // answered while we gave up (CANCEL crossed the 200, or the host woke up late): end it properly
        void ua.sendBye(call);
        return finish({ disposition: cancelled === 'aborted' ? 'failed' : 'no-answer', sipCode: rs.status, reason: 'answered after cancel' });
      }
      try {
        call.media = readSdp(rs.content);
      } catch (e) {
        void ua.hangupCall(call);
        return finish({ disposition: 'failed', sipCode: rs.status, reason: `unusable SDP answer: ${(e as Error).message}` });
      }
      call.rtp.connect({ address: call.media.address, port: call.media.port, payloadType: call.media.payloadType, telephoneEventPt: call.media.telephoneEventPt });
      call.session = new SipSession(call, to, (c) => ua.hangupCall(c));
      ua.stats.answered++;
      finish({ disposition: 'answered', sipCode: rs.status, session: call.session, answeredAt: call.session.answeredAt });
    };
    ua.stack!.send(rq, onResponse);
  });
}
