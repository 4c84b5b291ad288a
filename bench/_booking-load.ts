// Load generator for bench/booking.ts, run as a separate process (its own event loop): sends each prepared booking
// body once over `connections` connections (autocannon), or the same number of requests to an echo route; writes
// the figures, the count of each HTTP status and the ids of the bookings acknowledged (201) to argv[3].
import fs from 'node:fs';
import autocannon from 'autocannon';

interface Job {
  url: string;
  connections: number;
  bodies: string[];
  cookies: string[];
}

const job = JSON.parse(fs.readFileSync(process.argv[2]!, 'utf8')) as Job;
const tally: Record<number, number> = {};
const acked: string[] = [];
const ID = /"ids":\["([0-9a-f-]{36})"/;
let next = 0;
const cpu0 = process.cpuUsage();
const started = Date.now();

autocannon(
  {
    url: job.url,
    method: 'POST',
    connections: job.connections,
    amount: job.bodies.length,
    timeout: 30,
    requests: [
      {
        setupRequest: (req: object) => {
          const i = next++;
          return {
            ...req,
            method: 'POST',
            body: job.bodies[i % job.bodies.length],
            headers: { 'content-type': 'application/json', 'x-requested-with': 'vigil', cookie: job.cookies[i % job.cookies.length]!, 'x-forwarded-for': `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}` },
          };
        },
        onResponse: (status: number, body: string) => {
          tally[status] = (tally[status] ?? 0) + 1;
          const m = status === 201 ? ID.exec(body) : null;
          if (m) acked.push(m[1]!);
        },
      },
    ],
  } as never,
  (err, r) => {
    if (err) throw err;
    const cpu = process.cpuUsage(cpu0);
    const seconds = (Date.now() - started) / 1000;
    fs.writeFileSync(process.argv[3]!, JSON.stringify({ cpuMs: (cpu.user + cpu.system) / 1000, seconds, p50: r.latency.p50, p99: r.latency.p99, ok: r['2xx'], non2xx: r.non2xx, errors: r.errors, timeouts: r.timeouts, tally, acked }));
  },
);
