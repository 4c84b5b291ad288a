import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { LruCache, SharedRuns, tokenKey } from './cache';

describe('LruCache (CLOCK eviction)', () => {
  it('keeps at most maxEntries and evicts entries not used since they were added before used ones', () => {
    const c = new LruCache<string, number>(3);
    c.set('a', 1);
    c.set('b', 2);
    c.set('c', 3);
    expect(c.get('a')).toBe(1); // a used: gets a second chance
    c.set('d', 4); // evicts b (oldest unused), not a
    expect(c.size).toBe(3);
    expect(c.get('b')).toBeUndefined();
    expect([c.get('a'), c.get('c'), c.get('d')]).toEqual([1, 3, 4]);
    // everything used: the oldest goes after one round of second chances
    c.set('e', 5);
    expect(c.size).toBe(3);
    expect(c.get('e')).toBe(5);
  });

  it('expires entries after the TTL and reports their age', () => {
    let now = 0;
    const c = new LruCache<string, string>(10, 1000, () => now);
    c.set('k', 'v');
    now = 400;
    expect(c.getWithAge('k')).toEqual({ value: 'v', age: 400 });
    now = 1001;
    expect(c.get('k')).toBeUndefined();
    expect(c.size).toBe(0);
  });

  it('treats an entry from the future (a wall clock set back) as expired, not as fresh for longer', () => {
    let now = 10_000;
    const c = new LruCache<string, string>(10, 1000, () => now);
    c.set('k', 'v');
    now = 5_000;
    expect(c.getWithAge('k')).toBeUndefined();
    c.set('k', 'v');
    now = 4_000;
    expect(c.get('k')).toBeUndefined();
  });

  it('deletes by predicate', () => {
    const c = new LruCache<string, string>(10);
    c.set('t1', 'venue-a');
    c.set('t2', 'venue-b');
    c.deleteWhere((v) => v === 'venue-a');
    expect([c.get('t1'), c.get('t2')]).toEqual([undefined, 'venue-b']);
  });
});

describe('tokenKey', () => {
  const token = () => `${crypto.randomBytes(28).toString('base64url')}.abcdef.${crypto.randomBytes(32).toString('base64url')}`;
  it('gives a small integer from the signature, the same for the same token, spread over distinct tokens', () => {
    const tokens = Array.from({ length: 20_000 }, token);
    const keys = tokens.map(tokenKey);
    for (const k of keys) expect(Number.isInteger(k) && k >= 0 && k < 2 ** 30).toBe(true);
    expect(tokenKey(`${tokens[0]}`.slice(0))).toBe(keys[0]);
    // 20,000 tokens in 2^30 keys: a handful of shared keys at most (callers compare the whole token anyway)
    expect(keys.length - new Set(keys).size).toBeLessThan(5);
  });

  it('is the same for tokens that differ before their signature: a key alone never identifies a token', () => {
    const t = token();
    expect(tokenKey(`X${t.slice(1)}`)).toBe(tokenKey(t));
    expect(tokenKey(t.slice(0, -3) + (t.at(-3) === 'A' ? 'B' : 'A') + t.slice(-2))).not.toBe(tokenKey(t));
  });
});

describe('SharedRuns', () => {
  it('gives concurrent requests for one key one run, its answer or its error, and runs again once it has settled', async () => {
    const runs = new SharedRuns<string, number>();
    let started = 0;
    let finish!: (n: number) => void;
    const work = () => {
      started++;
      return new Promise<number>((r) => (finish = r));
    };
    const a = runs.run('k', work);
    const b = runs.run('k', work);
    expect(b).toBe(a);
    expect(started).toBe(1);
    expect(runs.size).toBe(1);
    finish(7);
    expect([await a, await b]).toEqual([7, 7]);
    expect(runs.size).toBe(0);
    const c = runs.run('k', work);
    expect(started).toBe(2);
    finish(8);
    expect(await c).toBe(8);
    // a failed run is shared as well, and forgotten: the next request tries again
    let fail!: (e: Error) => void;
    const failing = () => {
      started++;
      return new Promise<number>((_, r) => (fail = r));
    };
    const d = runs.run('x', failing);
    const e = runs.run('x', failing);
    fail(new Error('no'));
    await expect(d).rejects.toThrow('no');
    await expect(e).rejects.toThrow('no');
    expect(started).toBe(3);
    expect(runs.size).toBe(0);
    // other keys run on their own; work that throws before it returns a promise is a rejected request, nothing kept
    const f = runs.run('y', () => Promise.resolve(1));
    const g = runs.run('z', () => {
      throw new Error('at once');
    });
    expect(await f).toBe(1);
    await expect(g).rejects.toThrow('at once');
    expect(runs.size).toBe(0);
  });
});
