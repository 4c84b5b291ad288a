// DTMF from the far end: RFC 4733 telephone-events in RTP, and SIP INFO (application/dtmf-relay, application/dtmf).

const EVENTS = '0123456789*#';

/** The key of an RFC 4733 event code, null for events we do not take (A-D, flash, tones). */
export function eventToDigit(event: number): string | null {
  return event >= 0 && event < EVENTS.length ? EVENTS[event]! : null;
}

export function digitToEvent(d: string): number {
  return EVENTS.indexOf(d);
}

/**
 * Turns telephone-event packets into key presses. One press is many packets (start, updates, three end packets)
 * sharing an RTP timestamp: a press counts once, when its first packet arrives.
 */
export class TelephoneEventReceiver {
  private lastTs: number | null = null;
  constructor(private readonly onDigit: (d: string) => void) {}

  /** `payload` is the RTP payload of a telephone-event packet, `timestamp` its RTP timestamp. */
  receive(payload: Buffer, timestamp: number): void {
    if (payload.length < 4) return;
    if (timestamp === this.lastTs) return;
    this.lastTs = timestamp;
    const d = eventToDigit(payload[0]!);
    if (d) this.onDigit(d);
  }
}

/** The key in a SIP INFO body ("Signal=5" / "Signal=11" for dtmf-relay, "5" for application/dtmf), or null. */
export function digitFromInfo(contentType: string | undefined, body: string | undefined): string | null {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  const text = (body ?? '').trim();
  let key: string | undefined;
  if (type === 'application/dtmf-relay') key = /^\s*signal\s*=\s*(\S+)/im.exec(text)?.[1];
  else if (type === 'application/dtmf') key = /^(\S+)/.exec(text)?.[1];
  if (key === undefined) return null;
  if (key.length === 1 && EVENTS.includes(key)) return key;
  return /^\d{2}$/.test(key) ? eventToDigit(Number(key)) : null;
}
