// The sampling page's recent tubes, kept on the device so a reload (or reopening the page offline) still shows what was
// just collected and whether it reached the server. Per signed-in user, at most 30 rows, forgotten after 12 hours.
import type { BatchItemResult } from './types';

export interface RecentSample {
  clientId: string;
  tubeCode: string;
  at: string;
  status: BatchItemResult['status'] | 'queued';
  /** the people as scanned or typed, replaced by the names the server gives */
  labels: string[];
  /** why the server refused it */
  detail: string;
}

const PREFIX = 'vigil.testing.recent.';
const KEEP_MS = 12 * 3600_000;
export const MAX_RECENT = 30;

export function loadRecent(userId: string): RecentSample[] {
  try {
    const rows = JSON.parse(localStorage.getItem(PREFIX + userId) ?? '[]') as RecentSample[];
    const since = Date.now() - KEEP_MS;
    return Array.isArray(rows) ? rows.filter((r) => Date.parse(r.at) >= since).slice(0, MAX_RECENT) : [];
  } catch {
    return [];
  }
}

export function saveRecent(userId: string, rows: RecentSample[]) {
  try {
    localStorage.setItem(PREFIX + userId, JSON.stringify(rows.slice(0, MAX_RECENT)));
  } catch {
    // storage full or blocked: the list just does not survive a reload
  }
}

/** At sign-out: the recent tubes of every user on this device (they name people). Queued tubes stay: not sent yet. */
export function forgetSamplingData() {
  try {
    for (const k of Object.keys(localStorage)) if (k.startsWith(PREFIX)) localStorage.removeItem(k);
  } catch {
    // nothing to forget
  }
}
