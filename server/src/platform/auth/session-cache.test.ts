// Sessions from memory (session-cache.ts): a signed-out, demoted, disabled or expired session is refused promptly —
// by this process at once, by another process on the same database (here: a second app, and plain SQL as another
// server would write) as soon as the change feed has been read, and never trusted past FEED_TRUST_MS without a read.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { anotherApp, testContext, type TestContext } from '../../../test/helpers';
import { KeyRing } from '../signing';
import { buildApp } from '../../app';
import { ChangeFeed, sharedChangeFeed } from '../change-feed';
import { FEED_POLL_MS, FEED_TRUST_MS, MAX_AGE_MS, SessionCache } from './session-cache';
import { sha256 } from './service';

let t: TestContext;
beforeAll(async () => {
  t = await testContext();
});
afterAll(async () => {
  await t?.close();
});

const hashOf = (headers: Record<string, string>) => sha256(decodeURIComponent(headers.cookie!.split('=')[1]!));
const me = (app: TestContext['app'], headers: Record<string, string>) => app.inject({ method: 'GET', url: '/api/auth/me', headers });

/** Asks until the answer has the status wanted; the bound is the feed's trust window with room for a busy machine. */
async function until(ask: () => Promise<{ statusCode: number; body: string }>, status: number, boundMs = FEED_TRUST_MS * 10) {
  const started = performance.now();
  for (;;) {
    const r = await ask();
    if (r.statusCode === status) return { res: r, ms: performance.now() - started };
    if (performance.now() - started > boundMs) throw new Error(`still ${r.statusCode} after ${boundMs} ms: ${r.body}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('session cache, driven by its own clock', () => {
  it('serves a session from memory while the feed is fresh, and refuses it once the feed shows the sign-out', async () => {
    const staff = await t.login('vaccination_staff', '40');
    let mono = 1_000_000;
    const cache = new SessionCache(t.db, () => mono);
    try {
      const now = new Date();
      expect((await cache.user(hashOf(staff.headers), now))?.id).toBe(staff.id);
      expect(cache.stats.misses).toBe(1);
      // another server signs the session out (plain SQL: nothing of this process is told)
      await sql`delete from sessions where id = ${hashOf(staff.headers)}`.execute(t.db);
      // within the poll interval: from memory (this is what saves the read on every request)
      expect((await cache.user(hashOf(staff.headers), now))?.id).toBe(staff.id);
      expect(cache.stats.hits).toBe(1);
      // past the trust window the request waits for a read of the feed, which names the session: refused
      mono += FEED_TRUST_MS;
      expect(await cache.user(hashOf(staff.headers), now)).toBeNull();
    } finally {
      cache.close();
    }
  });

  it('reads the feed in the background once the poll interval has passed, and applies it before the trust window ends', async () => {
    const staff = await t.login('vaccination_staff', '40');
    let mono = 5_000_000;
    const cache = new SessionCache(t.db, () => mono);
    try {
      const now = new Date();
      expect((await cache.user(hashOf(staff.headers), now))?.role).toBe('vaccination_staff');
      await sql`update users set role = 'citizen' where id = ${staff.id}`.execute(t.db);
      mono += FEED_POLL_MS; // due: a read starts; this request still gets the cached session
      const feedReads = cache.stats.feedReads;
      expect((await cache.user(hashOf(staff.headers), now))?.role).toBe('vaccination_staff');
      await until(async () => ({ statusCode: cache.stats.feedReads > feedReads ? 200 : 0, body: '' }), 200);
      // the read dropped the user's sessions: the next use reads the row again and sees the demotion
      expect((await cache.user(hashOf(staff.headers), now))?.role).toBe('citizen');
    } finally {
      cache.close();
    }
  });

  it('refuses an expired session at once, whatever the feed says', async () => {
    const staff = await t.login('vaccination_staff', '40');
    const mono = 9_000_000;
    const cache = new SessionCache(t.db, () => mono);
    try {
      const row = await t.db.selectFrom('sessions').select('expires_at').where('id', '=', hashOf(staff.headers)).executeTakeFirstOrThrow();
      expect(await cache.user(hashOf(staff.headers), new Date(row.expires_at.getTime() - 1000))).not.toBeNull();
      expect(await cache.user(hashOf(staff.headers), new Date(row.expires_at.getTime() + 1))).toBeNull();
    } finally {
      cache.close();
    }
  });

  it('reads a session again after MAX_AGE_MS, and keeps the fresh read', async () => {
    const staff = await t.login('vaccination_staff', '40');
    let mono = 20_000_000;
    const cache = new SessionCache(t.db, () => mono);
    try {
      const now = new Date();
      await cache.user(hashOf(staff.headers), now);
      mono += MAX_AGE_MS;
      await cache.user(hashOf(staff.headers), now);
      expect(cache.stats).toMatchObject({ misses: 2, hits: 0 });
      expect((await cache.user(hashOf(staff.headers), now))?.id).toBe(staff.id);
      expect(cache.stats).toMatchObject({ misses: 2, hits: 1 });
    } finally {
      cache.close();
    }
  });

  it('does not keep a session read that raced with a sign-out', async () => {
    const staff = await t.login('vaccination_staff', '40');
    const cache = new SessionCache(t.db, () => 12_000_000);
    const locker = await t.database.pool.connect();
    try {
      await cache.user('nothing', new Date()); // the feed is read; the next call goes straight to the session row
      // hold the session read back until the sign-out has been applied to the cache
      await locker.query('begin; lock table sessions in access exclusive mode');
      const pending = cache.user(hashOf(staff.headers), new Date());
      await until(async () => {
        const r = await sql<{ n: number }>`select count(*)::int as n from pg_locks where relation = 'sessions'::regclass and not granted`.execute(t.db);
        return { statusCode: r.rows[0]!.n > 0 ? 200 : 0, body: '' };
      }, 200);
      cache.dropSession(hashOf(staff.headers)); // a sign-out reaches the cache while the row is being read
      await locker.query('commit');
      expect(await pending).not.toBeNull(); // the read saw the row as it was
      await sql`delete from sessions where id = ${hashOf(staff.headers)}`.execute(t.db);
      expect(await cache.user(hashOf(staff.headers), new Date())).toBeNull(); // read again, not served from memory
    } finally {
      locker.release();
      cache.close();
    }
  });
});

describe('sessions over HTTP, two servers on one database', () => {
  it('a sign-out on one server is refused by the other', async () => {
    const b = await anotherApp(t, { keys: KeyRing.inMemory() });
    try {
      const staff = await t.login('vaccination_staff', '40');
      expect((await me(b.app, staff.headers)).statusCode).toBe(200); // cached by b
      expect((await t.app.inject({ method: 'POST', url: '/api/auth/logout', headers: staff.headers })).statusCode).toBe(204);
      expect((await me(t.app, staff.headers)).statusCode).toBe(401);
      await until(() => me(b.app, staff.headers), 401);
    } finally {
      await b.close();
    }
  });

  it('a demotion or a disabled account written by another process (plain SQL) is refused within the trust window', async () => {
    const b = await anotherApp(t, { keys: KeyRing.inMemory() });
    try {
      const officer = await t.login('cdc_officer', '40');
      const admin = await t.login('national_admin');
      expect((await b.app.inject({ method: 'GET', url: '/api/vaccination/dashboard', headers: officer.headers })).statusCode).toBe(200);
      expect((await me(t.app, officer.headers)).statusCode).toBe(200);
      await sql`update users set role = 'citizen' where id = ${officer.id}`.execute(t.db);
      const demoted = await until(() => b.app.inject({ method: 'GET', url: '/api/vaccination/dashboard', headers: officer.headers }), 403);
      expect(demoted.ms).toBeLessThan(FEED_TRUST_MS * 10);
      await until(async () => {
        const r = await me(t.app, officer.headers);
        return JSON.parse(r.body).user?.role === 'citizen' ? r : { statusCode: 0, body: r.body };
      }, 200);

      // disabling through the users route (server a) ends the session on server b too
      const res = await t.app.inject({ method: 'PATCH', url: `/api/users/${officer.id}`, headers: admin.headers, payload: { disabled: true } });
      expect(res.statusCode, res.body).toBe(200);
      await until(() => me(b.app, officer.headers), 401);
      await until(() => me(t.app, officer.headers), 401);
    } finally {
      await b.close();
    }
  });
});

describe('closing', () => {
  it('a closed cache leaves the shared change feed: no subscriber, no call, no query column left behind', async () => {
    const feed = new ChangeFeed(t.db);
    const cache = new SessionCache(t.db, undefined, feed);
    expect(feed.subscriberCount).toBe(2);
    cache.close();
    expect(feed.subscriberCount).toBe(0);
  });

  it('closing an app built on a database another app shares leaves none of its subscribers on the process feed', async () => {
    const feed = sharedChangeFeed({ db: t.db, config: t.config });
    const before = feed.subscriberCount;
    expect(before).toBeGreaterThan(0); // t's own sessions, entrances, devices
    const second = await buildApp(t.config, { database: t.database, logger: false, keys: KeyRing.inMemory(), webDist: null });
    await second.ready();
    expect(feed.subscriberCount).toBeGreaterThan(before);
    await second.close();
    expect(feed.subscriberCount).toBe(before);
    // t still serves signed-in requests (its cache stayed subscribed)
    const staff = await t.login('vaccination_staff', '40');
    expect((await me(t.app, staff.headers)).statusCode).toBe(200);
  });
});
