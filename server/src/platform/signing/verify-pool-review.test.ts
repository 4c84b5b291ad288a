// Review of the signature workers (verify-pool.ts, verifyAsync) as an attacker would try them: records of one batch
// that share a signing input or a signature (no answer swapped between records, whatever their lengths), a malleated
// signature (S + L), a signature made by another key of the ring under this key's id, NUL bytes / non-ASCII / tokens
// over the length limit (refused before any worker sees them), and close() with checks in flight on a worker that
// never answers (answered on the event loop, correctly).
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { KeyRing, sign, verifyAsync } from './index';
import { altered, outcome, verifyOutcome, workerPools } from './test-reason';

const opts = (now = new Date()) => ({ expectedType: 've', now });
const uuid = () => crypto.randomUUID();
const pool = workerPools();

/** Ed25519's group order L: a signature's S + L is the same point equation, refused by strict verifiers (malleability). */
const L = 2n ** 252n + 27742317777372353535851937790883648493n;
function malleated(token: string): string {
  const dot = token.lastIndexOf('.');
  const sig = Buffer.from(token.slice(dot + 1), 'base64url');
  let s = 0n;
  for (let i = 63; i >= 32; i--) s = (s << 8n) | BigInt(sig[i]!);
  s += L;
  for (let i = 32; i < 64; i++) {
    sig[i] = Number(s & 0xffn);
    s >>= 8n;
  }
  return `${token.slice(0, dot + 1)}${sig.toString('base64url')}`;
}

describe('attacks on the batches of the signature workers', () => {
  it('records sharing a signing input (or a signature) in one batch, of every length up to the limit: no answer swapped', async () => {
    const ring = KeyRing.inMemory();
    const p = pool();
    const tokens: string[] = [];
    for (let i = 0; i < 12; i++) {
      // bodies from a few bytes to ≈ 2.9 kB: records of very different lengths in one buffer
      const good = sign(ring, 've', { e: uuid(), s: 'x'.repeat(i * 260) });
      const other = sign(ring, 've', { e: uuid(), s: 'y'.repeat(i * 260) });
      const dot = good.lastIndexOf('.');
      tokens.push(
        good, // valid
        altered(good), // the same signing input, another signature
        malleated(good), // the same signing input, the signature + L
        `${good.slice(0, dot)}${other.slice(other.lastIndexOf('.'))}`, // the same input, another token's (valid) signature
        `${other.slice(0, other.lastIndexOf('.'))}${good.slice(dot)}`, // this signature under another input
        other, // valid
      );
    }
    expect(Math.max(...tokens.map((t) => t.length))).toBeGreaterThan(3900);
    // in one turn, and in the reverse order in another: each record answered as verify() answers it
    for (const order of [tokens, [...tokens].reverse()]) {
      const before = p.stats.batches;
      const answers = await Promise.all(order.map((t) => outcome(verifyAsync(ring, t, opts(), p))));
      expect(answers).toEqual(order.map((t) => verifyOutcome(ring, t, opts())));
      expect(answers.filter((a) => a === 'valid')).toHaveLength(24);
      expect(p.stats.batches - before).toBe(1);
    }
    expect(p.stats.onLoop).toBe(0);
  });

  it('two workers, turns in flight on both at once: every answer goes back to its own record', async () => {
    const ring = KeyRing.inMemory();
    const p = pool({ size: 2 });
    const turns: Promise<string[]>[] = [];
    const expected: string[][] = [];
    for (let turn = 0; turn < 8; turn++) {
      const tokens = Array.from({ length: 40 }, (_, i) => {
        const t = sign(ring, 've', { e: uuid(), s: 'q'.repeat((turn * 37 + i * 11) % 300) });
        return (i + turn) % 5 === 0 ? altered(t) : (i + turn) % 7 === 0 ? malleated(t) : t;
      });
      expected.push(tokens.map((t) => verifyOutcome(ring, t, opts())));
      turns.push(Promise.all(tokens.map((t) => outcome(verifyAsync(ring, t, opts(), p)))));
      await new Promise((r) => setImmediate(r)); // the next turn
    }
    expect(await Promise.all(turns)).toEqual(expected);
    expect(p.stats).toMatchObject({ batches: 8, checks: 320, onLoop: 0 });
    expect(p.threads).toHaveLength(2);
  });

  it('a signature made by another key of the ring (under this key id, or with the ids swapped) is refused', async () => {
    const ring = KeyRing.inMemory();
    const p = pool();
    const first = sign(ring, 've', { e: uuid() });
    const [payload1, kid1, sig1] = first.split('.') as [string, string, string];
    const kid2 = await ring.rotate();
    const second = sign(ring, 've', { e: uuid() });
    const [payload2, , sig2] = second.split('.') as [string, string, string];
    expect(kid2).not.toBe(kid1);
    // key 2 signs the signing input that names key 1
    const byKey2 = ring.signBytes(Buffer.from(`${payload1}.${kid1}`, 'ascii')).signature.toString('base64url');
    const cases = [first, second, `${payload1}.${kid1}.${byKey2}`, `${payload1}.${kid2}.${sig1}`, `${payload2}.${kid1}.${sig2}`, `${payload1}.${kid2}.${byKey2}`];
    const answers = await Promise.all(cases.map((t) => outcome(verifyAsync(ring, t, opts(), p))));
    expect(answers).toEqual(['valid', 'valid', 'bad_signature', 'bad_signature', 'bad_signature', 'bad_signature']);
    expect(answers).toEqual(cases.map((t) => verifyOutcome(ring, t, opts())));
    expect(p.stats.onLoop).toBe(0);
  });

  it('NUL bytes, non-ASCII characters and tokens over the length limit are malformed before any worker sees them', async () => {
    const ring = KeyRing.inMemory();
    const p = pool();
    const good = sign(ring, 've', { e: uuid() });
    const long = sign(ring, 've', { e: uuid(), s: 'z'.repeat(3100) }); // > 4096 characters
    expect(long.length).toBeGreaterThan(4096);
    const cases = [`${good.slice(0, 5)}\u0000${good.slice(6)}`, `${good}\u0000`, `${good.slice(0, 5)}é${good.slice(6)}`, `${good.slice(0, 5)}\u{1F600}${good.slice(7)}`, long, 'A'.repeat(70_000) + good, `${'A'.repeat(65_600)}.${good.split('.')[1]}.${good.split('.')[2]}`];
    const answers = await Promise.all(cases.map((t) => outcome(verifyAsync(ring, t, opts(), p))));
    expect(answers).toEqual(cases.map(() => 'malformed'));
    expect(p.stats.checks + p.stats.inline).toBe(0);
  });
});

describe('a flood of first-seen tokens faster than the worker checks them', () => {
  // HOLE (fixed on s9/review, DEFAULT_MAX_BACKLOG): nothing bounded the checks a worker held: a flood the event loop
  // hands over faster than the worker checks them (bad-signature tokens, ten prefetched personal QR codes a request,
  // gate batches of 200 items) queued without bound (20 000 unique forged tokens handed over 50 a turn: 17 850 in
  // flight, +36 MB of heap, load 2.6), and every first scan behind the backlog waited for all of it.
  it('a worker already holding maxBacklog checks: the next turns are checked on the event loop at once, the same answers', async () => {
    const ring = KeyRing.inMemory();
    const p = pool({
      maxBacklog: 4,
      timeoutMs: 600_000, // a worker that is far behind (here: never answers) and is not ended for it
      spawn: () => new Worker(`const { parentPort } = require('node:worker_threads'); parentPort.postMessage({ ready: 'test' }); parentPort.on('message', () => {});`, { eval: true }),
    });
    const held = Array.from({ length: 4 }, () => sign(ring, 've', { e: uuid() }));
    const heldAnswers = Promise.all(held.map((t) => outcome(verifyAsync(ring, t, opts(), p))));
    while (p.stats.checks < held.length) await new Promise((r) => setImmediate(r));
    const next = [sign(ring, 've', { e: uuid() }), altered(sign(ring, 've', { e: uuid() }))];
    expect(await Promise.all(next.map((t) => outcome(verifyAsync(ring, t, opts(), p))))).toEqual(['valid', 'bad_signature']);
    expect(p.stats).toMatchObject({ checks: 4, overflow: 2 });
    await p.close();
    expect(await heldAnswers).toEqual(held.map(() => 'valid'));
  });
});

describe('closing the pool with checks in flight', () => {
  it('checks held by a worker that never answers are answered on the event loop at close(), correctly', async () => {
    const ring = KeyRing.inMemory();
    const p = pool({
      timeoutMs: 600_000, // only close() can end it
      spawn: () => new Worker(`const { parentPort } = require('node:worker_threads'); parentPort.postMessage({ ready: 'test' }); parentPort.on('message', () => {});`, { eval: true }),
    });
    const tokens = Array.from({ length: 10 }, (_, i) => (i % 3 === 0 ? altered(sign(ring, 've', { e: uuid() })) : sign(ring, 've', { e: uuid() })));
    const answers = Promise.all(tokens.map((t) => outcome(verifyAsync(ring, t, opts(), p))));
    while (p.stats.checks < tokens.length) await new Promise((r) => setImmediate(r));
    await p.close();
    expect(await answers).toEqual(tokens.map((_, i) => (i % 3 === 0 ? 'bad_signature' : 'valid')));
    expect(p.stats.onLoop).toBe(tokens.length);
    expect(p.threads).toHaveLength(0);
  });
});
