// Exposure notices, CrowdNotifier-style: the phone keeps its own history of visits (venue id and time window) and
// downloads the published notices (venue + time window, no identity); matching happens here, on the phone, so the
// server never learns who was where or who matched. History older than NOTICE_DAYS is forgotten.
import { load, save } from './storage';

export interface Visit {
  venueId: string;
  venueName: string;
  from: string;
  to: string;
}
export interface Notice {
  id: string;
  venueId: string;
  venueName: string;
  venueAddress: string;
  from: string;
  to: string;
  /** 1: a case was there; 2: a mass exposure (close contacts of a case in a crowd) */
  level?: number;
}
export interface Match {
  notice: Notice;
  /** the overlap of the visit and the notice's window */
  from: string;
  to: string;
}

export const VISITS_KEY = 'vigil.checkin.visits';
export const SEEN_KEY = 'vigil.checkin.noticesSeen';
const NOTICE_DAYS = 21;
const MAX_VISITS = 300;

export function loadVisits(now = Date.now()): Visit[] {
  return load<Visit[]>(VISITS_KEY, []).filter((v) => Date.parse(v.to) > now - NOTICE_DAYS * 86_400_000);
}

/** Remember a visit (after a check-in); a visit to the same venue starting at the same time is replaced. */
export function recordVisit(v: Visit) {
  const visits = loadVisits().filter((x) => !(x.venueId === v.venueId && x.from === v.from));
  save(VISITS_KEY, [...visits, v].slice(-MAX_VISITS));
}

/** The visit to `venueId` that is still open ends at `at` (a check-out). */
export function endVisit(venueId: string, at: string) {
  const visits = loadVisits().map((x) => (x.venueId === venueId && x.from <= at && x.to > at ? { ...x, to: at } : x));
  save(VISITS_KEY, visits);
}

/** Notices whose venue and window overlap one of the visits (touching windows do not). */
export function matchNotices(visits: Visit[], notices: Notice[]): Match[] {
  const out: Match[] = [];
  for (const n of notices) {
    for (const v of visits) {
      if (v.venueId !== n.venueId) continue;
      const from = Math.max(Date.parse(v.from), Date.parse(n.from));
      const to = Math.min(Date.parse(v.to), Date.parse(n.to));
      if (to > from) {
        out.push({ notice: n, from: new Date(from).toISOString(), to: new Date(to).toISOString() });
        break;
      }
    }
  }
  return out.sort((a, b) => b.from.localeCompare(a.from));
}

/** Fetch the published notices and match them against this phone's history. Nothing is sent about the phone. */
export async function checkExposures(): Promise<Match[]> {
  const visits = loadVisits();
  if (!visits.length) return [];
  const res = await fetch('/api/public/exposure-notices', { credentials: 'omit', headers: { Accept: 'application/json' } });
  if (!res.ok) return [];
  const body = (await res.json()) as { items: Notice[] };
  return matchNotices(visits, body.items);
}
