// Device tokens: what a phone remembers after someone checked in from it (so the next check-in is one tap). A device
// token is an HMAC'd reference { p: person, d: device } (platform/signing signMac; cheap to verify on the hot path)
// to a row of person_devices, and works only while that row is neither revoked nor idle for longer than
// VIGIL_DEVICE_TOKEN_IDLE_DAYS (default 30). Rows are read through a short cache (CACHE_MS), so a revocation takes
// effect here at once and within CACHE_MS in other server processes; the check-in engine also keeps a verified token
// for up to a minute (venues PERSON_TOKEN_TTL_MS). Last use is written at most once per TOUCH_MS.
// Tokens from before device rows existed (no `d`) are refused as expired: the phone shows the form again.
import type { Db, DbOrTx } from '../../platform/db/types';
import { verifyMac, SignatureError, type KeyRing } from '../../platform/signing';
import { personDeviceToken, personIdOf, PERSONAL_QR_TYPE } from './qr';

export const CACHE_MS = 60_000;
export const TOUCH_MS = 3600_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const MAX_CACHED = 100_000;

export type DeviceOrigin = 'form' | 'household';

interface Cached {
  lastUsedAt: number;
  revoked: boolean;
  readAt: number;
}

export class DeviceRegistry {
  private readonly cache = new Map<string, Cached>();

  constructor(
    private readonly db: Db,
    private readonly keys: KeyRing,
    private readonly idleDays: number,
  ) {}

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
    this.remember(row.id, { lastUsedAt: now.getTime(), revoked: false, readAt: Date.now() });
    return personDeviceToken(this.keys, personId, row.id);
  }

  /** { person, device } of a device token; throws SignatureError (reason 'expired' when revoked, idle or from before devices). */
  async verify(token: string, now: Date): Promise<{ personId: string; deviceId: string }> {
    const v = verifyMac(this.keys, token, { expectedType: PERSONAL_QR_TYPE, now });
    const personId = personIdOf(v, 'device token');
    const deviceId = v.body.d;
    if (typeof deviceId !== 'string' || !UUID.test(deviceId)) throw new SignatureError('expired', 'device token from before device expiry; fill in the form again');
    let d = this.cache.get(deviceId);
    if (!d || Date.now() - d.readAt > CACHE_MS) {
      const row = await this.db.selectFrom('person_devices').select(['last_used_at', 'revoked_at']).where('id', '=', deviceId).executeTakeFirst();
      d = { lastUsedAt: row?.last_used_at.getTime() ?? 0, revoked: !row || row.revoked_at !== null, readAt: Date.now() };
      this.remember(deviceId, d);
    }
    if (d.revoked) throw new SignatureError('expired', 'device token revoked');
    if (now.getTime() - d.lastUsedAt > this.idleMs) throw new SignatureError('expired', 'device token unused for too long');
    if (now.getTime() - d.lastUsedAt > TOUCH_MS) {
      d.lastUsedAt = now.getTime();
      await this.db.updateTable('person_devices').set({ last_used_at: now }).where('id', '=', deviceId).where('last_used_at', '<', now).execute();
    }
    return { personId, deviceId };
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
    this.cache.delete(deviceId);
    return Number(r.numUpdatedRows) > 0;
  }

  /** Revokes every device of these people (a lost phone, an officer's decision). Returns how many. */
  async revokePeople(personIds: string[], now: Date): Promise<number> {
    if (!personIds.length) return 0;
    const rows = await this.db
      .updateTable('person_devices')
      .set({ revoked_at: now })
      .where('person_id', 'in', personIds)
      .where('revoked_at', 'is', null)
      .returning('id')
      .execute();
    for (const r of rows) this.cache.delete(r.id);
    return rows.length;
  }

  /** Deletes rows revoked or idle past the limit (they can never verify again). */
  async purge(now: Date): Promise<number> {
    const r = await this.db
      .deleteFrom('person_devices')
      .where((eb) => eb.or([eb('revoked_at', 'is not', null), eb('last_used_at', '<', new Date(now.getTime() - this.idleMs))]))
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  private remember(id: string, d: Cached) {
    if (this.cache.size >= MAX_CACHED) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(id, d);
  }
}

const registries = new WeakMap<Db, DeviceRegistry>();

/** The device registry of a database (one per app, shared by the modules that issue and check device tokens). */
export function deviceRegistry(ctx: { db: Db; keys: KeyRing; config: { deviceTokenIdleDays: number } }): DeviceRegistry {
  let r = registries.get(ctx.db);
  if (!r) registries.set(ctx.db, (r = new DeviceRegistry(ctx.db, ctx.keys, ctx.config.deviceTokenIdleDays)));
  return r;
}
