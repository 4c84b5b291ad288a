/**
 * `npm run bench -- signatures`: what the signature workers (platform/signing verify-pool.ts) cost per verification,
 * on each thread, against verify() on the event loop. The same fresh poster tokens are checked
 *   - by verify() on this thread (the event loop's cost today with VIGIL_SIGNATURE_WORKERS=0), and
 *   - by verifyAsync through one worker, in batches of 1, 4, 16, 64 and 256 checks per event-loop turn (the cold
 *     check-in run batches ≈ 25–30): this thread's CPU per check (the round trip's cost on the event loop: the
 *     batch's buffer, postMessage, the answer's message and the promises) and the worker thread's (the math plus
 *     its side of the round trip), both from /proc/thread-self.
 * BENCH_SIG_N tokens per measurement (default 8000), best of BENCH_SIG_ROUNDS (default 3).
 */
import crypto from 'node:crypto';
import { KeyRing, sign, verify, verifyAsync, VerifyPool } from '../server/src/platform/signing';
import { threadCpuMs } from '../server/src/platform/proc';

const N = Number(process.env.BENCH_SIG_N ?? 8000);
const ROUNDS = Number(process.env.BENCH_SIG_ROUNDS ?? 3);
const BATCHES = [1, 4, 16, 64, 256];

export default async function main() {
  const ring = KeyRing.inMemory();
  const pool = new VerifyPool({ size: 1, backend: ring.ed25519.name });
  pool.minBatch = 1; // measure the lone check's round trip too (the server does it on the event loop: DEFAULT_MIN_BATCH)
  const opts = { expectedType: 'v', now: new Date() };
  const fresh = () => Array.from({ length: N }, () => sign(ring, 'v', { e: crypto.randomUUID(), v: crypto.randomUUID() }));
  try {
    await verifyAsync(ring, fresh()[0]!, opts, pool); // the worker is up (and compiled)
    const best = new Map<string, { main: number; worker: number }>();
    const keep = (name: string, main: number, worker: number) => {
      const b = best.get(name);
      if (!b || main + worker < b.main + b.worker) best.set(name, { main, worker });
    };
    for (let round = 0; round < ROUNDS; round++) {
      let tokens = fresh();
      let m0 = threadCpuMs()!;
      for (const t of tokens) verify(ring, t, opts);
      keep('verify() on the event loop', ((threadCpuMs()! - m0) * 1000) / N, 0);
      for (const size of BATCHES) {
        tokens = fresh();
        const [w0] = await pool.workerCpuMs();
        m0 = threadCpuMs()!;
        for (let i = 0; i < N; i += size) await Promise.all(tokens.slice(i, i + size).map((t) => verifyAsync(ring, t, opts, pool)));
        const m1 = threadCpuMs()!;
        const [w1] = await pool.workerCpuMs();
        keep(`worker, ${size} a batch`, ((m1 - m0) * 1000) / N, ((w1! - w0!) * 1000) / N);
      }
    }
    const onLoop = best.get('verify() on the event loop')!.main;
    console.log(`CPU per verification (µs, best of ${ROUNDS} rounds of ${N} fresh tokens; ${ring.ed25519.name}):`);
    for (const [name, b] of best) {
      const total = b.main + b.worker;
      console.log(
        `  ${name.padEnd(28)} event loop ${b.main.toFixed(1).padStart(5)}   worker ${b.worker.toFixed(1).padStart(5)}   both ${total.toFixed(1).padStart(5)}` +
          (b.worker ? `   round-trip overhead ${(total - onLoop).toFixed(1)} µs (${(((total - onLoop) / onLoop) * 100).toFixed(0)} % of the check on the loop)` : ''),
      );
    }
    console.log(`pool: ${pool.stats.batches} batches, ${pool.stats.checks} checks, ${pool.stats.onLoop} redone on the event loop`);
  } finally {
    await pool.close();
  }
}
