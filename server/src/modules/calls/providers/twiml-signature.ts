// The webhooks' authentication: X-Twilio-Signature is base64 HMAC-SHA1, keyed by the auth token, of the full URL
// followed by the POST parameters sorted by name (name+value, no separators).
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Twilio's request signature. */
export function twilioSignature(authToken: string, url: string, params: Record<string, string>): string {
  const data = url + Object.keys(params).sort().map((k) => k + params[k]).join('');
  return createHmac('sha1', authToken).update(data, 'utf8').digest('base64');
}

export function validSignature(authToken: string, signature: string | undefined, url: string, params: Record<string, string>): boolean {
  if (!signature) return false;
  const want = Buffer.from(twilioSignature(authToken, url, params));
  const got = Buffer.from(signature);
  return want.length === got.length && timingSafeEqual(want, got);
}
