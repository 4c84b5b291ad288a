// The gate's recent results, kept on the device so a reload (or reopening the page offline) still shows who was
// just let in. Per signed-in user, at most 20 rows, forgotten after 12 hours and at sign-out (forgetGateData).
import type { CheckinResultItem } from '../../../../server/src/modules/venues/schema';

export interface ResultRow {
  clientId: string;
  at: string;
  action: CheckinResultItem['action'];
  status: CheckinResultItem['status'] | 'queued';
  /** error text, or the venue when nobody is named */
  detail: string;
  /** the scanned people as the server named them to this gate (name, birth year) */
  people: { name: string | null; birthYear: number | null }[];
}

const PREFIX = 'vigil.gate.recent.';
const KEEP_MS = 12 * 3600_000;
export const MAX_RECENT = 20;

export function loadRecent(userId: string): ResultRow[] {
  try {
    const rows = JSON.parse(localStorage.getItem(PREFIX + userId) ?? '[]') as ResultRow[];
    const since = Date.now() - KEEP_MS;
    return Array.isArray(rows) ? rows.filter((r) => Date.parse(r.at) >= since).slice(0, MAX_RECENT) : [];
  } catch {
    return [];
  }
}

export function saveRecent(userId: string, rows: ResultRow[]) {
  try {
    localStorage.setItem(PREFIX + userId, JSON.stringify(rows.slice(0, MAX_RECENT)));
  } catch {
    // storage full or blocked: the list just does not survive a reload
  }
}

/** The answers the service worker keeps for the gate (vite.config.ts, runtimeCaching): who is signed in, entrances. */
const GATE_API_CACHE = 'vigil-gate-api';

/**
 * At sign-out: the recent results of every user on this device and the gate's kept answers (they say who was
 * signed in). Queued scans stay: they are not sent yet.
 */
export async function forgetGateData() {
  try {
    for (const k of Object.keys(localStorage)) if (k.startsWith(PREFIX)) localStorage.removeItem(k);
    if ('caches' in window) await caches.delete(GATE_API_CACHE);
  } catch {
    // nothing to forget
  }
}
