// The engine's pairing of contacts' stays with the sources present during them (splitHits): pure logic.
import { describe, expect, it } from 'vitest';
import { splitHits, type IslandRow } from './trace';

const T = (hhmm: string) => new Date(`2021-08-10T${hhmm}:00Z`);
const names: string[] = [];
const sources = () => names.map((n) => ({ personId: n, from: T('00:00'), to: T('23:59') }));
const span = (src: string, f: string, t: string, island = '1', venue = 'v1'): IslandRow => ({
  kind: 's', src: (names.includes(src) ? names : (names.push(src), names)).indexOf(src) + 1, person_id: null, venue_id: venue, venue_code: venue.toUpperCase(), venue_name: `Venue ${venue}`, via: null, island, f: T(f), t: T(t),
});
const hit = (person: string, f: string, t: string, island = '1', venue = 'v1'): IslandRow => ({
  kind: 'h', src: null, person_id: person, venue_id: venue, venue_code: null, venue_name: null, via: 'checkin', island, f: T(f), t: T(t),
});
const pairs = (rows: IslandRow[], min = 0) =>
  splitHits(rows, sources(), min)
    .map((h) => `${h.personId}<${h.sourcePersonId} ${h.from.toISOString().slice(11, 16)}-${h.to.toISOString().slice(11, 16)} ${h.overlapMinutes}`)
    .sort();

describe('splitHits', () => {
  it('pairs a late stay with a source present since the morning, past many short visits that started later', () => {
    const rows = [span('ALLDAY', '06:00', '20:00'), ...Array.from({ length: 30 }, (_, i) => span(`S${i}`, `${String(7 + Math.floor(i / 3)).padStart(2, '0')}:${String((i % 3) * 20).padStart(2, '0')}`, `${String(7 + Math.floor(i / 3)).padStart(2, '0')}:${String((i % 3) * 20 + 10).padStart(2, '0')}`)), hit('X', '19:00', '19:30')];
    expect(pairs(rows)).toEqual(['X<ALLDAY 19:00-19:30 30']);
  });

  it('one exposure per source with its own overlap; touching stays and other islands or venues do not meet', () => {
    const rows = [
      span('D', '18:00', '19:00'),
      span('E', '18:30', '19:00'),
      span('F', '20:00', '21:00', '2'),
      span('G', '18:00', '19:00', '1', 'v2'),
      hit('Y', '18:10', '18:40'),
      hit('B', '19:00', '19:30'), // arrives as D and E leave
      hit('A', '17:00', '18:00'), // leaves as D arrives
    ];
    expect(pairs(rows)).toEqual(['Y<D 18:10-18:40 30', 'Y<E 18:30-18:40 10']);
  });

  it('applies the minimum overlap to each source separately', () => {
    const rows = [span('D', '18:00', '19:00'), span('E', '18:30', '19:00'), hit('Y', '18:10', '18:40')];
    expect(pairs(rows, 15)).toEqual(['Y<D 18:10-18:40 30']);
    expect(pairs(rows, 31)).toEqual([]);
  });

  it("a source's own stay is not a contact of it, but is of the other sources there", () => {
    const rows = [span('D', '18:00', '19:00'), span('E', '18:30', '19:00'), hit('D', '18:00', '19:00')];
    expect(pairs(rows)).toEqual(['D<E 18:30-19:00 30']);
  });
});
