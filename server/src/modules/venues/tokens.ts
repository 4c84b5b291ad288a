/**
 * Signed QR tokens of the venues module.
 *
 *   venue entrance  type 'v'   body { e: entranceId, v: venueId }   expiry = the venue's validity end, if any
 *   device person   type 'vd'  body { p: personId }                 no expiry; what a phone stores after the form
 *
 * Both are platform/signing tokens (Ed25519, key id inside), so rotating keys keeps printed posters working and
 * retiring a key invalidates them.
 */
import { AppError } from '../../platform/http/errors';
import { sign, verify, SignatureError, type KeyRing } from '../../platform/signing';

export const VENUE_TOKEN_TYPE = 'v';
export const DEVICE_TOKEN_TYPE = 'vd';

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
    const v = verify(keys, token, { expectedType: VENUE_TOKEN_TYPE, now });
    const e = v.body.e;
    const ven = v.body.v;
    if (typeof e !== 'string' || typeof ven !== 'string') throw new SignatureError('malformed');
    return { entranceId: e, venueId: ven, expiresAt: v.expiresAt ?? null };
  } catch (err) {
    if (err instanceof SignatureError) {
      const [status, code, message] = REASONS[err.reason] ?? REASONS.malformed!;
      throw venueQrError(status, code, message, path);
    }
    throw err;
  }
}

export function signDeviceToken(keys: KeyRing, personId: string): string {
  return sign(keys, DEVICE_TOKEN_TYPE, { p: personId });
}

/** The person id of a device token, null when the token is of another type (e.g. a personal QR). Throws on forgery. */
export function verifyDeviceToken(keys: KeyRing, token: string, now: Date, path: string): string | null {
  try {
    const v = verify(keys, token, { expectedType: DEVICE_TOKEN_TYPE, now });
    if (typeof v.body.p !== 'string') throw new SignatureError('malformed');
    return v.body.p;
  } catch (err) {
    if (err instanceof SignatureError) {
      if (err.reason === 'wrong_type') return null;
      if (err.reason === 'expired' || err.reason === 'retired_key')
        throw new AppError(410, 'PERSON_TOKEN_EXPIRED', `${path}: has expired; fill in the form again`, [{ path, message: 'has expired' }]);
      throw new AppError(400, 'PERSON_TOKEN_INVALID', `${path}: is not a valid personal code (altered or forged)`, [
        { path, message: 'is not a valid personal code' },
      ]);
    }
    throw err;
  }
}
