// Venue QR codes and the entrances they open, as the check-in hot path needs them: a poster's signature is checked
// once per token string, and an entrance's venue (status, validity, names) is cached for STATUS_TTL_MS, busy
// entrances being re-read ahead of expiry in one statement for all. A status change made here applies at once
// (invalidateVenue); one made by another server process within STATUS_TTL_MS.
import type { Db, DbOrTx } from '../../platform/db/types';
import { tokenKeyUsable, type KeyRing } from '../../platform/signing';
import { LruCache } from '../../platform/cache';
import { entranceForCheckin, entrancesForCheckin } from './queries';
import { venueQrError, verifyVenueToken, verifyVenueTokenAsync, type VenueTokenBody } from './tokens';

/** How long a venue's status/validity is trusted from cache: suspension takes effect within this time. */
export const STATUS_TTL_MS = 2_000;
/** Entrances used after half their TTL are re-read ahead of expiry, together, this often (ms). */
const ENTRANCE_REFRESH_MS = 200;

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

export class EntranceCache {
  private readonly venueTokens = new LruCache<string, VenueTokenBody>(50_000);
  // aged by the app's clock, so tests move time instead of sleeping
  private readonly entrances = new LruCache<string, EntranceInfo | null>(20_000, STATUS_TTL_MS, () => this.o.clock().getTime());
  /** Entrances to re-read ahead of expiry (one statement for all), and the timer that does it. */
  private readonly entrancesToRefresh = new Set<string>();
  private refreshTimer: NodeJS.Timeout | null = null;
  /** Bumped by invalidateVenue: a look-up that started before it must not put its (older) result in the cache. */
  private entranceEpoch = 0;

  constructor(private readonly o: { db: Db; keys: KeyRing; clock: () => Date }) {}

  /** Forget cached state of a venue (status change, edit) so this process applies it at once. */
  invalidateVenue(venueId: string) {
    this.entranceEpoch++;
    this.entrances.deleteWhere((e) => e?.venueId === venueId);
  }

  /** Stops background work (the app is closing). */
  close() {
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.refreshTimer = null;
    this.entrancesToRefresh.clear();
  }

  /**
   * Verified token body, cached by token string (expiry checked on every use; a cached token whose key was retired
   * since is verified again, and refused as revoked). The first scan of a poster checks its Ed25519 signature off
   * the event loop.
   */
  async verifyVenue(token: string, now: Date, path: string): Promise<VenueTokenBody> {
    const cached = this.cachedVenue(token, now, path);
    if (cached) return cached;
    const body = await verifyVenueTokenAsync(this.o.keys, token, now, path);
    this.venueTokens.set(token, body);
    return body;
  }

  /** The body of a poster verified before whose key is still usable (no await); throws when it has expired. */
  private cachedVenue(token: string, now: Date, path: string): VenueTokenBody | undefined {
    const body = this.venueTokens.get(token);
    if (!body || !tokenKeyUsable(this.o.keys, token)) return undefined;
    if (body.expiresAt && now >= body.expiresAt) throw venueQrError(410, 'VENUE_QR_EXPIRED', 'has expired (the event is over)', path);
    return body;
  }

  /**
   * The entrance, from cache for at most STATUS_TTL_MS. An entrance in use is re-read ahead of expiry in the
   * background, many in one statement, so busy entrances do not each cost a query every STATUS_TTL_MS.
   */
  async entrance(entranceId: string): Promise<EntranceInfo | null> {
    const cached = this.cachedEntrance(entranceId);
    if (cached !== undefined) return cached;
    const epoch = this.entranceEpoch;
    const r = await entranceForCheckin(this.o.db, entranceId);
    const info = r ? entranceInfo(r) : null;
    if (epoch === this.entranceEpoch) this.entrances.set(entranceId, info);
    return info;
  }

  /** The cached entrance (undefined: not cached), scheduling a refresh when it is ageing. */
  private cachedEntrance(entranceId: string): EntranceInfo | null | undefined {
    const cached = this.entrances.getWithAge(entranceId);
    if (!cached) return undefined;
    if (cached.age > STATUS_TTL_MS / 2) this.refreshLater(entranceId);
    return cached.value;
  }

  private refreshLater(entranceId: string) {
    this.entrancesToRefresh.add(entranceId);
    if (this.refreshTimer) return;
    this.refreshTimer = setTimeout(() => void this.refreshEntrances(), ENTRANCE_REFRESH_MS);
    this.refreshTimer.unref();
  }

  private async refreshEntrances() {
    const ids = [...this.entrancesToRefresh].slice(0, 1000);
    for (const id of ids) this.entrancesToRefresh.delete(id);
    const epoch = this.entranceEpoch;
    try {
      const rows = await entrancesForCheckin(this.o.db, ids);
      if (epoch === this.entranceEpoch) {
        const found = new Map(rows.map((r) => [r.entrance_id, r]));
        for (const id of ids) {
          const r = found.get(id);
          this.entrances.set(id, r ? entranceInfo(r) : null);
        }
      }
    } catch {
      // not refreshed: the entries expire as usual and the next check-in reads (and reports errors) itself
    } finally {
      this.refreshTimer = null;
      if (this.entrancesToRefresh.size) {
        this.refreshTimer = setTimeout(() => void this.refreshEntrances(), ENTRANCE_REFRESH_MS);
        this.refreshTimer.unref();
      }
    }
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
    const body = this.cachedVenue(token, now, path) ?? (await this.verifyVenue(token, now, path));
    const cached = this.cachedEntrance(body.entranceId);
    return namedEntrance(cached !== undefined ? cached : await this.entrance(body.entranceId), body, path);
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
