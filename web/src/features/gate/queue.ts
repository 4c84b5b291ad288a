// The gate's offline queue: every scan is stored on the device (localStorage) with a client-generated id before
// anything is sent, and removed only when the server has answered for it. Re-sending is safe: the server counts a
// client id once. An exit whose entry the server has not seen yet (scanned on another device that is still offline)
// stays queued and is sent again, for up to 12 hours.
import type { CheckinItem, CheckinResponse, CheckinResultItem } from '../../../../server/src/modules/venues/schema';
import { api, isApiError } from '../../lib/api';

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

const KEY = 'vigil.gate.queue';
const BATCH = 100;

export function uuid(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export function readQueue(): QueuedScan[] {
  try {
    const raw = localStorage.getItem(KEY);
    const v = raw ? (JSON.parse(raw) as unknown) : [];
    return Array.isArray(v) ? (v as QueuedScan[]) : [];
  } catch {
    return [];
  }
}

function writeQueue(q: QueuedScan[]) {
  localStorage.setItem(KEY, JSON.stringify(q));
}

export function enqueue(scan: Omit<QueuedScan, 'clientId' | 'at'>): QueuedScan {
  const item: QueuedScan = { ...scan, clientId: uuid(), at: new Date().toISOString() };
  writeQueue([...readQueue(), item]);
  return item;
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

export type SyncOutcome = { sent: number; results: CheckinResultItem[] } | { error: unknown; offline: boolean };

let syncing: Promise<SyncOutcome> | null = null;

/** Sends queued scans in batches; keeps them on any failure to reach the server. One sync at a time. */
export function syncQueue(): Promise<SyncOutcome> {
  if (!syncing) syncing = doSync().finally(() => (syncing = null));
  return syncing;
}

/** How long an exit without a recorded entry waits for that entry (scanned by another gate device, not yet sent). */
const EXIT_WAITS_MS = 12 * 3600_000;

/** An exit the server could not match yet: its entry may still be in another device's queue. */
function waitsForEntry(s: QueuedScan, r: CheckinResultItem, now: number): boolean {
  return s.action === 'out' && r.status === 'rejected' && r.error?.code === 'NO_OPEN_CHECKIN' && now - Date.parse(s.at) < EXIT_WAITS_MS;
}

async function doSync(): Promise<SyncOutcome> {
  const results: CheckinResultItem[] = [];
  const waiting = new Set<string>();
  let sent = 0;
  for (;;) {
    const batch = readQueue()
      .filter((s) => !waiting.has(s.clientId))
      .slice(0, BATCH);
    if (!batch.length) return { sent, results };
    try {
      const r = await api.post<CheckinResponse>('/api/checkins', {
        items: batch.map((s) => ({ clientId: s.clientId, action: s.action, entranceId: s.entranceId, personQr: s.personQr, personRef: s.personRef, at: s.at })),
      });
      // every item got an answer (created, duplicate, checked out or refused): drop exactly those, except exits
      // still waiting for their entry (kept, and sent again with the next sync)
      const byId = new Map(batch.map((s) => [s.clientId, s]));
      const now = Date.now();
      const answered = new Set<string>();
      for (const x of r.results) {
        const s = byId.get(x.clientId);
        if (s && waitsForEntry(s, x, now)) waiting.add(x.clientId);
        else {
          answered.add(x.clientId);
          results.push(x);
        }
      }
      writeQueue(readQueue().filter((s) => !answered.has(s.clientId)));
      sent += batch.length;
    } catch (error) {
      const offline = isApiError(error) && error.status === 0;
      if (!offline && isApiError(error) && error.status === 400 && batch.length) {
        // the whole request was refused for one malformed item (named in the error): drop it so the rest can go
        const m = /items[./](\d+)/.exec(error.details[0]?.path ?? '');
        const bad = batch[m ? Number(m[1]) : 0] ?? batch[0]!;
        writeQueue(readQueue().filter((s) => s.clientId !== bad.clientId));
        results.push({
          clientId: bad.clientId,
          status: 'rejected',
          action: bad.action,
          checkinIds: [],
          venue: null,
          people: [],
          at: bad.at,
          autoCheckoutAt: null,
          error: { code: error.code, message: error.message, path: error.details[0]?.path ?? 'body' },
        });
        continue;
      }
      return { error, offline };
    }
  }
}
