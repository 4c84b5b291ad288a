// SIP dialogs as the user agent keeps them (RFC 3261 12): the tags, the remote target and route set, the local CSeq;
// the requests built inside a dialog (ACK of a 2xx, BYE, …), CANCEL of a pending INVITE. What a final status of an
// INVITE means for the dialer is in ../disposition.ts (the TwiML provider reads it too).
import { randomBytes } from 'node:crypto';
import sip, { type NameAddr, type SipRequest } from 'sip';

export const ALLOW = 'INVITE, ACK, CANCEL, BYE, OPTIONS, INFO';
export const USER_AGENT = 'Vigil';
export const tag = () => randomBytes(6).toString('hex');

/** The dialog state of one call. */
export interface Dialog {
  callId: string;
  local: NameAddr; // with our tag
  remote: NameAddr; // with their tag once known
  remoteTarget: string;
  routeSet: NameAddr[];
  localCseq: number;
}

/** The ACK of a 2xx answer to `invite` (its CSeq number; the credentials it carried). */
export function ackRequest(call: Dialog, invite: SipRequest): SipRequest {
  const ack: SipRequest = {
    method: 'ACK',
    uri: call.remoteTarget,
    headers: {
      to: call.remote,
      from: call.local,
      'call-id': call.callId,
      cseq: { seq: invite.headers.cseq!.seq, method: 'ACK' },
      via: [],
      'max-forwards': 70,
      ...(call.routeSet.length ? { route: call.routeSet.map((r) => ({ ...r })) } : {}),
    },
  };
  if (invite.headers['proxy-authorization']) ack.headers['proxy-authorization'] = invite.headers['proxy-authorization'];
  return ack;
}

/** CANCEL of a pending INVITE: the same transaction (top Via), so the far end can match it. */
export function cancelRequest(invite: SipRequest): SipRequest {
  return {
    method: 'CANCEL',
    uri: invite.uri,
    headers: {
      to: invite.headers.to,
      from: invite.headers.from,
      'call-id': invite.headers['call-id'],
      cseq: { seq: invite.headers.cseq!.seq, method: 'CANCEL' },
      via: invite.headers.via, // the INVITE's top Via (its branch): the CANCEL matches that transaction
      'max-forwards': 70,
      ...(invite.headers.route ? { route: invite.headers.route } : {}),
    },
  };
}

/** A request inside the dialog (BYE, INFO…) with the next local CSeq and the route set. */
export function inDialogRequest(call: Dialog, method: string): SipRequest {
  return {
    method,
    uri: call.remoteTarget,
    headers: {
      to: call.remote,
      from: call.local,
      'call-id': call.callId,
      cseq: { seq: ++call.localCseq, method },
      via: [],
      'max-forwards': 70,
      'user-agent': USER_AGENT,
      ...(call.routeSet.length ? { route: call.routeSet.map((r) => ({ ...r })) } : {}),
    },
  };
}

export function hostOf(uri: string | object | undefined): string {
  return sip.parseUri(uri as string)?.host ?? '?';
}
