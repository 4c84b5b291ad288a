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

export type ProbeResult = { ok: boolean; error: string | null };

export async function probeUrl(url: string, timeoutMs: number, policy: OutboundPolicy): Promise<ProbeResult> {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return { ok: false, error: 'invalid URL' };
  }
  const deadline = Date.now() + timeoutMs;
  const vetted = await withDeadline(vetOutboundUrl(u, policy), timeoutMs);
  if (!vetted) return { ok: false, error: `no answer in ${timeoutMs} ms` };
  if ('error' in vetted) return { ok: false, error: vetted.error };
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
    const timer = setTimeout(() => done({ ok: false, error: `no answer in ${timeoutMs} ms` }), left);
    sock.once('connect', () => done({ ok: true, error: null }));
    sock.once('error', (err: NodeJS.ErrnoException) => done({ ok: false, error: err.code ?? err.message }));
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
      done(status < 500 ? { ok: true, error: null } : { ok: false, error: `HTTP ${status}` });
    });
    const timer = setTimeout(() => done({ ok: false, error: `no answer in ${timeoutMs} ms` }), leftMs);
    req.once('error', (err: NodeJS.ErrnoException) => done({ ok: false, error: (err.code ?? err.message).slice(0, 200) }));
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
      await db.updateTable('place_cameras').set({ last_probe_at: now(), last_probe_ok: r.ok, last_probe_error: r.error }).where('id', '=', batch[j]!.id).execute();
    }
  }
  return { probed: cams.length, down };
}
