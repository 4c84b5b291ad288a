// Sessions kept in memory, so a signed-in request does not read its session row (and its user) every time.
//
// Correctness rests on the change feed `session_changes` (platform migration 0003), written by triggers on `sessions`
// (deleted: sign-out, purge, password change, disabling; expiry moved) and `users` (role, area, status, linked person,
// name changed; deleted), so every writer — any process, the CLI, another module, plain SQL — feeds it. The process's
// one change-feed poller (platform/change-feed.ts, shared with venues' entrances and people's devices) reads it at
// most once a second while requests arrive and hands this cache the sessions and users it names, which are dropped.
// A cached session is trusted only while the last read of the feed began less than FEED_TRUST_MS ago; past that the
// request waits for a read (so a process that cannot read the feed serves nothing from the cache). A sign-out or a
// demotion made by another server therefore applies here within FEED_TRUST_MS; made by this process, at once
// (forgetSession / forgetUserSessions drop the entries of every cache of the process before the answer). Expiry is
// checked on every use against the session's own expires_at. A read of the session row that raced with an
// invalidation is not stored (generation counter).
import { ChangeFeed, POLL_MS } from '../change-feed';
import type { Db } from '../db/types';
import { findSessionUser } from './queries';
import { toAuthUser, type AuthUser } from './service';
import { sessionCaches as caches } from './session-registry';

/** The feed is read at most this often while requests arrive (the platform's change-feed poller). */
export const FEED_POLL_MS = POLL_MS;
/** A cached session is used only while the feed was read within this time; otherwise the request waits for a read. */
export const FEED_TRUST_MS = 3_000;
/** Cached sessions at most (the oldest go first). */
const MAX_ENTRIES = 20_000;
/** A cached session is read again after this long even without a change (belt and braces). */
export const MAX_AGE_MS = 10 * 60_000;
/** The session's last_seen_at is written at most this often. */
const TOUCH_MS = 60_000;

interface Entry {
  user: AuthUser;
  userId: string;
  expiresAt: number;
  lastSeenAt: number;
  cachedAt: number;
}

export class SessionCache {
  private readonly entries = new Map<string, Entry>();
  private readonly byUser = new Map<string, Set<string>>();
  /** Bumped by every invalidation: a database read that began before one is not stored. */
  private generation = 0;
  private readonly counts = { hits: 0, misses: 0 };

  /** `feed`: the app's shared poller (sharedChangeFeed); by default a private one on `monotonic` (tests: another server). */
  constructor(
    private readonly db: Db,
    private readonly monotonic: () => number = () => performance.now(),
    private readonly feed: ChangeFeed = new ChangeFeed(db, monotonic),
  ) {
    caches.add(this);
    // the first delivery finds nothing cached (entries are stored only after a read of the feed)
    this.unsubscribe = [
      feed.subscribe({ table: 'session_changes', key: 'session_id', at: 'changed_at' }, (keys) => {
        for (const k of keys) this.dropSession(k);
      }),
      feed.subscribe({ table: 'session_changes', key: 'user_id', at: 'changed_at' }, (keys) => {
        for (const k of keys) this.dropUser(k);
      }),
    ];
  }

  private readonly unsubscribe: (() => void)[];

  get stats() {
    return { ...this.counts, feedReads: this.feed.reads };
  }

  close() {
    for (const off of this.unsubscribe) off();
    caches.delete(this);
    this.entries.clear();
    this.byUser.clear();
  }

  /** The session's user (null: no such session, expired, or a disabled user). `sessionHash` is sha256 of the cookie. */
  async user(sessionHash: string, now: Date): Promise<AuthUser | null> {
    await this.feed.within(FEED_TRUST_MS);
    const e = this.entries.get(sessionHash);
    const t = this.monotonic();
    if (e && e.expiresAt > now.getTime() && t - e.cachedAt < MAX_AGE_MS) {
      this.counts.hits++;
      if (now.getTime() - e.lastSeenAt > TOUCH_MS) {
        e.lastSeenAt = now.getTime();
        await this.db.updateTable('sessions').set({ last_seen_at: now }).where('id', '=', sessionHash).execute();
      }
      return e.user;
    }
    if (e) this.remove(sessionHash);
    this.counts.misses++;
    // an invalidation applied while the row is read (it may predate the change) keeps the row out of memory; one
    // applied before the read began is already in what the read sees (changes reach the feed after they commit)
    const generation = this.generation;
    const row = await findSessionUser(this.db, sessionHash, now);
    if (!row || row.disabled) return null;
    if (now.getTime() - row.last_seen_at.getTime() > TOUCH_MS)
      await this.db.updateTable('sessions').set({ last_seen_at: now }).where('id', '=', sessionHash).execute();
    const user = toAuthUser(row);
    if (generation === this.generation) this.store(sessionHash, { user, userId: user.id, expiresAt: row.expires_at.getTime(), lastSeenAt: Math.max(now.getTime(), row.last_seen_at.getTime()), cachedAt: this.monotonic() });
    return user;
  }

  dropSession(sessionHash: string) {
    this.generation++;
    this.remove(sessionHash);
  }

  /** Forgets an entry (aged, expired, evicted) without counting as an invalidation of reads in flight. */
  private remove(sessionHash: string) {
    const e = this.entries.get(sessionHash);
    if (!e) return;
    this.entries.delete(sessionHash);
    const set = this.byUser.get(e.userId);
    set?.delete(sessionHash);
    if (set && !set.size) this.byUser.delete(e.userId);
  }

  dropUser(userId: string) {
    this.generation++;
    const set = this.byUser.get(userId);
    if (!set) return;
    for (const h of set) this.entries.delete(h);
    this.byUser.delete(userId);
  }

  feedStale() {
    this.generation++;
    this.feed.stale();
  }

  private store(sessionHash: string, e: Entry) {
    if (!this.entries.has(sessionHash) && this.entries.size >= MAX_ENTRIES) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.remove(oldest.value);
    }
    this.entries.set(sessionHash, e);
    let set = this.byUser.get(e.userId);
    if (!set) this.byUser.set(e.userId, (set = new Set()));
    set.add(sessionHash);
  }
}
