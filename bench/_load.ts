// Load generator for bench/checkin.ts, run as a separate process so the client does not share the server's event
// loop. Reads a JSON job from argv[2], runs autocannon, writes the result (and acknowledged client ids) to argv[3].
import crypto from 'node:crypto';
import fs from 'node:fs';
import autocannon from 'autocannon';

interface Job {
  url: string;
  seconds: number;
  connections: number;
  venueTokens: string[];
  personTokens: string[];
  collectAcks: boolean;
}

const job = JSON.parse(fs.readFileSync(process.argv[2]!, 'utf8')) as Job;
const pick = <T>(a: T[]) => a[Math.floor(Math.random() * a.length)]!;
const body = () => JSON.stringify({ clientId: crypto.randomUUID(), venueToken: pick(job.venueTokens), people: [{ token: pick(job.personTokens) }] });
// many phones behind many addresses (the per-client limit is per IP, as in production behind a proxy)
const ip = () => `10.${Math.floor(Math.random() * 256)}.${Math.floor(Math.random() * 256)}.${1 + Math.floor(Math.random() * 254)}`;
const acked: string[] = [];
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
        setupRequest: (req: object) => ({ ...req, method: 'POST', body: body(), headers: { 'content-type': 'application/json', 'x-forwarded-for': ip() } }),
        ...(job.collectAcks && {
          onResponse: (status: number, resBody: string) => {
            if (status >= 200 && status < 300) {
              const m = /"clientId":"([0-9a-f-]{36})"/.exec(resBody);
              if (m) acked.push(m[1]!);
            }
          },
        }),
      },
    ],
  },
  (err, r) => {
    if (err) throw err;
    const cpu = process.cpuUsage(cpu0);
    const out = { cpuMs: (cpu.user + cpu.system) / 1000, rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, ok: r['2xx'], non2xx: r.non2xx, errors: r.errors, timeouts: r.timeouts, acked };
    fs.writeFileSync(process.argv[3]!, JSON.stringify(out));
  },
);
