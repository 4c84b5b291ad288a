// The personal QR: a signed token (type 'p', body { p: <person uuid> }) shown on the citizen's screen or printed on
// a card, scanned at venue gates and checkpoints. It carries no personal data besides the random id and never expires;
// a compromised card is handled by key rotation.
import QRCode from 'qrcode';
import { isMacToken, sign, signMac, verify, SignatureError, type KeyRing, type VerifiedToken } from '../../platform/signing';

export const PERSONAL_QR_TYPE = 'p';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function personalQrToken(keys: KeyRing, personId: string): string {
  if (!UUID.test(personId)) throw new TypeError('personalQrToken: person id must be a lowercase uuid');
  return sign(keys, PERSONAL_QR_TYPE, { p: personId });
}

/**
 * A phone's remembered identity: the same person reference as the personal QR plus the phone's device row
 * (devices.ts), with an HMAC tag instead of the Ed25519 signature (platform/signing signMac). Phones send it with
 * every check-in; only this deployment verifies it, ~100x cheaper than a signature. Printed cards keep the signed
 * personal QR. Issue device tokens through the DeviceRegistry (it creates the row).
 */
export function personDeviceToken(keys: KeyRing, personId: string, deviceId: string): string {
  if (!UUID.test(personId) || !UUID.test(deviceId)) throw new TypeError('personDeviceToken: person and device ids must be lowercase uuids');
  return signMac(keys, PERSONAL_QR_TYPE, { p: personId, d: deviceId });
}

/** The person id of a verified personal QR or device token; `malformed` when it carries none. */
export function personIdOf(v: VerifiedToken, what = 'personal QR'): string {
  const id = v.body.p;
  if (typeof id !== 'string' || !UUID.test(id)) throw new SignatureError('malformed', `${what} without a person id`);
  return id;
}

/** The token in a scanned text: the text itself, or the end of a URL ("…/p/<token>", query and fragment dropped). */
export function bareToken(text: string): string {
  const raw = typeof text === 'string' ? text.trim() : '';
  return raw.includes('/') ? raw.slice(raw.lastIndexOf('/') + 1).split(/[?#]/)[0]! : raw;
}

export { isMacToken as isPersonDeviceToken };

/**
 * The person id in a scanned personal QR. Accepts the bare token or any URL/text ending in it ("…/p/<token>").
 * Throws SignatureError (reason malformed | unknown_key | retired_key | bad_signature | wrong_type | expired).
 * The id may belong to a record merged since the card was printed: resolve it with resolvePersonId().
 */
export function verifyPersonalQr(keys: KeyRing, token: string, now: Date): string {
  return personIdOf(verify(keys, bareToken(token), { expectedType: PERSONAL_QR_TYPE, now }));
}

/** The QR as a standalone SVG document (scales cleanly on any screen). */
export function qrSvg(text: string): Promise<string> {
  return QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 2, color: { dark: '#000000', light: '#ffffff' } });
}
