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

function request(): { body: string; headers: Record<string, string> } {
  const headers: Record<string, string> = { 'content-type': 'application/json', 'x-forwarded-for': ip() };
  if (job.mode === 'cold') {
    if (next >= job.bodies!.length) exhausted = true;
    return { body: job.bodies![next++ % job.bodies!.length]!, headers };
  }
  if (job.mode === 'gate') {
    const u = pick(job.gate!);
    const items = Array.from({ length: job.batchSize ?? 50 }, () => ({ clientId: crypto.randomUUID(), entranceId: pick(u.entrances), personQr: pick(job.personTokens!) }));
    return { body: JSON.stringify({ items }), headers: { ...headers, cookie: u.cookie, 'x-requested-with': 'vigil' } };
  }
  return { body: JSON.stringify({ clientId: crypto.randomUUID(), venueToken: pick(job.venueTokens!), people: [{ token: pick(job.personTokens!) }] }), headers };
}

const acked: string[] = [];
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
        setupRequest: (req: object) => ({ ...req, method: 'POST', ...request() }),
        ...(job.collectAcks && {
          onResponse: (status: number, resBody: string) => {
            if (status >= 200 && status < 300) for (const m of resBody.matchAll(ACK)) acked.push(m[1]!);
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
