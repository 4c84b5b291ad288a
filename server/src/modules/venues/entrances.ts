// Venue QR codes and the entrances they open, as the check-in hot path needs them: a poster's signature is checked
// once per token string (libsodium, on a signature worker thread: platform/signing verifyAsync), and an entrance's
// venue (status, validity, names) is cached for ENTRANCE_CACHE_MS. Changes reach the cache through a feed (venue_changes, written by
// triggers on venues and venue_entrances, migration 0004), read by the process's shared change-feed poller
// (platform/change-feed: one statement per second for every feed, while check-ins arrive); a cached entrance is
// trusted only while the last read of the feed is younger than STATUS_TTL_MS (a check-in waits for a read
// otherwise). A status change made here applies at once (invalidateVenue); one made by another server process within
// STATUS_TTL_MS. A busy entrance costs no database read per check-in, however many venues there are.
// A warm check-in (warmEntrance) gets the entrance with one look-up: the verified poster's entry (keyed by a small
// integer from its signature, platform/cache tokenKey, the whole token compared) keeps the entrance it named, valid
// while no venue changed since (entranceEpoch) and within the entrance cache's time.
import type { Db, DbOrTx } from '../../platform/db/types';
import { tokenKid, type KeyRing, type VerifyPool } from '../../platform/signing';
import { LruCache, SharedRuns, tokenKey } from '../../platform/cache';
import { ChangeFeed } from '../../platform/change-feed';
import { entranceForCheckin } from './queries';
import { NO_EXPIRY, venueQrError, venueRefusal, venueTokenBody, verifyVenueToken, type VenueTokenBody } from './tokens';

/** A change made by another server process applies within this time: cached entrances are not used past it without a fresh read of the feed. */
export const STATUS_TTL_MS = 2_000;
/** How long an entrance read from the database is kept (changes arrive through the feed meanwhile; commune names and the like within this time). */
export const ENTRANCE_CACHE_MS = 10 * 60_000;

export interface EntranceInfo {
  entranceId: string;
  entranceName: string;
  active: boolean;
  venueId: string;
  venueCode: string;
  venueName: string;
  venueType: string;
  address: string;
  communeCode: string;
  communeName: string;
  communePath: string;
  status: string;
  /** When the status last changed (null: never since registration). */
  statusChangedAt: Date | null;
  defaultStayMinutes: number;
  validFrom: Date | null;
  validUntil: Date | null;
  kind: string;
}

/** A venue QR whose signature was checked, and the entrance it named when last used (entranceOf). */
interface CheckedVenueToken {
  token: string;
  kid: string;
  body: VenueTokenBody;
  /** The entrance, as cached at entranceEpoch `epoch` and read from the database at `infoFrom` (app clock, ms). */
  info: EntranceInfo | null;
  epoch: number;
  infoFrom: number;
  /** The check-in answer's `venue` for this entrance as JSON text, made by the warm path once per entrance read. */
  venueJson: string | null;
}

/** What warmEntrance answers: the poster's entry with its entrance. */
export type WarmEntrance = CheckedVenueToken & { info: EntranceInfo };

export class EntranceCache {
  /** tokenKey(token) → the verified poster (the whole token compared before use) */
  private readonly venueTokens = new LruCache<number, CheckedVenueToken>(50_000);
  // aged by the app's clock, so tests move time instead of sleeping
  private readonly entrances = new LruCache<string, EntranceInfo>(50_000, ENTRANCE_CACHE_MS, () => this.o.clock().getTime());
  /** First scans of posters being verified (by token), so concurrent ones share one check. */
  private readonly verifying = new SharedRuns<string, CheckedVenueToken>();
  /** Bumped by invalidateVenue: a look-up that started before it must not put its (older) result in the cache. */
  private entranceEpoch = 0;
  /** The change feed (venue_changes) through the process's shared poller; a private one when built on its own. */
  private readonly feed: ChangeFeed;

  constructor(private readonly o: { db: Db; keys: KeyRing; clock: () => Date; feed?: ChangeFeed; verifyPool?: VerifyPool | null }) {
    this.feed = o.feed ?? new ChangeFeed(o.db, () => o.clock().getTime());
    this.unsubscribe = this.feed.subscribe({ table: 'venue_changes', key: 'venue_id', at: 'changed_at' }, (venueIds, first) => {
      // the first read knows of no earlier state: whatever was cached before it is dropped
      if (first) {
        this.entranceEpoch++;
        this.entrances.clear();
        return;
      }
      for (const id of venueIds) this.invalidateVenue(id);
    });
  }

  /** Forget cached state of a venue (status change, edit) so this process applies it at once. */
  invalidateVenue(venueId: string) {
    this.entranceEpoch++;
    this.entrances.deleteWhere((e) => e.venueId === venueId);
  }

  private readonly unsubscribe: () => void;

  /** The app is closing: leaves the shared change feed (nothing else runs in the background: check-ins read it). */
  close() {
    this.unsubscribe();
  }

  /**
   * A poster verified before, by token string (expiry checked on every use); undefined when it must be verified (never
   * seen, or its key was retired since: then verified again, and refused as revoked). No await.
   */
  private seenVenue(token: string, now: Date, path: string): CheckedVenueToken | undefined {
    const seen = this.venueTokens.get(tokenKey(token));
    if (seen === undefined || seen.token !== token || this.o.keys.verifierFor(seen.kid).status !== 'ok') return undefined;
    return notExpired(seen, now, path);
  }

  /**
   * The first scan of a poster: its Ed25519 signature checked by a worker thread of the verify pool (platform/signing
   * verifyAsync; on the event loop when there is none), then cached by token string. Concurrent first scans of one
   * poster (an event's opening) share one check; each is refused with its own field and judged at its own time.
   */
  private async verifyVenue(token: string, now: Date, path: string): Promise<CheckedVenueToken> {
    // the shared check judges no expiry (NO_EXPIRY): each scan is judged at its own time below (notExpired), also
    // one that joins a check begun later than its own instant (the clock stepped back)
    const pending = this.verifying.run(token, () =>
      venueTokenBody(this.o.keys, token, NO_EXPIRY, this.o.verifyPool).then((body) => {
        const checked: CheckedVenueToken = { token, kid: tokenKid(token), body, info: null, epoch: -1, infoFrom: 0, venueJson: null };
        this.venueTokens.set(tokenKey(token), checked);
        return checked;
      }),
    );
    try {
      return notExpired(await pending, now, path);
    } catch (err) {
      throw venueRefusal(err, path);
    }
  }

  /**
   * The entrance of a poster seen before, when entranceOf would answer it without waiting: its signature checked
   * (the same token, its key not retired since, not expired), its entrance cached with no venue change since, the
   * entrance younger than ENTRANCE_CACHE_MS and the change feed read within STATUS_TTL_MS. One look-up; undefined
   * otherwise (ask entranceOf, which answers or refuses). The caller still checks the venue's state (checkOpen).
   */
  warmEntrance(token: string, nowMs: number): WarmEntrance | undefined {
    const v = this.venueTokens.get(tokenKey(token));
    if (v === undefined || v.token !== token || v.info === null || v.epoch !== this.entranceEpoch) return undefined;
    const age = nowMs - v.infoFrom;
    if (age > ENTRANCE_CACHE_MS || age < 0 || (v.body.expiresAt !== null && nowMs >= v.body.expiresAt.getTime())) return undefined;
    if (this.o.keys.verifierFor(v.kid).status !== 'ok' || !this.feed.fresh(STATUS_TTL_MS)) return undefined;
    return v as WarmEntrance;
  }

  /** The entrance (null: no such entrance), from cache while the change feed is fresh, else read. */
  async entrance(entranceId: string): Promise<EntranceInfo | null> {
    return (await this.entranceAged(entranceId))?.info ?? null;
  }

  /** entrance(), with when it was read from the database (app clock, ms). */
  private async entranceAged(entranceId: string): Promise<{ info: EntranceInfo; from: number } | null> {
    const hit = this.cachedEntrance(entranceId) ?? (await this.changesRead(), this.cachedEntrance(entranceId));
    if (hit) return { info: hit.value, from: this.o.clock().getTime() - hit.age };
    const epoch = this.entranceEpoch;
    const r = await entranceForCheckin(this.o.db, entranceId);
    const info = r ? entranceInfo(r) : null;
    // an unknown entrance is not remembered (a new entrance must work at once; only signed posters get here)
    if (!info) return null;
    const from = this.o.clock().getTime();
    if (epoch === this.entranceEpoch) this.entrances.set(entranceId, info);
    return { info, from };
  }

  /**
   * The cached entrance, and its age, when the change feed was read recently enough to trust it (no await),
   * starting the next read of the feed when one is due; undefined otherwise.
   */
  private cachedEntrance(entranceId: string): { value: EntranceInfo; age: number } | undefined {
    return this.feed.fresh(STATUS_TTL_MS) ? this.entrances.getWithAge(entranceId) : undefined;
  }

  /** Waits for a read of the change feed when the last one is too old to trust cached entrances. */
  private changesRead(): Promise<void> {
    return this.feed.within(STATUS_TTL_MS);
  }

  /** The entrance of a venue QR, refusing unknown / closed / suspended / not-yet-approved / out-of-validity venues. */
  async openEntrance(token: string, at: Date, path: string): Promise<EntranceInfo> {
    const e = await this.entranceOf(token, path);
    this.checkOpen(e, at, path);
    return e;
  }

  /**
   * The entrance a venue QR names (signature and expiry checked), whatever the venue's state: checking out is
   * allowed even when the venue was suspended meanwhile (it only ends a stay).
   */
  async entranceOf(token: string, path: string): Promise<EntranceInfo> {
    const now = this.o.clock();
    // a poster seen before: no await until the batch write
    const v = this.seenVenue(token, now, path) ?? (await this.verifyVenue(token, now, path));
    const epoch = this.entranceEpoch;
    const hit = this.cachedEntrance(v.body.entranceId);
    const got = hit ? { info: hit.value, from: now.getTime() - hit.age } : await this.entranceAged(v.body.entranceId);
    const e = namedEntrance(got?.info ?? null, v.body, path);
    // kept with the poster for warmEntrance while no venue changes (entranceEpoch: one did during a read)
    if (got && epoch === this.entranceEpoch) {
      if (v.info !== e) v.venueJson = null;
      v.info = e;
      v.epoch = epoch;
      v.infoFrom = got.from;
    }
    return e;
  }

  /**
   * Refuses a check-in the venue's state does not allow at `at`. `staffScan`: a staff gate's scan, possibly
   * queued offline: a scan made before the venue's last status change is judged by the status it had then (it was
   * open, or the gate could not have been used), so a queue that syncs after a suspension or a re-review loses nothing.
   */
  checkOpen(e: EntranceInfo, at: Date, path: string, opts: { staffScan?: boolean } = {}) {
    const before = opts.staffScan && e.statusChangedAt !== null && at < e.statusChangedAt;
    if (before) return this.checkWindow(e, at, path);
    if (e.status === 'suspended') throw venueQrError(403, 'VENUE_SUSPENDED', `venue "${e.venueName}" is suspended; check-in is not possible`, path);
    if (e.status !== 'approved') throw venueQrError(403, 'VENUE_NOT_APPROVED', `venue "${e.venueName}" is not approved yet`, path);
    if (!e.active) throw venueQrError(410, 'ENTRANCE_CLOSED', `entrance "${e.entranceName}" is closed`, path);
    this.checkWindow(e, at, path);
  }

  private checkWindow(e: EntranceInfo, at: Date, path: string) {
    if (e.validFrom && at < e.validFrom) throw venueQrError(403, 'VENUE_NOT_YET_OPEN', `venue "${e.venueName}" opens for check-in at ${e.validFrom.toISOString()}`, path);
    if (e.validUntil && at >= e.validUntil) throw venueQrError(410, 'VENUE_QR_EXPIRED', 'has expired (the event is over)', path);
  }

}

/** A verified poster, unless its expiry has passed at `now`. */
function notExpired(v: CheckedVenueToken, now: Date, path: string): CheckedVenueToken {
  if (v.body.expiresAt && now >= v.body.expiresAt) throw venueQrError(410, 'VENUE_QR_EXPIRED', 'has expired (the event is over)', path);
  return v;
}

/** The entrance a verified venue QR names, refusing one that no longer exists or belongs to another venue. */
function namedEntrance(e: EntranceInfo | null, body: VenueTokenBody, path: string): EntranceInfo {
  if (!e || e.venueId !== body.venueId) throw venueQrError(404, 'VENUE_UNKNOWN', 'refers to a venue or entrance that no longer exists', path);
  return e;
}

/** EntranceCache.entranceOf without the caches: for one-off reads outside the check-in hot path. */
export async function readEntranceOfQr(db: DbOrTx, keys: KeyRing, token: string, now: Date, path: string): Promise<EntranceInfo> {
  const body = verifyVenueToken(keys, token, now, path);
  const r = await entranceForCheckin(db, body.entranceId);
  return namedEntrance(r ? entranceInfo(r) : null, body, path);
}

function entranceInfo(r: NonNullable<Awaited<ReturnType<typeof entranceForCheckin>>>): EntranceInfo {
  return {
    entranceId: r.entrance_id,
    entranceName: r.entrance_name,
    kind: r.entrance_kind,
    active: r.entrance_active,
    venueId: r.venue_id,
    venueCode: r.code,
    venueName: r.name,
    venueType: r.type,
    address: r.address,
    communeCode: r.commune_code,
    communeName: r.commune_name,
    communePath: r.commune_path,
    status: r.status,
    statusChangedAt: r.status_changed_at,
    defaultStayMinutes: r.default_stay_minutes,
    validFrom: r.valid_from,
    validUntil: r.valid_until,
  };
}
