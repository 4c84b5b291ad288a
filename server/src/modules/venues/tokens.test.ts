import { describe, expect, it } from 'vitest';
import { AppError } from '../../platform/http/errors';
import { KeyRing, sign } from '../../platform/signing';
import { signVenueToken, verifyVenueToken } from './tokens';

const E = '3f1c2a9e-7b4d-4e2a-9c51-0d8e6f7a1b2c';
const V = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';
const NOW = new Date('2021-08-01T08:00:00Z');

function refusal(fn: () => unknown) {
  try {
    fn();
  } catch (err) {
    if (err instanceof AppError) return { status: err.statusCode, code: err.code, path: err.details?.[0]?.path };
    throw err;
  }
  return null;
}

describe('venue QR tokens', () => {
  const ring = KeyRing.inMemory();

  it('round-trips entrance and venue ids and stays short enough for a poster QR', () => {
    const token = signVenueToken(ring, E, V, null);
    expect(token.length).toBeLessThan(160);
    expect(verifyVenueToken(ring, token, NOW, 'body.venueToken')).toEqual({ entranceId: E, venueId: V, expiresAt: null });
  });

  it('refuses an altered token (changed entrance id) as forged', () => {
    const token = signVenueToken(ring, E, V, null);
    const [p, kid, s] = token.split('.') as [string, string, string];
    const bytes = Buffer.from(p, 'base64url');
    bytes[bytes.length - 1] ^= 1;
    const altered = `${bytes.toString('base64url')}.${kid}.${s}`;
    expect(refusal(() => verifyVenueToken(ring, altered, NOW, 'body.venueToken'))).toEqual({ status: 400, code: 'VENUE_QR_INVALID', path: 'body.venueToken' });
  });

  it('refuses a token signed by another installation', () => {
    const token = signVenueToken(KeyRing.inMemory(), E, V, null);
    expect(refusal(() => verifyVenueToken(ring, token, NOW, 'params.token'))?.code).toBe('VENUE_QR_INVALID');
  });

  it('refuses a token of another type (a personal QR) and garbage', () => {
    expect(refusal(() => verifyVenueToken(ring, sign(ring, 'p', { p: E }), NOW, 'x'))?.code).toBe('VENUE_QR_INVALID');
    expect(refusal(() => verifyVenueToken(ring, 'hello', NOW, 'x'))?.code).toBe('VENUE_QR_INVALID');
    // right type, wrong body
    expect(refusal(() => verifyVenueToken(ring, sign(ring, 'v', { q: 1 }), NOW, 'x'))?.code).toBe('VENUE_QR_INVALID');
  });

  it('expires with the venue validity window', () => {
    const until = new Date('2021-08-01T10:00:00Z');
    const token = signVenueToken(ring, E, V, until);
    expect(verifyVenueToken(ring, token, NOW, 'x').expiresAt).toEqual(until);
    expect(refusal(() => verifyVenueToken(ring, token, until, 'x'))).toMatchObject({ status: 410, code: 'VENUE_QR_EXPIRED' });
  });

  it('refuses tokens of a retired key (compromised) as revoked', async () => {
    const r = KeyRing.inMemory();
    const token = signVenueToken(r, E, V, null);
    const old = r.activeKid;
    await r.rotate();
    expect(verifyVenueToken(r, token, NOW, 'x').entranceId).toBe(E); // rotation keeps posters valid
    await r.retire(old);
    expect(refusal(() => verifyVenueToken(r, token, NOW, 'x'))).toMatchObject({ status: 410, code: 'VENUE_QR_REVOKED' });
  });
});
