import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { LruCache, tokenKey } from './cache';

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
