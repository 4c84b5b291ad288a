// The mass-exposure rule's crowd count finished from the stays read (finishCrowdCounts): pure logic. The statement
// counted the check-ins begun during the span (n); the engine adds check-ins begun up to 12 h before and not ended at
// the span's start, and declarations overlapping it, never the source itself, and decides "more than the threshold".
import { describe, expect, it } from 'vitest';
import { finishCrowdCounts } from './trace-crowds';
import type { IslandRow } from './trace-types';

const T = (hhmm: string) => new Date(`2021-08-10T${hhmm}:00Z`).getTime();
const sources = [{ personId: 'S', from: new Date(T('00:00')), to: new Date(T('23:59')) }];
const span = (n: number, f = '10:00', t = '11:00'): IslandRow => ({ kind: 's', src: 1, person_id: null, venue_id: 'v1', venue_code: 'V1', venue_name: 'Venue', via: null, f: T(f), t: T(t), n });
const stay = (person: string, f: string, e: string, via: 'checkin' | 'declaration' = 'checkin', venue = 'v1', t = e): IslandRow => ({
  kind: 'h', src: null, person_id: person, venue_id: venue, venue_code: null, venue_name: null, via, f: T(f), t: T(t), e: T(e),
});
const around = () => [
  stay('X', '09:00', '10:30'), // begun before, not ended at 10:00: counts
  stay('Y', '08:00', '10:00'), // ended at the span's start: does not
  stay('S', '09:30', '10:30'), // the source itself: does not
  stay('D', '09:50', '10:50', 'declaration'), // a declaration overlapping the span: counts
  stay('Z', '10:15', '10:45'), // begun during the span: already in n
  stay('W', '09:00', '10:30', 'checkin', 'v2'), // another venue: does not
  stay('N', '09:40', '10:30', 'checkin', 'v1', '09:45'), // ended early at a next check-in elsewhere (t), its stay (e) counts
  stay('O', '21:30', '22:30'), // begun after the span: does not
];
const after = (crowd: number, n = 1) => {
  const rows = [span(n), ...around()];
  finishCrowdCounts(rows, sources, crowd);
  return rows[0]!;
};

describe('finishCrowdCounts', () => {
  it('adds the stays begun before and not ended and the declarations to the count of the index: more than the threshold is crowded', () => {
    // 1 begun during (n) + X + D + N = 4
    expect(after(3)).toMatchObject({ kind: 'm', n: 4 });
    expect(after(4)).toMatchObject({ kind: 's', n: 1 });
  });

  it('stays begun 12 h before the span and still there count; earlier ones were capped', () => {
    const rows = [span(0, '20:00', '21:00'), stay('L', '08:00', '20:30'), stay('M', '07:59', '20:30')];
    finishCrowdCounts(rows, sources, 0.5);
    expect(rows[0]).toMatchObject({ kind: 'm', n: 1 });
  });

  it('does nothing with the rule off, and a span whose venue was not read keeps its count', () => {
    expect(after(0)).toMatchObject({ kind: 's', n: 1 });
    const rows = [{ ...span(1), venue_id: 'v3' }, ...around()];
    finishCrowdCounts(rows, sources, 1);
    expect(rows[0]).toMatchObject({ kind: 's', n: 1 });
  });
});
