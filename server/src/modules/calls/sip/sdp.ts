// SDP offer/answer for one audio stream: G.711 (PCMU 0, PCMA 8) and RFC 4733 telephone-event.
import { parse, write, type SessionDescription } from 'sdp-transform';

export type Codec = 'PCMU' | 'PCMA';
const STATIC_PT: Record<Codec, number> = { PCMU: 0, PCMA: 8 };
export const OUR_TE_PT = 101;

export interface MediaParams {
  codec: Codec;
  payloadType: number;
  /** telephone-event payload type the far end uses, null when it offered/answered none */
  telephoneEventPt: number | null;
  address: string;
  port: number;
}

export class SdpError extends Error {}

let version = 1;

/** Our SDP (offer, or answer with `only` the negotiated codec). */
export function buildSdp(ip: string, port: number, opts: { codecs?: Codec[]; telephoneEventPt?: number } = {}): string {
  const codecs = opts.codecs ?? ['PCMU', 'PCMA'];
  const te = opts.telephoneEventPt ?? OUR_TE_PT;
  const sessionId = Date.now() % 1e9;
  const desc: SessionDescription = {
    version: 0,
    origin: { username: 'vigil', sessionId, sessionVersion: version++, netType: 'IN', ipVer: 4, address: ip },
    name: 'vigil',
    connection: { version: 4, ip },
    timing: { start: 0, stop: 0 },
    media: [
      {
        type: 'audio',
        port,
        protocol: 'RTP/AVP',
        payloads: [...codecs.map((c) => STATIC_PT[c]), te].join(' '),
        rtp: [...codecs.map((c) => ({ payload: STATIC_PT[c], codec: c, rate: 8000 })), { payload: te, codec: 'telephone-event', rate: 8000 }],
        fmtp: [{ payload: te, config: '0-15' }],
        ptime: 20,
        direction: 'sendrecv',
      },
    ],
  };
  return write(desc);
}

/**
 * The far end's audio stream from its SDP (an offer or an answer): the first G.711 codec in its order of
 * preference. Throws SdpError when the SDP is unreadable or offers no G.711 (the caller answers 488).
 */
export function readSdp(text: string | undefined): MediaParams {
  if (!text || !text.trim()) throw new SdpError('no SDP');
  let desc: SessionDescription;
  try {
    desc = parse(text);
  } catch {
    throw new SdpError('unreadable SDP');
  }
  const audio = (desc.media ?? []).find((m) => m.type === 'audio' && m.port > 0 && /RTP\/AVP/.test(m.protocol ?? ''));
  if (!audio) throw new SdpError('no audio stream');
  const rtpmap = new Map((audio.rtp ?? []).map((r) => [r.payload, r.codec.toUpperCase()]));
  const pts = String(audio.payloads ?? '')
    .split(/\s+/)
    .filter((p) => /^\d+$/.test(p))
    .map(Number);
  let chosen: { codec: Codec; pt: number } | null = null;
  for (const pt of pts) {
    const name = rtpmap.get(pt) ?? (pt === 0 ? 'PCMU' : pt === 8 ? 'PCMA' : '');
    if (name === 'PCMU' || name === 'PCMA') {
      chosen = { codec: name, pt };
      break;
    }
  }
  if (!chosen) throw new SdpError('no G.711 codec offered');
  const tePt = pts.find((pt) => rtpmap.get(pt) === 'TELEPHONE-EVENT');
  const address = audio.connection?.ip ?? desc.connection?.ip;
  if (!address || !/^\d{1,3}(\.\d{1,3}){3}$/.test(address)) throw new SdpError('no IPv4 connection address');
  if (!Number.isInteger(audio.port) || audio.port < 1 || audio.port > 65535) throw new SdpError('bad media port');
  return { codec: chosen.codec, payloadType: chosen.pt, telephoneEventPt: tePt ?? null, address, port: audio.port };
}
