// TwiML text pieces the provider sends back: escaping, a Gather's attributes, the keys of its answer.
import type { KeyExpectation } from '../types';

export const xml = (s: string) => s.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!);

/** numDigits/finishOnKey of a Gather for a question: one key, or a multi-key answer in one round trip. */
export function gatherAttributes(expect: KeyExpectation | undefined): string {
  if (!expect?.terminator) {
    // one key; '#' (Twilio's default finishOnKey) may be an answer, so no key finishes this Gather
    return `input="dtmf" numDigits="1"${expect?.digits.includes('#') ? ' finishOnKey=""' : ''}`;
  }
  return `input="dtmf"${expect.maxDigits ? ` numDigits="${expect.maxDigits}"` : ''} finishOnKey="${xml(expect.terminator)}"`;
}

/**
 * The keys of a Gather's `Digits` as the runner reads them one by one: only DTMF characters, at most 64; for a
 * multi-key answer shorter than its longest length, followed by the terminator (pressed, and left out by Twilio, or
 * the caller stopped: either way the answer is complete).
 */
export function gatheredKeys(digits: string, expect: KeyExpectation | null): string[] {
  if (!/^[0-9*#]{0,64}$/.test(digits)) return [];
  const keys = [...digits];
  if (!expect) return keys.slice(0, 1);
  if (keys.length > 0 && expect.terminator && !(expect.maxDigits && keys.length >= expect.maxDigits)) keys.push(expect.terminator);
  return keys;
}
