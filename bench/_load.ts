// Load generator for bench/checkin.ts, run as a separate process so the client does not share the server's event
// loop. Reads a JSON job from argv[2], runs autocannon, writes the result (and acknowledged client ids) to argv[3].
//   warm: a phone's check-in with a venue QR and a person token both seen before (caches hot)
//   cold: pre-built bodies, each used once: a venue QR never seen, and a new person (form) or a personal QR never seen
//   gate: a gate's queue sync, `batchSize` scans of personal QR codes per request, signed in as one of the gate users
import crypto from 'node:crypto';
import fs from 'node:fs';
import autocannon from 'autocannon';

export interface LoadJob {
  url: string;
  seconds: number;
  connections: number;
  mode: 'warm' | 'cold' | 'gate';
  venueTokens?: string[];
  personTokens?: string[];
  bodies?: string[];
  gate?: { cookie: string; entrances: string[] }[];
  batchSize?: number;
  collectAcks: boolean;
}

const job = JSON.parse(fs.readFileSync(process.argv[2]!, 'utf8')) as LoadJob;
const pick = <T>(a: T[]) => a[Math.floor(Math.random() * a.length)]!;
// many phones behind many addresses (the per-client limit is per IP, as in production behind a proxy)
const ip = () => `10.${Math.floor(Math.random() * 256)}.${Math.floor(Math.random() * 256)}.${1 + Math.floor(Math.random() * 254)}`;
let next = 0;
let exhausted = false;

/** Cold bodies' client ids (each body's first field, `{"clientId":"<uuid>",…`), read without parsing the body. */
const CLIENT_ID_AT = '{"clientId":"'.length;

/** One request, and the client id of a single check-in (null for a gate batch: its answer names each item's). */
function request(): { body: string; headers: Record<string, string>; clientId: string | null } {
  const headers: Record<string, string> = { 'content-type': 'application/json', 'x-forwarded-for': ip() };
  if (job.mode === 'cold') {
    if (next >= job.bodies!.length) exhausted = true;
    const body = job.bodies![next++ % job.bodies!.length]!;
    return { body, headers, clientId: body.slice(CLIENT_ID_AT, CLIENT_ID_AT + 36) };
  }
  if (job.mode === 'gate') {
    const u = pick(job.gate!);
    const items = Array.from({ length: job.batchSize ?? 50 }, () => ({ clientId: crypto.randomUUID(), entranceId: pick(u.entrances), personQr: pick(job.personTokens!) }));
    return { body: JSON.stringify({ items }), headers: { ...headers, cookie: u.cookie, 'x-requested-with': 'vigil' }, clientId: null };
  }
  const clientId = crypto.randomUUID();
  return { body: JSON.stringify({ clientId, venueToken: pick(job.venueTokens!), people: [{ token: pick(job.personTokens!) }] }), headers, clientId };
}

const acked: string[] = [];
/** A gate batch's acknowledged items (a 200 may reject some): read from the answer. */
const ACK = /"clientId":"([0-9a-f-]{36})","status":"(?:created|duplicate)"/g;
const cpu0 = process.cpuUsage();

autocannon(
  {
    url: job.url,
    method: 'POST',
    connections: job.connections,
    duration: job.seconds,
    timeout: 10,
    requests: [
      {
        // One request at a time per connection (no pipelining), so the connection's context holds the client id of
        // the request its next answer is for. A single check-in answered 2xx is acknowledged (201 created, 200 a
        // duplicate: stored before), anything else is not: its client id is taken from the request, with no pass
        // over the answer (what a phone does: it reads the status). A gate batch's answer is read per item.
        setupRequest: (req: object, context: { clientId?: string | null }) => {
          const r = request();
          context.clientId = r.clientId;
          return { ...req, method: 'POST', body: r.body, headers: r.headers };
        },
        ...(job.collectAcks && {
          onResponse: (status: number, resBody: string, context: { clientId?: string | null }) => {
            if (status < 200 || status >= 300) return;
            if (context.clientId) acked.push(context.clientId);
            else for (const m of resBody.matchAll(ACK)) acked.push(m[1]!);
          },
        }),
      },
    ],
  },
  (err, r) => {
    if (err) throw err;
    const cpu = process.cpuUsage(cpu0);
    const out = { cpuMs: (cpu.user + cpu.system) / 1000, rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, ok: r['2xx'], non2xx: r.non2xx, errors: r.errors, timeouts: r.timeouts, acked, exhausted };
    fs.writeFileSync(process.argv[3]!, JSON.stringify(out));
  },
);
