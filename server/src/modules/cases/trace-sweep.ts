// The pairing of a level's contact stays with the sources present during them: a sorted sweep per venue, one walk
// per stay (cases_venue_contacts returns the sources' spans and the contacts' stays; this tells them apart).
import type { GroupOf, IslandRow, KnownOf, TraceSource, VenueHit } from './trace-types';

interface SpanList {
  /** spans of the sources at one venue (all groups), sorted by start */
  starts: number[];
  ends: number[];
  src: number[];
  /** reach[k]: the latest end among spans 0..k (the walk back stops once no earlier span can reach the stay) */
  reach: number[];
}

/**
 * Each contact stay against the sources' spans at its venue, per group of sources: the sources that overlap it by
 * more than nothing and by at least the minimum overlap (the source's own, else `minOverlapMinutes`) are counted,
 * the longest overlap names the source; a source's own stays are not contacts of it, nor are people known to the
 * group. Spans sorted by start: a stay [f, t) meets the spans starting before t and ending after f; the walk back
 * stops once no earlier span ends after f. One walk per stay whatever the number of groups (a bulk chunk of 25
 * cases at a market: not 25 searches), nothing allocated per pair: a market where a thousand F1s spent the day
 * costs a sort and short walks.
 */
export function splitHits(rows: IslandRow[], sources: TraceSource[], minOverlapMinutes = 0, known?: KnownOf, groupOf?: GroupOf): VenueHit[] {
  const venues = new Map<string, { code: string; name: string; list: SpanList }>();
  const raw = new Map<SpanList, { f: number; t: number; src: number }[]>();
  for (const r of rows) {
    if (r.kind !== 's') continue;
    let v = venues.get(r.venue_id);
    if (!v) {
      venues.set(r.venue_id, (v = { code: r.venue_code ?? '', name: r.venue_name ?? '', list: { starts: [], ends: [], src: [], reach: [] } }));
      raw.set(v.list, []);
    }
    raw.get(v.list)!.push({ f: Math.round(r.f), t: Math.round(r.t), src: r.src! - 1 });
  }
  for (const [list, spans] of raw) {
    spans.sort((a, b) => a.f - b.f);
    let reach = -Infinity;
    for (const s of spans) {
      list.starts.push(s.f);
      list.ends.push(s.t);
      list.src.push(s.src);
      list.reach.push((reach = Math.max(reach, s.t)));
    }
  }
  const minMs = sources.map((x) => Math.max(0, Math.floor(x.minOverlapMinutes ?? minOverlapMinutes)) * 60_000);
  const groupNo = sources.map((_, n) => (groupOf ? groupOf(n) : 0));
  const groups = groupNo.reduce((m, g) => Math.max(m, g + 1), 1);
  // per stay, per group: when it was first met in this walk (stamp), skipped as known, its count, longest, hull
  const gStamp = new Int32Array(groups).fill(-1);
  const gSkip = new Uint8Array(groups);
  const gCount = new Int32Array(groups);
  const gBest = new Int32Array(groups);
  const gLen = new Float64Array(groups);
  const gStart = new Float64Array(groups);
  const gA = new Float64Array(groups);
  const gB = new Float64Array(groups);
  const seen = new Int32Array(sources.length).fill(-1);
  const touched: number[] = [];
  let stamp = 0;
  const out: VenueHit[] = [];
  for (const h of rows) {
    if (h.kind !== 'h') continue;
    const v = venues.get(h.venue_id);
    if (!v) continue;
    const f = Math.round(h.f);
    const t = Math.round(h.t);
    if (t <= f) continue;
    const person = h.person_id!;
    const { starts, ends, src, reach } = v.list;
    // first span starting at or after t: the candidates are before it
    let lo = 0;
    let hi = starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (starts[mid]! < t) lo = mid + 1;
      else hi = mid;
    }
    stamp++;
    touched.length = 0;
    for (let k = lo - 1; k >= 0 && reach[k]! > f; k--) {
      const n = src[k]!;
      const a = f > starts[k]! ? f : starts[k]!;
      const b = t < ends[k]! ? t : ends[k]!;
      const len = b - a;
      if (len <= 0 || len < minMs[n]! || sources[n]!.personId === person) continue;
      const g = groupNo[n]!;
      if (gStamp[g] !== stamp) {
        gStamp[g] = stamp;
        gSkip[g] = known && known(n).has(person) ? 1 : 0;
        gCount[g] = 0;
        gBest[g] = -1;
        gA[g] = Infinity;
        gB[g] = -Infinity;
        touched.push(g);
      }
      if (gSkip[g]) continue;
      if (seen[n] !== stamp) {
        seen[n] = stamp;
        gCount[g]++;
      }
      if (a < gA[g]!) gA[g] = a;
      if (b > gB[g]!) gB[g] = b;
      const best = gBest[g]!;
      if (best < 0 || len > gLen[g]! || (len === gLen[g]! && (a < gStart[g]! || (a === gStart[g]! && sources[n]!.personId < sources[best]!.personId)))) {
        gBest[g] = n;
        gLen[g] = len;
        gStart[g] = a;
      }
    }
    for (const g of touched) {
      if (gSkip[g] || !gCount[g]) continue;
      const best = gBest[g]!;
      out.push({
        sourcePersonId: sources[best]!.personId,
        sourceIndex: best,
        sourcesCount: gCount[g]!,
        personId: person,
        venueId: h.venue_id,
        venueCode: v.code,
        venueName: v.name,
        via: h.via!,
        from: new Date(gA[g]!),
        to: new Date(gB[g]!),
        overlapMinutes: Math.max(1, Math.round(gLen[g]! / 60_000)),
      });
    }
  }
  return out;
}
