// A call attempt's disposition from the final SIP status of its INVITE: the SIP provider's own answers, and the
// SipResponseCode a TwiML provider reports for a failed call.
import type { Disposition } from './types';

/** Disposition of a final SIP status of an INVITE. */
export function dispositionOf(status: number): Exclude<Disposition, 'completed' | 'incomplete'> {
  if (status === 486 || status === 600) return 'busy';
  if (status === 408 || status === 480 || status === 487) return 'no-answer';
  if (status === 404 || status === 484 || status === 604) return 'invalid-number';
  if (status === 603 || status === 403) return 'rejected';
  return 'failed';
}
