// An INVITE from the far end (the hotline): refused when no one answers the hotline, all channels are busy, the SDP
// offer is unusable or Contact is missing; else 180, RTP opened, 200 with our SDP retransmitted until the ACK (at
// most 32 s), then the hotline handler runs the call. A re-INVITE (hold, refresh) is answered with the same media.
import sip, { type SipRequest } from 'sip';
import { randomUUID } from 'node:crypto';
import { RtpStream } from '../media/rtp';
import { ALLOW, tag } from './dialog';
import { buildSdp, readSdp, SdpError, type MediaParams } from './sdp';
import { SipSession, type Call } from './session';
import type { UserAgent } from './ua';

export async function onInvite(ua: UserAgent, rq: SipRequest): Promise<void> {
  if (!ua.inbound) return void ua.reply(rq, 480, 'Temporarily Unavailable');
  if (ua.active >= ua.maxChannels) return void ua.reply(rq, 486, 'Busy Here');
  let media: MediaParams;
  try {
    media = readSdp(rq.content);
  } catch (e) {
    if (e instanceof SdpError) return void ua.reply(rq, 488, 'Not Acceptable Here', { headers: { warning: `304 ${ua.host} "${e.message}"` } });
    throw e;
  }
  const from = rq.headers.from!;
  const contact = Array.isArray(rq.headers.contact) ? rq.headers.contact[0] : undefined;
  if (!contact) return void ua.reply(rq, 400, 'Missing Contact');
  ua.active++;
  const rtp = new RtpStream(ua.opts.localAddress, (d) => call.session?.onDigit(d));
  const call: Call = {
    id: randomUUID(),
    callId: rq.headers['call-id']!,
    direction: 'inbound',
    local: { ...rq.headers.to!, params: { ...rq.headers.to!.params, tag: tag() } },
    remote: from,
    remoteTarget: contact.uri,
    routeSet: [...(rq.headers['record-route'] ?? [])],
    localCseq: Math.floor(Math.random() * 10000) + 1,
    rtp,
    media,
    ended: false,
    invite: rq,
  };
  ua.calls.set(call.callId, call);
  ua.stats.inbound++;
  try {
    ua.reply(rq, 180, 'Ringing', { toTag: call.local.params.tag ?? undefined });
    await rtp.open();
  } catch (e) {
    ua.reply(rq, 500, 'Server Internal Error');
    ua.finishCall(call, 'local');
    throw e;
  }
  if (call.ended) return; // cancelled meanwhile
  const callerId = sip.parseUri(from.uri)?.user ?? 'anonymous';
  call.session = new SipSession(call, callerId, (c) => ua.hangupCall(c));
  rtp.connect({ address: media.address, port: media.port, payloadType: media.payloadType, telephoneEventPt: media.telephoneEventPt });
  call.answer = ua.reply(rq, 200, 'OK', {
    toTag: call.local.params.tag ?? undefined,
    headers: { contact: [{ uri: `sip:vigil@${ua.host}:${ua.port}`, params: {} }], allow: ALLOW, 'content-type': 'application/sdp' },
    content: buildSdp(ua.host, rtp.port, { codecs: [media.codec], telephoneEventPt: media.telephoneEventPt ?? undefined }),
  });
  // a 2xx is ours to retransmit until the ACK (T1 doubling up to T2), at most 32 s
  const acked = await new Promise<boolean>((resolve) => {
    let t = 500;
    let timer: NodeJS.Timeout;
    const resend = () => {
      if (call.ended) return resolve(false);
      ua.stack?.send(call.answer!);
      t = Math.min(t * 2, 4000);
      timer = setTimeout(resend, t);
    };
    timer = setTimeout(resend, t);
    const giveUp = setTimeout(() => {
      clearTimeout(timer);
      resolve(false);
    }, 32_000);
    call.acked = () => {
      clearTimeout(timer);
      clearTimeout(giveUp);
      call.acked = undefined;
      resolve(true);
    };
  });
  if (!acked) {
    if (!call.ended) await ua.hangupCall(call);
    return;
  }
  const handler = ua.inbound;
  try {
    await handler(call.session);
  } catch (e) {
    ua.log('warn', `inbound call ${call.id}: ${(e as Error).message}`);
  } finally {
    await ua.hangupCall(call);
  }
}

export function onReInvite(ua: UserAgent, call: Call, rq: SipRequest): void {
  // hold/refresh: keep our stream as it is, answer with the same media
  const codec = call.media?.codec ?? 'PCMU';
  ua.reply(rq, 200, 'OK', {
    headers: { contact: [{ uri: `sip:vigil@${ua.host}:${ua.port}`, params: {} }], 'content-type': 'application/sdp' },
    content: buildSdp(ua.host, call.rtp.port, { codecs: [codec], telephoneEventPt: call.media?.telephoneEventPt ?? undefined }),
  });
}
