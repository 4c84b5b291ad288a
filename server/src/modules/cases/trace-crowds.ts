// The mass-exposure rule's crowd count, finished from the stays read. cases_venue_contacts (migration 0010) counts in
// the index only the stays begun during each source span (decisive at a crowded venue, whose window it then does not
// read) and returns that count (n) with each span it reads; the stays of the span's venue read for the islands hold
// every other stay the rule counts: check-ins begun up to 12 h before the span and not ended at its start (by
// check-out, else the venue's default stay: e) and venue declarations overlapping it. A span whose total passes the
// threshold becomes a crowded stay ('m'): nobody there is listed through it, exactly as when the statement counted it
// all (0009), without reading the same index range twice per span.
import { STAY_CAP_MS, type IslandRow, type TraceSource } from './trace-types';

/**
 * Turns into 'm' rows (n: the count) the 's' rows of `rows` during which more than `crowd` other people's stays
 * overlapped the span. No-op when crowd ≤ 0.
 */
export function finishCrowdCounts(rows: IslandRow[], sources: TraceSource[], crowd: number): void {
  if (crowd <= 0) return;
  const byVenue = new Map<string, IslandRow[]>();
  for (const r of rows) {
    if (r.kind !== 'h') continue;
    const l = byVenue.get(r.venue_id);
    if (l) l.push(r);
    else byVenue.set(r.venue_id, [r]);
  }
  // per venue, its stays by start and the longest of them: a stay begun more than that before a span ended before it
  const longest = new Map<string, number>();
  for (const [v, l] of byVenue) {
    l.sort((x, y) => x.f - y.f);
    let m = 0;
    for (const h of l) if (h.e! - h.f > m) m = h.e! - h.f;
    longest.set(v, m);
  }
  for (const s of rows) {
    if (s.kind !== 's') continue;
    let n = s.n ?? 0;
    const stays = byVenue.get(s.venue_id);
    if (!stays) continue;
    const person = sources[s.src! - 1]!.personId;
    const a = s.f;
    const b = s.t;
    const from = a - Math.min(STAY_CAP_MS, longest.get(s.venue_id)!);
    // first stay begun at or after a − 12 h (or the venue's longest stay read, when shorter)
    let lo = 0;
    let hi = stays.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (stays[mid]!.f < from) lo = mid + 1;
      else hi = mid;
    }
    for (let k = lo; k < stays.length && n <= crowd; k++) {
      const h = stays[k]!;
      if (h.f >= b) break;
      if (h.person_id === person) continue;
      // check-ins begun during the span were counted in the index (n); the others count when not ended at a
      if (h.via === 'checkin' ? h.f < a && h.e! > a : h.e! > a) n++;
    }
    if (n > crowd) {
      s.kind = 'm';
      s.n = n;
    }
  }
}
