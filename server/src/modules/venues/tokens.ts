/**
 * Signed QR tokens of the venues module.
 *
 *   venue entrance  type 'v'   body { e: entranceId, v: venueId }   expiry = the venue's validity end, if any
 *
 * A platform/signing token (Ed25519, key id inside), so rotating keys keeps printed posters working and retiring a
 * key invalidates them. (A phone's remembered identity is the people module's device token, not one of these.)
 */
import { AppError } from '../../platform/http/errors';
import { sign, verify, verifyAsync, SignatureError, type KeyRing, type VerifiedToken, type VerifyPool } from '../../platform/signing';

export const VENUE_TOKEN_TYPE = 'v';

export interface VenueTokenBody {
  entranceId: string;
  venueId: string;
  expiresAt: Date | null;
}

export function signVenueToken(keys: KeyRing, entranceId: string, venueId: string, validUntil: Date | null): string {
  return sign(keys, VENUE_TOKEN_TYPE, { e: entranceId, v: venueId }, { expiresAt: validUntil });
}

export function checkinUrl(publicUrl: string, token: string): string {
  return `${publicUrl}/c/${token}`;
}

/** Province part of a short code: the second segment of a commune path ('/VN/40/4001/400101/' → '40'). */
export function provinceOfPath(communePath: string): string {
  return communePath.split('/').filter(Boolean)[1] ?? '';
}

/** "40-ZPBMEV-1": what a person types when the QR cannot be scanned (migration 0003). */
export function entranceShortCode(communePath: string, venueShort: string, entranceNumber: number): string {
  return `${provinceOfPath(communePath)}-${venueShort}-${entranceNumber}`;
}

/** The typeable check-in address, e.g. `https://vigil.example/c/40-ZPBMEV-1`. */
export function shortCheckinUrl(publicUrl: string, shortCode: string): string {
  return `${publicUrl}/c/${shortCode}`;
}

/** Route pattern of a typed short code (any case; parseShortCode reads it). */
export const SHORT_CODE_ROUTE = '^[0-9A-Za-z]{1,6}-[0-9A-Za-z]{6}-[0-9]{1,4}$';

/** Reads a typed short code, any case; null when it cannot be one. */
export function parseShortCode(typed: string): { province: string; venue: string; number: number } | null {
  const m = /^([0-9A-Za-z]{1,6})-([0-9A-Za-z]{6})-([0-9]{1,4})$/.exec(typed.trim());
  if (!m) return null;
  // the venue alphabet has no I, O, 0 or 1 (look-alikes): a code with them was mistyped; refuse rather than guess
  const venue = m[2]!.toUpperCase();
  if (/[IO01]/.test(venue)) return null;
  return { province: m[1]!.toUpperCase(), venue, number: Number(m[3]) };
}

/** A refusal of a QR code: code for the UI (it shows a Vietnamese text per code), English message for the API. */
export function venueQrError(status: number, code: string, message: string, path: string): AppError {
  return new AppError(status, code, `${path}: ${message}`, [{ path, message }]);
}

const REASONS: Record<string, [number, string, string]> = {
  malformed: [400, 'VENUE_QR_INVALID', 'is not a valid venue QR code'],
  unknown_key: [400, 'VENUE_QR_INVALID', 'was not issued by this system (unknown signing key)'],
  bad_signature: [400, 'VENUE_QR_INVALID', 'has been altered or forged (signature does not match)'],
  wrong_type: [400, 'VENUE_QR_INVALID', 'is not a venue QR code'],
  retired_key: [410, 'VENUE_QR_REVOKED', 'was revoked; the venue must print a new poster'],
  expired: [410, 'VENUE_QR_EXPIRED', 'has expired (the event is over)'],
};

/** Verifies signature, type and expiry; throws a 4xx AppError naming `path` otherwise. */
export function verifyVenueToken(keys: KeyRing, token: string, now: Date, path: string): VenueTokenBody {
  try {
    return venueBody(verify(keys, token, { expectedType: VENUE_TOKEN_TYPE, now }));
  } catch (err) {
    throw venueRefusal(err, path);
  }
}

/**
 * An instant before any expiry: what a check shared by concurrent first uses of one token (a poster, a personal QR) is
 * run at, so it judges the signature, key and type but not the expiry; each use judges that at its own time.
 */
export const NO_EXPIRY = new Date(-8.64e15);

/**
 * A venue token's body, its signature's math on a worker thread of `pool` (platform/signing verifyAsync); throws
 * SignatureError (venueRefusal makes the caller's 4xx of it).
 */
export async function venueTokenBody(keys: KeyRing, token: string, now: Date, pool?: VerifyPool | null): Promise<VenueTokenBody> {
  return venueBody(await verifyAsync(keys, token, { expectedType: VENUE_TOKEN_TYPE, now }, pool));
}

function venueBody(v: VerifiedToken): VenueTokenBody {
  const e = v.body.e;
  const ven = v.body.v;
  if (typeof e !== 'string' || typeof ven !== 'string') throw new SignatureError('malformed');
  return { entranceId: e, venueId: ven, expiresAt: v.expiresAt ?? null };
}

/** The 4xx naming `path` of a SignatureError; anything else as it is. */
export function venueRefusal(err: unknown, path: string): unknown {
  if (!(err instanceof SignatureError)) return err;
  const [status, code, message] = REASONS[err.reason] ?? REASONS.malformed!;
  return venueQrError(status, code, message, path);
}
