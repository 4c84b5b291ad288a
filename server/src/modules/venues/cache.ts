/** A small LRU map with an optional time-to-live per entry (Map keeps insertion order: re-insert on hit). */
export class LruCache<K, V> {
  private readonly map = new Map<K, { value: V; at: number }>();

  constructor(
    private readonly maxEntries: number,
    private readonly ttlMs: number = Infinity,
    private readonly now: () => number = () => performance.now(),
  ) {}

  get(key: K): V | undefined {
    const e = this.map.get(key);
    if (!e) return undefined;
    if (this.now() - e.at > this.ttlMs) {
      this.map.delete(key);
      return undefined;
    }
    this.map.delete(key);
    this.map.set(key, e);
    return e.value;
  }

  /** Like get(), plus the entry's age in ms (callers refresh ageing entries ahead of expiry). */
  getWithAge(key: K): { value: V; age: number } | undefined {
    const e = this.map.get(key);
    if (!e) return undefined;
    const age = this.now() - e.at;
    if (age > this.ttlMs) {
      this.map.delete(key);
      return undefined;
    }
    this.map.delete(key);
    this.map.set(key, e);
    return { value: e.value, age };
  }

  set(key: K, value: V): void {
    this.map.delete(key);
    this.map.set(key, { value, at: this.now() });
    if (this.map.size > this.maxEntries) {
      const oldest = this.map.keys().next();
      if (!oldest.done) this.map.delete(oldest.value);
    }
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
