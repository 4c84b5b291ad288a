// Device tokens: what a phone remembers after someone checked in from it (so the next check-in is one tap). A device
// token is an HMAC'd reference { p: person, d: device } (platform/signing signMac; cheap to verify on the hot path)
// to a row of person_devices, and works only while that row is neither revoked nor idle for longer than
// VIGIL_DEVICE_TOKEN_IDLE_DAYS (default 30). Last use is written at most once per TOUCH_MS.
// Tokens from before device rows existed (no `d`) are refused as expired: the phone shows the form again.
//
// The check-in hot path reads a device row once per CACHE_MS (hours), not once a minute per phone: concurrent
// first reads go to the database together (one statement for all the devices a moment's check-ins name), and
// revocations reach every server process through a feed (person_device_revocations, written by a trigger), read by
// the process's shared change-feed poller (platform/change-feed: one statement per second for every feed, while
// tokens are checked); a cached row is trusted only while the last read is younger than REVOCATION_STALE_MS (a
// check-in waits for a read otherwise). A revocation made here applies at once; one made by another process within
// REVOCATION_STALE_MS.
//
// A warm check-in (warmPerson) asks all of that with one map look-up, keyed by a small integer from the token's
// MAC (platform/cache tokenKey) and confirmed by comparing the whole token: the entry holds the device's cached row
// itself (the very object revocations mark), so nothing else is looked up while every condition holds.
import { sql } from 'kysely';
import type { Db, DbOrTx } from '../../platform/db/types';
import { verifyMac, SignatureError, type KeyRing } from '../../platform/signing';
import { tokenKey } from '../../platform/cache';
import { ChangeFeed, sharedChangeFeed } from '../../platform/change-feed';
import { personDeviceToken, personIdOf, PERSONAL_QR_TYPE } from './qr';

/** How long a device row read from the database is trusted (revocations arrive through the feed meanwhile). */
export const CACHE_MS = 6 * 3600_000;
export const TOUCH_MS = 3600_000;
/** A cached row is not used when the revocation feed was last read longer ago than this (the check-in waits for a read). */
export const REVOCATION_STALE_MS = 5_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const MAX_CACHED = 200_000;
/** Device rows read in one statement at most. */
const MAX_LOAD = 1000;

export type DeviceOrigin = 'form' | 'household';

interface Cached {
  lastUsedAt: number;
  revoked: boolean;
  readAt: number;
  /** No longer in the cache (evicted: it is bounded); a token entry holding it must look the device up again. */
  dropped?: boolean;
}

/** A device token whose MAC was checked: what it names, and the device's row once read (the object `cache` holds). */
interface CheckedToken {
  token: string;
  kid: string;
  personId: string;
  deviceId: string;
  device: Cached | null;
}

export interface DeviceRegistryOptions {
  /** Monotonic-enough milliseconds for cache ages and polls (tests move it instead of sleeping). */
  ms?: () => number;
  /** The process's shared change feed (default: a private one on `ms`, as another server process would have). */
  feed?: ChangeFeed;
}

export class DeviceRegistry {
  private readonly cache = new Map<string, Cached>();
  /**
   * tokenKey(token) → the token whose MAC was checked and what it names (checkedToken; the whole token compared).
   * A plain map, oldest out first like `cache`: each hop from the key to the device row is a likely cache miss on
   * the warm path (≈ 0.3 µs each under load), so no wrapper object per entry.
   */
  private readonly tokens = new Map<number, CheckedToken>();
  /** Device ids waiting to be read, with their callers; read together by one statement at a time. */
  private queue = new Map<string, { resolve: (c: Cached) => void; reject: (e: unknown) => void }[]>();
  private reading = false;
  /**
   * Device ids of the statement under way, true once a revocation of one arrived meanwhile: the row it returns was
   * read before that revocation committed, and a device not cached yet has no entry for markRevoked to mark.
   */
  private readonly inFlight = new Map<string, boolean>();
  /** The revocation feed (person_device_revocations) through the shared poller. */
  private readonly feed: ChangeFeed;
  private readonly ms: () => number;

  constructor(
    private readonly db: Db,
    private readonly keys: KeyRing,
    private readonly idleDays: number,
    opts: DeviceRegistryOptions = {},
  ) {
    this.ms = opts.ms ?? Date.now;
    this.feed = opts.feed ?? new ChangeFeed(db, this.ms);
    this.feed.subscribe({ table: 'person_device_revocations', key: 'device_id', at: 'revoked_at' }, (ids) => {
      for (const id of ids) this.markRevoked(id);
    });
  }

  private get idleMs() {
    return this.idleDays * 86400_000;
  }

  /** A new device row for `personId` and its token. */
  async issue(personId: string, origin: DeviceOrigin, now: Date, db: DbOrTx = this.db): Promise<string> {
    const row = await db
      .insertInto('person_devices')
      .values({ person_id: personId, origin, created_at: now, last_used_at: now, revoked_at: null })
      .returning('id')
      .executeTakeFirstOrThrow();
    return this.issued(personId, row.id, now);
  }

  /** The token of a device row just written elsewhere (e.g. by findOrCreatePublicWithDevice), remembered as live. */
  issued(personId: string, deviceId: string, now: Date): string {
    this.remember(deviceId, { lastUsedAt: now.getTime(), revoked: false, readAt: this.ms() });
    return personDeviceToken(this.keys, personId, deviceId);
  }

  /** { person, device } of a device token; throws SignatureError (reason 'expired' when revoked, idle or from before devices). */
  async verify(token: string, now: Date): Promise<{ personId: string; deviceId: string }> {
    const t = this.checkedToken(token, now);
    const { personId, deviceId } = t;
    if (!this.feed.fresh(REVOCATION_STALE_MS)) await this.feed.within(REVOCATION_STALE_MS);
    let d: Cached | null | undefined = t.device;
    if (!d || d.dropped) d = this.cache.get(deviceId);
    if (!d || this.ms() - d.readAt > CACHE_MS) d = await this.read(deviceId);
    t.device = d;
    if (d.revoked) throw new SignatureError('expired', 'device token revoked');
    if (now.getTime() - d.lastUsedAt > this.idleMs) throw new SignatureError('expired', 'device token unused for too long');
    if (now.getTime() - d.lastUsedAt > TOUCH_MS) {
      d.lastUsedAt = now.getTime();
      await this.db.updateTable('person_devices').set({ last_used_at: now }).where('id', '=', deviceId).where('last_used_at', '<', now).execute();
    }
    return { personId, deviceId };
  }

  /**
   * Person and device named by a token, its MAC checked once per token string (a phone sends the same token with
   * every check-in): a token seen before is taken from the cache while its key is still usable. The device row's
   * state (revoked, idle) is checked by the caller on every use, never cached with the token.
   */
  private checkedToken(token: string, now: Date): CheckedToken {
    const key = tokenKey(token);
    const seen = this.tokens.get(key);
    if (seen !== undefined && seen.token === token && this.keys.verifierFor(seen.kid).status === 'ok') return seen;
    const v = verifyMac(this.keys, token, { expectedType: PERSONAL_QR_TYPE, now });
    const personId = personIdOf(v, 'device token');
    const deviceId = v.body.d;
    if (typeof deviceId !== 'string' || !UUID.test(deviceId)) throw new SignatureError('expired', 'device token from before device expiry; fill in the form again');
    const checked: CheckedToken = { token, kid: v.kid, personId, deviceId, device: null };
    // device tokens carry no expiry; one that did would be checked again each time
    if (!v.expiresAt) {
      if (!this.tokens.has(key) && this.tokens.size >= MAX_CACHED) this.tokens.delete(this.tokens.keys().next().value!);
      this.tokens.set(key, checked);
    }
    return checked;
  }

  /**
   * The person of a device token when verify() would accept it without waiting or writing: its MAC checked before
   * (the same token, its key not retired since), its device row cached and read within CACHE_MS, neither revoked
   * (here or, through a feed read within REVOCATION_STALE_MS, by another process) nor idle, and used within TOUCH_MS
   * (no last-use write due). One look-up; undefined otherwise: ask verify(), which answers or refuses.
   */
  warmPerson(token: string, nowMs: number): string | undefined {
    const t = this.tokens.get(tokenKey(token));
    if (t === undefined || t.token !== token) return undefined;
    const d = t.device;
    if (d === null || d.dropped === true || d.revoked) return undefined;
    const unused = nowMs - d.lastUsedAt;
    if (unused > TOUCH_MS || unused > this.idleMs || this.ms() - d.readAt > CACHE_MS) return undefined;
    if (this.keys.verifierFor(t.kid).status !== 'ok' || !this.feed.fresh(REVOCATION_STALE_MS)) return undefined;
    return t.personId;
  }

  /** Revokes one device (by its token: whoever holds it may forget it). Returns whether a live device was revoked. */
  async revokeToken(token: string, now: Date): Promise<boolean> {
    let deviceId: unknown;
    try {
      deviceId = verifyMac(this.keys, token, { expectedType: PERSONAL_QR_TYPE, now }).body.d;
    } catch {
      return false;
    }
    if (typeof deviceId !== 'string' || !UUID.test(deviceId)) return false;
    const r = await this.db.updateTable('person_devices').set({ revoked_at: now }).where('id', '=', deviceId).where('revoked_at', 'is', null).executeTakeFirst();
    this.markRevoked(deviceId);
    return Number(r.numUpdatedRows) > 0;
  }

  /**
   * Revokes every device of these people (a lost phone, an officer's decision), including those of records merged
   * into them (a merged record's device token checks in as the surviving person: its phone is theirs). Returns how many.
   */
  async revokePeople(personIds: string[], now: Date): Promise<number> {
    if (!personIds.length) return 0;
    const { rows } = await sql<{ id: string }>`
      with recursive people(id) as (
        select unnest(${personIds}::uuid[])
        union
        select p.id from persons p join people on p.merged_into = people.id
      )
      update person_devices set revoked_at = ${now}
      where person_id in (select id from people) and revoked_at is null
      returning id`.execute(this.db);
    for (const r of rows) this.markRevoked(r.id);
    return rows.length;
  }

  /** Deletes rows revoked or idle past the limit (they can never verify again), and the revocation feed's old rows. */
  async purge(now: Date): Promise<number> {
    const r = await this.db
      .deleteFrom('person_devices')
      .where((eb) => eb.or([eb('revoked_at', 'is not', null), eb('last_used_at', '<', new Date(now.getTime() - this.idleMs))]))
      .executeTakeFirst();
    await sql`delete from person_device_revocations where revoked_at < statement_timestamp() - interval '1 day'`.execute(this.db);
    return Number(r.numDeletedRows);
  }

  /** The device's row, read together with the other devices asked for meanwhile (one statement at a time). */
  private read(deviceId: string): Promise<Cached> {
    return new Promise<Cached>((resolve, reject) => {
      const waiting = this.queue.get(deviceId);
      if (waiting) waiting.push({ resolve, reject });
      else this.queue.set(deviceId, [{ resolve, reject }]);
      if (!this.reading) void this.readQueued();
    });
  }

  private async readQueued() {
    this.reading = true;
    try {
      while (this.queue.size) {
        const batch = [...this.queue].slice(0, MAX_LOAD);
        for (const [id] of batch) this.queue.delete(id);
        const ids = batch.map(([id]) => id);
        const readAt = this.ms();
        for (const id of ids) this.inFlight.set(id, false);
        try {
          const rows = await this.db.selectFrom('person_devices').select(['id', 'last_used_at', 'revoked_at']).where('id', 'in', ids).execute();
          const found = new Map(rows.map((r) => [r.id, r]));
          for (const [id, callers] of batch) {
            const row = found.get(id);
            // a revocation seen (feed or here) while this read was under way wins over the row read before it
            const revoked = !row || row.revoked_at !== null || this.inFlight.get(id) === true || this.cache.get(id)?.revoked === true;
            const d = this.remember(id, { lastUsedAt: row?.last_used_at.getTime() ?? 0, revoked, readAt });
            for (const c of callers) c.resolve(d);
          }
        } catch (err) {
          for (const [, callers] of batch) for (const c of callers) c.reject(err);
        } finally {
          for (const id of ids) this.inFlight.delete(id);
        }
      }
    } finally {
      this.reading = false;
    }
  }

  private markRevoked(id: string) {
    const d = this.cache.get(id);
    if (d) d.revoked = true;
    if (this.inFlight.has(id)) this.inFlight.set(id, true);
  }

  /** Keeps a device's row; a device cached already keeps its object (token entries hold it), updated in place. */
  private remember(id: string, d: Cached): Cached {
    const known = this.cache.get(id);
    if (known) {
      known.lastUsedAt = d.lastUsedAt;
      known.revoked = d.revoked;
      known.readAt = d.readAt;
      return known;
    }
    if (this.cache.size >= MAX_CACHED) {
      const oldest = this.cache.entries().next().value!;
      oldest[1].dropped = true;
      this.cache.delete(oldest[0]);
    }
    this.cache.set(id, d);
    return d;
  }
}

const registries = new WeakMap<Db, DeviceRegistry>();

/** The device registry of a database (one per app, shared by the modules that issue and check device tokens). */
export function deviceRegistry(ctx: { db: Db; keys: KeyRing; config: { deviceTokenIdleDays: number; clock: () => Date } }): DeviceRegistry {
  let r = registries.get(ctx.db);
  if (!r) registries.set(ctx.db, (r = new DeviceRegistry(ctx.db, ctx.keys, ctx.config.deviceTokenIdleDays, { feed: sharedChangeFeed(ctx) })));
  return r;
}
