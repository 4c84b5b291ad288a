/**
 * A bounded map with an optional time-to-live per entry, evicting with the CLOCK ("second chance") approximation
 * of least-recently-used: a hit only marks the entry (no re-insertion, so a hit is one Map look-up, which matters
 * on the check-in hot path), and eviction skips — once — entries used since they were last considered.
 */
export class LruCache<K, V> {
  private readonly map = new Map<K, { value: V; at: number; used: boolean }>();
  private readonly ttl: boolean;

  constructor(
    private readonly maxEntries: number,
    private readonly ttlMs: number = Infinity,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.ttl = Number.isFinite(ttlMs);
  }

  get(key: K): V | undefined {
    const e = this.map.get(key);
    if (!e) return undefined;
    if (this.ttl && this.expired(this.now() - e.at)) {
      this.map.delete(key);
      return undefined;
    }
    e.used = true;
    return e.value;
  }

  /** Like get(), plus the entry's age in ms (callers refresh ageing entries ahead of expiry). */
  getWithAge(key: K): { value: V; age: number } | undefined {
    const e = this.map.get(key);
    if (!e) return undefined;
    const age = this.now() - e.at;
    if (this.expired(age)) {
      this.map.delete(key);
      return undefined;
    }
    e.used = true;
    return { value: e.value, age };
  }

  /** Past its time to live; a negative age (a wall clock set back) counts as expired rather than fresh for longer. */
  private expired(age: number): boolean {
    return age > this.ttlMs || age < 0;
  }

  set(key: K, value: V): void {
    if (!this.map.delete(key) && this.map.size >= this.maxEntries) this.evictOne();
    this.map.set(key, { value, at: this.ttl ? this.now() : 0, used: false });
  }

  private evictOne(): void {
    // Oldest first; an entry used since it was last looked at goes to the back once (its flag cleared).
    for (let guard = this.map.size; guard > 0; guard--) {
      const oldest = this.map.entries().next();
      if (oldest.done) return;
      const [k, e] = oldest.value;
      this.map.delete(k);
      if (!e.used) return;
      e.used = false;
      this.map.set(k, e);
    }
    const first = this.map.keys().next();
    if (!first.done) this.map.delete(first.value);
  }

  delete(key: K): void {
    this.map.delete(key);
  }

  /** Drops every entry whose value matches (e.g. all cached tokens of a suspended venue). */
  deleteWhere(pred: (value: V, key: K) => boolean): void {
    for (const [k, e] of this.map) if (pred(e.value, k)) this.map.delete(k);
  }

  clear(): void {
    this.map.clear();
  }

  get size(): number {
    return this.map.size;
  }
}

/**
 * Concurrent requests for one key share one run of the work (its promise), forgotten once it settles: a later
 * request starts a new run. What the work settles to is the callers' to keep (a cache), not this.
 */
export class SharedRuns<K, V> {
  private readonly running = new Map<K, Promise<V>>();

  run(key: K, work: () => Promise<V>): Promise<V> {
    const pending = this.running.get(key);
    if (pending) return pending;
    let p: Promise<V>;
    try {
      p = work();
    } catch (err) {
      return Promise.reject(err);
    }
    this.running.set(key, p);
    const forget = () => void this.running.delete(key);
    p.then(forget, forget);
    return p;
  }

  /** runs in flight (for tests) */
  get size(): number {
    return this.running.size;
  }
}

/** base64url character → its 6-bit value (anything else → 0). */
const B64URL_VALUE = (() => {
  const t = new Uint8Array(128);
  const abc = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  for (let i = 0; i < abc.length; i++) t[abc.charCodeAt(i)] = i;
  return t;
})();

/**
 * A small-integer key for a signed token (platform/signing: its signature or MAC is the last segment): 30 bits
 * from five of the signature's characters (the last character carries only padding bits, so it is left out).
 * A map keyed by it hashes a small integer instead of the 120–150-character string (V8 hashes every new string
 * again: each request's token is a new one). Tokens with equal keys exist: callers keep the whole token in the
 * entry and compare it (a string comparison, no hashing) before trusting anything the entry says.
 */
export function tokenKey(token: string): number {
  const n = token.length;
  let k = 0;
  for (let i = n - 6; i < n - 1; i++) k = (k << 6) | B64URL_VALUE[token.charCodeAt(i) & 127]!;
  return k & 0x3fffffff;
}
