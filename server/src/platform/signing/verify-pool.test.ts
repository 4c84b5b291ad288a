// The signature workers (verify-pool.ts) against the checks on the event loop: the same answers, batches of a turn in
// one message, a killed worker's checks redone on the event loop and the worker replaced, workers that cannot start
// or never answer given up (every check then on the loop), close() ending the threads.
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { KeyRing, sign, verifyAsync, spawnVerifyWorker, loadEd25519 } from './index';
import { DEFAULT_MIN_BATCH, MAX_CRASHES } from './verify-pool';
import { altered, noPrebuild, outcome, verifyOutcome, workerPools } from './test-reason';

const opts = (now = new Date()) => ({ expectedType: 've', now });
const uuid = () => crypto.randomUUID();
const pool = workerPools();

describe('verifyAsync through the signature workers', () => {
  it('answers as verify() does: valid, altered signature or payload, another key, retired key, expired, wrong type', async () => {
    const ring = KeyRing.inMemory();
    const other = KeyRing.inMemory();
    const p = pool();
    const good = sign(ring, 've', { e: uuid() });
    const oldKid = ring.activeKid;
    const toRetire = sign(ring, 've', { e: uuid() });
    const [payload, , signature] = sign(other, 've', { e: uuid() }).split('.');
    const cases = {
      good,
      alteredSignature: altered(good),
      alteredPayload: altered(good, 3),
      unknownKey: sign(other, 've', { e: uuid() }),
      wrongKeySameKid: `${payload}.${oldKid}.${signature}`,
      expired: sign(ring, 've', { e: uuid() }, { expiresAt: new Date(Date.now() - 1000) }),
      wrongType: sign(ring, 'p', { p: uuid() }),
      malformed: 'not.a.token',
    };
    const sync = Object.fromEntries(Object.entries(cases).map(([k, tok]) => [k, verifyOutcome(ring, tok, opts())]));
    const viaWorkers = Object.fromEntries(await Promise.all(Object.entries(cases).map(async ([k, tok]) => [k, await outcome(verifyAsync(ring, tok, opts(), p))])));
    expect(viaWorkers).toEqual(sync);
    expect(sync).toMatchObject({ good: 'valid', alteredSignature: 'bad_signature', alteredPayload: 'bad_signature', unknownKey: 'unknown_key', wrongKeySameKid: 'bad_signature', expired: 'expired', wrongType: 'wrong_type', malformed: 'malformed' });
    expect(p.stats.checks).toBeGreaterThanOrEqual(5); // the signatures went to the worker (malformed and unknown keys never get that far)
    expect(p.stats.onLoop).toBe(0);

    await ring.rotate();
    await ring.retire(oldKid);
    expect(await outcome(verifyAsync(ring, toRetire, opts(), p))).toBe('retired_key');
    expect(await outcome(verifyAsync(ring, good, opts(), p))).toBe('retired_key');
  });

  it('refuses a token whose key is retired while its signature is being checked', async () => {
    const ring = KeyRing.inMemory();
    const p = pool();
    await verifyAsync(ring, sign(ring, 've', { e: uuid() }), opts(), p); // the worker is up
    const token = sign(ring, 've', { e: uuid() });
    const pending = outcome(verifyAsync(ring, token, opts(), p));
    const kid = ring.activeKid;
    await ring.rotate();
    await ring.retire(kid);
    expect(await pending).toBe('retired_key');
  });

  it('sends the checks asked for in one event-loop turn in one message', async () => {
    const ring = KeyRing.inMemory();
    const p = pool();
    const tokens = Array.from({ length: 50 }, () => sign(ring, 've', { e: uuid() }));
    const bad = new Set([3, 17, 42]);
    const answers = await Promise.all(tokens.map((t, i) => outcome(verifyAsync(ring, bad.has(i) ? altered(t) : t, opts(), p))));
    expect(answers).toEqual(tokens.map((_, i) => (bad.has(i) ? 'bad_signature' : 'valid')));
    expect(p.stats).toMatchObject({ batches: 1, checks: 50, onLoop: 0 });
  });

  it('uses the node:crypto backend in the worker when the ring does (same answers)', async () => {
    const ring = KeyRing.inMemory({ ed25519: loadEd25519(noPrebuild) });
    const p = pool({ backend: ring.ed25519.name });
    const token = sign(ring, 've', { e: uuid() });
    expect([await outcome(verifyAsync(ring, token, opts(), p)), await outcome(verifyAsync(ring, altered(token), opts(), p))]).toEqual(['valid', 'bad_signature']);
    expect(p.stats.onLoop).toBe(0);
  });

  it('a check alone in its turn is done on the event loop by default (a round trip would cost the loop as much)', async () => {
    const ring = KeyRing.inMemory();
    const p = pool();
    p.minBatch = DEFAULT_MIN_BATCH;
    expect(await outcome(verifyAsync(ring, sign(ring, 've', { e: uuid() }), opts(), p))).toBe('valid');
    expect(await outcome(verifyAsync(ring, altered(sign(ring, 've', { e: uuid() })), opts(), p))).toBe('bad_signature');
    expect(p.stats).toMatchObject({ batches: 0, inline: 2, onLoop: 0 });
    const two = [sign(ring, 've', { e: uuid() }), altered(sign(ring, 've', { e: uuid() }))];
    expect(await Promise.all(two.map((t) => outcome(verifyAsync(ring, t, opts(), p))))).toEqual(['valid', 'bad_signature']);
    expect(p.stats).toMatchObject({ batches: 1, checks: 2, inline: 2 });
  });

  it('with size 0 checks on the event loop and starts no thread', async () => {
    const ring = KeyRing.inMemory();
    const p = pool({ size: 0, spawn: () => { throw new Error('must not start'); } });
    expect(await outcome(verifyAsync(ring, sign(ring, 've', { e: uuid() }), opts(), p))).toBe('valid');
    expect(await outcome(verifyAsync(ring, altered(sign(ring, 've', { e: uuid() })), opts(), p))).toBe('bad_signature');
    expect(p.threads).toHaveLength(0);
    expect(p.stats.batches).toBe(0);
  });
});

describe('failures of the signature workers', () => {
  it('a killed worker: its checks are redone on the event loop (no false "valid", none left waiting), and another worker takes over', async () => {
    const ring = KeyRing.inMemory();
    const spawned: Worker[] = [];
    const warnings: string[] = [];
    const p = pool({ spawn: (d) => { const w = spawnVerifyWorker(d); spawned.push(w); return w; }, log: { info: () => {}, warn: (m) => void warnings.push(m) } });
    await verifyAsync(ring, sign(ring, 've', { e: uuid() }), opts(), p); // started and answering
    const tokens = Array.from({ length: 2000 }, (_, i) => (i % 7 === 0 ? altered(sign(ring, 've', { e: uuid() })) : sign(ring, 've', { e: uuid() })));
    const answers = Promise.all(tokens.map((t) => outcome(verifyAsync(ring, t, opts(), p))));
    await new Promise((r) => setImmediate(r)); // the batch was sent (≈ 90 ms of work for the worker)
    expect(p.stats.checks).toBe(2001);
    await spawned[0]!.terminate();
    expect(await answers).toEqual(tokens.map((_, i) => (i % 7 === 0 ? 'bad_signature' : 'valid')));
    expect(p.stats.onLoop).toBe(2000);
    expect(p.stats.restarts).toBe(1);
    expect(warnings.join('\n')).toContain('exited');
    // the replacement answers
    expect(await outcome(verifyAsync(ring, sign(ring, 've', { e: uuid() }), opts(), p))).toBe('valid');
    expect(spawned).toHaveLength(2);
    expect(p.stats.onLoop).toBe(2000);
  });

  it('workers that crash on every batch are not restarted for ever: after MAX_CRASHES the checks stay on the event loop', async () => {
    const ring = KeyRing.inMemory();
    const warnings: string[] = [];
    let spawned = 0;
    // a thread that says it is ready and dies on its first batch
    const crashing = () => {
      spawned++;
      return new Worker(`const { parentPort } = require('node:worker_threads'); parentPort.postMessage({ ready: 'test' }); parentPort.on('message', () => process.exit(3));`, { eval: true });
    };
    const p = pool({ spawn: crashing, log: { info: () => {}, warn: (m) => void warnings.push(m) } });
    for (let i = 0; i < MAX_CRASHES + 3; i++) {
      const token = sign(ring, 've', { e: uuid() });
      const [good, bad] = await Promise.all([outcome(verifyAsync(ring, token, opts(), p)), outcome(verifyAsync(ring, altered(token), opts(), p))]);
      expect([good, bad]).toEqual(['valid', 'bad_signature']);
    }
    expect(spawned).toBe(MAX_CRASHES + 1);
    expect(p.size).toBe(0);
    expect(warnings.at(-1)).toContain('event loop from now on');
  });

  it('workers that cannot start: every check on the event loop, a warning, the pool empty', async () => {
    const ring = KeyRing.inMemory();
    const warnings: string[] = [];
    let tries = 0;
    const p = pool({ spawn: () => { tries++; throw new Error('ERR_WORKER_INIT_FAILED'); }, log: { info: () => {}, warn: (m) => void warnings.push(m) } });
    expect(await outcome(verifyAsync(ring, sign(ring, 've', { e: uuid() }), opts(), p))).toBe('valid');
    expect(await outcome(verifyAsync(ring, altered(sign(ring, 've', { e: uuid() })), opts(), p))).toBe('bad_signature');
    expect(tries).toBe(3);
    expect(p.size).toBe(0);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('event loop');
  });

  it('a worker that never answers is ended after the timeout and its checks are done on the event loop', async () => {
    const ring = KeyRing.inMemory();
    const spawned: Worker[] = [];
    const exits: Promise<number>[] = [];
    // a thread that takes messages and never answers (nor says it is ready)
    const p = pool({ timeoutMs: 200, spawn: () => { const w = new Worker(`require('node:worker_threads').parentPort.on('message', () => {})`, { eval: true }); spawned.push(w); exits.push(new Promise((r) => w.once('exit', r))); return w; } });
    const token = sign(ring, 've', { e: uuid() });
    expect(await Promise.all([outcome(verifyAsync(ring, token, opts(), p)), outcome(verifyAsync(ring, altered(token), opts(), p))])).toEqual(['valid', 'bad_signature']);
    expect(p.stats.onLoop).toBe(2);
    await Promise.all(exits.slice(0, 1)); // the hung thread was ended
  });

  it('close() ends the threads; checks after it run on the event loop', async () => {
    const ring = KeyRing.inMemory();
    const p = pool();
    await verifyAsync(ring, sign(ring, 've', { e: uuid() }), opts(), p);
    const [thread] = p.threads;
    const exited = new Promise((r) => thread!.once('exit', r));
    await p.close();
    await exited;
    expect(p.threads).toHaveLength(0);
    expect(await outcome(verifyAsync(ring, sign(ring, 've', { e: uuid() }), opts(), p))).toBe('valid');
  });
});
