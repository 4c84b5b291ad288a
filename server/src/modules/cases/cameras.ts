// The camera probe job: every camera's stream URL is tried with a short timeout (a TCP connection for rtsp://,
// an HTTP request for http(s)://); the result is stored so the list of cameras that are down is a query.
// Guarded against use as a way into the server's network (platform/net-guard.ts): only http/https/rtsp(s), the host is
// resolved and checked before connecting and the connection goes to the checked address, redirects are not
// followed, the whole probe has one deadline and nothing of the answer but its status line and headers is read.
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { LookupFunction } from 'node:net';
import type { Db } from '../../platform/db/types';
import { vetOutboundUrl, type OutboundPolicy } from '../../platform/net-guard';

/**
 * Why a camera is down, as a stable code (stored in place_cameras.last_probe_reason, translated by the web page) and
 * a short detail that completes it (never a sentence): invalid-url; scheme (not http/https/rtsp(s); detail the
 * scheme); blocked (an address the outbound policy refuses; detail the address); dns (the name does not resolve;
 * detail the resolver's code); refused (nothing listens: connection refused); reset (the connection was cut);
 * unreachable (no route to the host or its network; detail the system code); timeout (no answer within the
 * deadline; detail the deadline in ms); tls (the TLS handshake or the certificate failed; detail the code);
 * protocol (the answer is not HTTP; detail the parser's code); http (an HTTP 5xx; detail the status); other
 * (anything else; detail the system code).
 */
export const PROBE_REASONS = ['invalid-url', 'scheme', 'blocked', 'dns', 'refused', 'reset', 'unreachable', 'timeout', 'tls', 'protocol', 'http', 'other'] as const;
export type ProbeReason = (typeof PROBE_REASONS)[number];
export type ProbeResult = { ok: true; reason: null; detail: null } | { ok: false; reason: ProbeReason; detail: string | null };

const UP: ProbeResult = { ok: true, reason: null, detail: null };
const down = (reason: ProbeReason, detail: string | null = null): ProbeResult => ({ ok: false, reason, detail: detail === null ? null : detail.slice(0, 100) });
const timedOut = (timeoutMs: number) => down('timeout', String(timeoutMs));

/** A socket or TLS error as a reason code (the code itself kept as the detail). */
export function socketFailure(err: NodeJS.ErrnoException): ProbeResult {
  const code = err.code ?? '';
  if (code === 'ECONNREFUSED') return down('refused');
  if (code === 'ECONNRESET' || code === 'EPIPE') return down('reset', code);
  if (['EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN'].includes(code)) return down('unreachable', code);
  if (code === 'ETIMEDOUT') return down('timeout');
  if (['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'ENODATA', 'ESERVFAIL'].includes(code)) return down('dns', code);
  if (/^(ERR_SSL_|ERR_TLS_|EPROTO$|CERT_|DEPTH_ZERO_SELF_SIGNED_CERT$|SELF_SIGNED_CERT_IN_CHAIN$|UNABLE_TO_(VERIFY|GET)_|HOSTNAME_MISMATCH$)/.test(code)) return down('tls', code);
  if (code.startsWith('HPE_')) return down('protocol', code);
  return down('other', code || null);
}

export async function probeUrl(url: string, timeoutMs: number, policy: OutboundPolicy): Promise<ProbeResult> {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return down('invalid-url');
  }
  const deadline = Date.now() + timeoutMs;
  const vetted = await withDeadline(vetOutboundUrl(u, policy), timeoutMs);
  if (!vetted) return timedOut(timeoutMs);
  if ('error' in vetted) return down(vetted.reason, vetted.detail);
  const left = Math.max(1, deadline - Date.now());
  if (u.protocol === 'http:' || u.protocol === 'https:') return httpProbe(u, vetted, left, timeoutMs);
  // rtsp(s): can we open a connection to the camera's port?
  const port = Number(u.port) || (u.protocol === 'rtsps:' ? 322 : 554);
  return new Promise((resolve) => {
    const sock = net.connect({ host: vetted.address, port, family: vetted.family });
    const done = (r: ProbeResult) => {
      clearTimeout(timer);
      sock.destroy();
      resolve(r);
    };
    const timer = setTimeout(() => done(timedOut(timeoutMs)), left);
    sock.once('connect', () => done(UP));
    sock.once('error', (err: NodeJS.ErrnoException) => done(socketFailure(err)));
  });
}

/** One GET to the checked address (Host and TLS name from the URL); the status decides; the body is never read. */
function httpProbe(u: URL, to: { address: string; family: 4 | 6 }, leftMs: number, timeoutMs: number): Promise<ProbeResult> {
  const lookup: LookupFunction = (_host, opts, cb) => {
    if ((opts as { all?: boolean }).all) (cb as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [{ address: to.address, family: to.family }]);
    else cb(null, to.address, to.family);
  };
  return new Promise((resolve) => {
    const get = u.protocol === 'https:' ? https.get : http.get;
    const req = get(u, { lookup, agent: false, maxHeaderSize: 16 * 1024, headers: { 'user-agent': 'vigil-camera-probe' } }, (res) => {
      const status = res.statusCode ?? 0;
      // redirects are not followed (a 3xx answers: the camera's server is up); nothing of the body is read
      done(status < 500 ? UP : down('http', String(status)));
    });
    const timer = setTimeout(() => done(timedOut(timeoutMs)), leftMs);
    req.once('error', (err: NodeJS.ErrnoException) => done(socketFailure(err)));
    let settled = false;
    function done(r: ProbeResult) {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      resolve(r);
    }
  });
}

async function withDeadline<T>(p: Promise<T>, ms: number): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined;
  const r = await Promise.race([p, new Promise<null>((res) => (timer = setTimeout(() => res(null), ms)))]);
  clearTimeout(timer);
  return r;
}

export async function probeCameras(db: Db, timeoutMs: number, now: () => Date, policy: OutboundPolicy) {
  const cams = await db.selectFrom('place_cameras').select(['id', 'stream_url']).execute();
  let down = 0;
  // a few at a time: a province has hundreds of cameras, each probe waits at most timeoutMs
  for (let i = 0; i < cams.length; i += 20) {
    const batch = cams.slice(i, i + 20);
    const results = await Promise.all(batch.map((c) => probeUrl(c.stream_url, timeoutMs, policy)));
    for (const [j, r] of results.entries()) {
      if (!r.ok) down++;
      await db.updateTable('place_cameras').set({ last_probe_at: now(), last_probe_ok: r.ok, last_probe_reason: r.reason, last_probe_detail: r.detail }).where('id', '=', batch[j]!.id).execute();
    }
  }
  return { probed: cams.length, down };
}
