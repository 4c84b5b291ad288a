// The gate's offline queue (lib/offlineQueue, shared with the sampling page): every scan is stored on the device
// with a client-generated id before anything is sent, and removed only when the server has answered for it. An exit whose entry the server has not seen yet (scanned on another device that is still offline)
// stays queued and is sent again, for up to 12 hours.
import type { CheckinItem, CheckinResponse, CheckinResultItem } from '../../../../server/src/modules/venues/schema';
import { api } from '../../lib/api';
import { offlineQueue } from '../../lib/offlineQueue';

export interface QueuedScan {
  clientId: string;
  action: NonNullable<CheckinItem['action']>;
  entranceId: string;
  /** the scanned personal QR (token or URL ending in one) … */
  personQr?: string;
  /** … or the reference printed on the card, typed in (8 hex digits) */
  personRef?: string;
  /** when it was scanned (ISO) — the time recorded, even if sent later */
  at: string;
}

/** The reference printed under the QR of a personal card, as staff type it ("40974c1a", "4097 4C1A"); null if it is none. */
export function cardReferenceOf(typed: string): string | null {
  const s = typed.replace(/[\s-]/g, '');
  return /^[0-9a-f]{8}$/i.test(s) ? s.toUpperCase() : null;
}

/** A personal QR may be scanned as a bare token or as a URL ending in it. */
export function tokenOf(scanned: string): string {
  const s = scanned.trim();
  return s.includes('/') ? (s.slice(s.lastIndexOf('/') + 1).split(/[?#]/)[0] ?? '') : s;
}

/** How long an exit without a recorded entry waits for that entry (scanned by another gate device, not yet sent). */
const EXIT_WAITS_MS = 12 * 3600_000;

/** An exit the server could not match yet: its entry may still be in another device's queue. */
function waitsForEntry(s: QueuedScan, r: CheckinResultItem, now: number): boolean {
  return s.action === 'out' && r.status === 'rejected' && r.error?.code === 'NO_OPEN_CHECKIN' && now - Date.parse(s.at) < EXIT_WAITS_MS;
}

/** The gate's queue (lib/offlineQueue): every answered scan leaves it, except exits still waiting for their entry. */
export const gateQueue = offlineQueue<QueuedScan, CheckinResultItem>({
  key: 'vigil.gate.queue',
  lock: 'vigil.gate.sync',
  batch: 100,
  send: async (batch) =>
    (
      await api.post<CheckinResponse>('/api/checkins', {
        items: batch.map((s) => ({ clientId: s.clientId, action: s.action, entranceId: s.entranceId, personQr: s.personQr, personRef: s.personRef, at: s.at })),
      })
    ).results,
  keep: waitsForEntry,
  rejected: (bad, error) => ({
    clientId: bad.clientId,
    status: 'rejected',
    action: bad.action,
    checkinIds: [],
    venue: null,
    people: [],
    at: bad.at,
    autoCheckoutAt: null,
    error: { code: error.code, message: error.message, path: error.details[0]?.path ?? 'body' },
  }),
});

export const readQueue = gateQueue.read;
export const syncQueue = gateQueue.sync;
/** stores a scan with a new client id and the time it was scanned */
export const enqueue = (scan: Omit<QueuedScan, 'clientId' | 'at'>): QueuedScan => gateQueue.add({ ...scan, at: new Date().toISOString() });
