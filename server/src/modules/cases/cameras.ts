// The camera probe job: every camera's stream URL is tried with a short timeout (a TCP connection for rtsp://,
// an HTTP request for http(s)://); the result is stored so the list of cameras that are down is a query.
import net from 'node:net';
import type { Db } from '../../platform/db/types';

export async function probeUrl(url: string, timeoutMs: number): Promise<{ ok: boolean; error: string | null }> {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return { ok: false, error: 'invalid URL' };
  }
  if (u.protocol === 'http:' || u.protocol === 'https:') {
    try {
      const res = await fetch(u, { method: 'GET', signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' });
      await res.body?.cancel().catch(() => {});
      return res.status < 500 ? { ok: true, error: null } : { ok: false, error: `HTTP ${res.status}` };
    } catch (err) {
      return { ok: false, error: (err as Error).name === 'TimeoutError' ? `no answer in ${timeoutMs} ms` : ((err as Error & { cause?: { code?: string } }).cause?.code ?? (err as Error).message).slice(0, 200) };
    }
  }
  // rtsp(s): can we open a connection to the camera's port?
  const port = Number(u.port) || (u.protocol === 'rtsps:' ? 322 : 554);
  return new Promise((resolve) => {
    const sock = net.connect({ host: u.hostname, port });
    const done = (r: { ok: boolean; error: string | null }) => {
      sock.destroy();
      resolve(r);
    };
    sock.setTimeout(timeoutMs, () => done({ ok: false, error: `no answer in ${timeoutMs} ms` }));
    sock.once('connect', () => done({ ok: true, error: null }));
    sock.once('error', (err: NodeJS.ErrnoException) => done({ ok: false, error: err.code ?? err.message }));
  });
}

export async function probeCameras(db: Db, timeoutMs: number, now: () => Date) {
  const cams = await db.selectFrom('place_cameras').select(['id', 'stream_url']).execute();
  let down = 0;
  // a few at a time: a province has hundreds of cameras, each probe waits at most timeoutMs
  for (let i = 0; i < cams.length; i += 20) {
    const batch = cams.slice(i, i + 20);
    const results = await Promise.all(batch.map((c) => probeUrl(c.stream_url, timeoutMs)));
    for (const [j, r] of results.entries()) {
      if (!r.ok) down++;
      await db.updateTable('place_cameras').set({ last_probe_at: now(), last_probe_ok: r.ok, last_probe_error: r.error }).where('id', '=', batch[j]!.id).execute();
    }
  }
  return { probed: cams.length, down };
}
