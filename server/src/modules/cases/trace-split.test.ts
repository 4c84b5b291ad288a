// The engine's pairing of contacts' stays with the sources present during them (splitHits): pure logic.
import { describe, expect, it } from 'vitest';
import { splitHits } from './trace-sweep';
import type { IslandRow } from './trace-types';

const T = (hhmm: string) => new Date(`2021-08-10T${hhmm}:00Z`).getTime();
const hm = (d: Date) => d.toISOString().slice(11, 16);
const names: string[] = [];
const sources = () => names.map((n) => ({ personId: n, from: new Date(T('00:00')), to: new Date(T('23:59')) }));
const span = (src: string, f: string, t: string, venue = 'v1'): IslandRow => ({
  kind: 's', src: (names.includes(src) ? names : (names.push(src), names)).indexOf(src) + 1, person_id: null, venue_id: venue, venue_code: venue.toUpperCase(), venue_name: `Venue ${venue}`, via: null, f: T(f), t: T(t),
});
const hit = (person: string, f: string, t: string, venue = 'v1'): IslandRow => ({
  kind: 'h', src: null, person_id: person, venue_id: venue, venue_code: null, venue_name: null, via: 'checkin', f: T(f), t: T(t),
});
/** "person<main source ×count from-to minutes" per stay */
const stays = (rows: IslandRow[], min = 0, groupOf?: (n: number) => number) =>
  splitHits(rows, sources(), min, undefined, groupOf)
    .map((h) => `${h.personId}<${h.sourcePersonId} ×${h.sourcesCount} ${hm(h.from)}-${hm(h.to)} ${h.overlapMinutes}`)
    .sort();

describe('splitHits', () => {
  it('pairs a late stay with a source present since the morning, past many short visits that started later', () => {
    const rows = [span('ALLDAY', '06:00', '20:00'), ...Array.from({ length: 30 }, (_, i) => span(`S${i}`, `${String(7 + Math.floor(i / 3)).padStart(2, '0')}:${String((i % 3) * 20).padStart(2, '0')}`, `${String(7 + Math.floor(i / 3)).padStart(2, '0')}:${String((i % 3) * 20 + 10).padStart(2, '0')}`)), hit('X', '19:00', '19:30')];
    expect(stays(rows)).toEqual(['X<ALLDAY ×1 19:00-19:30 30']);
  });

  it('one exposure per stay: the sources counted, the longest overlap named, from the first to the last source; touching stays and other venues do not meet', () => {
    const rows = [
      span('D', '18:00', '19:00'),
      span('E', '18:30', '19:00'),
      span('F', '20:00', '21:00'),
      span('G', '18:00', '19:00', 'v2'),
      hit('Y', '18:10', '18:40'),
      hit('B', '19:00', '19:30'), // arrives as D and E leave
      hit('A', '17:00', '18:00'), // leaves as D arrives
      hit('L', '18:50', '20:30'), // D and E until 19:00, F from 20:00 (another island): one stay, three sources
    ];
    expect(stays(rows)).toEqual(['L<F ×3 18:50-20:30 30', 'Y<D ×2 18:10-18:40 30']);
  });

  it('ties of the longest overlap go to the first to overlap, then the lowest id; a source there twice counts once', () => {
    const rows = [span('K', '10:00', '10:20'), span('J', '10:10', '10:30'), span('J', '11:00', '11:05'), hit('Y', '10:00', '12:00')];
    expect(stays(rows)).toEqual(['Y<K ×2 10:00-11:05 20']);
    const tie = [span('N', '10:00', '10:20'), span('M', '10:00', '10:20'), hit('Z', '09:00', '12:00')];
    expect(stays(tie)).toEqual(['Z<M ×2 10:00-10:20 20']);
  });

  it('applies the minimum overlap to each source separately', () => {
    const rows = [span('D', '18:00', '19:00'), span('E', '18:30', '19:00'), hit('Y', '18:10', '18:40')];
    expect(stays(rows, 15)).toEqual(['Y<D ×1 18:10-18:40 30']);
    expect(stays(rows, 31)).toEqual([]);
  });

  it("a source's own stay is not a contact of it, but is of the other sources there", () => {
    const rows = [span('D', '18:00', '19:00'), span('E', '18:30', '19:00'), hit('D', '18:00', '19:00')];
    expect(stays(rows)).toEqual(['D<E ×1 18:30-19:00 30']);
  });

  it("sources of different cases (groups) are counted apart: one exposure per stay per case", () => {
    const rows = [span('D', '18:00', '19:00'), span('E', '18:30', '19:00'), span('H', '18:00', '18:20'), hit('Y', '18:10', '18:40')];
    const group = (n: number) => (names[n] === 'D' || names[n] === 'E' ? 1 : 2);
    expect(stays(rows, 0, group)).toEqual(['Y<D ×2 18:10-18:40 30', 'Y<H ×1 18:10-18:20 10']);
  });
});
