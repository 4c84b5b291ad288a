// Illustrative boundaries for units that have none (the demo's generated districts and communes): the parent's
// outline divided into one cell per child, so a map of a province shows its districts, each roughly sized by its
// population. Voronoi cells (d3-delaunay) around seeds spread evenly over the outline by a few rounds of
// population-weighted Lloyd relaxation, each cell cut to the outline (polygon-clipping). Deterministic: the same
// input gives the same shapes. NOT real boundaries: units get geometry_generated = true and the map says so.
import { Delaunay } from 'd3-delaunay';
import polygonClipping, { type MultiPolygon as PcMultiPolygon, type Polygon as PcPolygon } from 'polygon-clipping';

export type Ring = [number, number][];
export interface Outline {
  type: 'Polygon' | 'MultiPolygon';
  coordinates: unknown;
}
export interface GeneratedCell {
  type: 'MultiPolygon';
  coordinates: [number, number][][][];
}

const asMulti = (g: Outline): PcMultiPolygon =>
  (g.type === 'Polygon' ? [g.coordinates] : g.coordinates) as PcMultiPolygon;

function bboxOf(m: PcMultiPolygon): [number, number, number, number] {
  let [w, s, e, n] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const poly of m) for (const [x, y] of poly[0]!) [w, s, e, n] = [Math.min(w, x), Math.min(s, y), Math.max(e, x), Math.max(n, y)];
  return [w, s, e, n];
}

function inRing(x: number, y: number, ring: PcPolygon[number]): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i]!;
    const [xj, yj] = ring[j]!;
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

const inside = (x: number, y: number, m: PcMultiPolygon) => m.some((poly) => inRing(x, y, poly[0]!) && !poly.slice(1).some((hole) => inRing(x, y, hole)));

/** Halton low-discrepancy sequence (bases 2 and 3): evenly spread, reproducible sample points. */
function halton(i: number, base: number): number {
  let f = 1;
  let r = 0;
  for (let k = i; k > 0; k = Math.floor(k / base)) {
    f /= base;
    r += f * (k % base);
  }
  return r;
}

/**
 * `outline` divided into `weights.length` cells, cell i for child i (its weight, e.g. population, sets how much
 * area it tends to get). Returns one MultiPolygon per child, in order.
 */
export function divideOutline(outline: Outline, weights: number[], rounds = 6): GeneratedCell[] {
  const shape = asMulti(outline);
  const n = weights.length;
  if (n === 0) return [];
  const [w, s, e, north] = bboxOf(shape);
  // sample points inside the outline (the relaxation's measure of area)
  const samples: [number, number][] = [];
  for (let i = 1; samples.length < Math.max(400, n * 40) && i < 200_000; i++) {
    const x = w + halton(i, 2) * (e - w);
    const y = s + halton(i, 3) * (north - s);
    if (inside(x, y, shape)) samples.push([x, y]);
  }
  if (samples.length < n) throw new Error('outline too small to divide');
  // seeds: every k-th sample, then pulled towards the centre of what they cover, heavier children covering more
  const step = samples.length / n;
  let seeds = weights.map((_, i) => samples[Math.floor(i * step)]!);
  const total = weights.reduce((a, b) => a + Math.max(b, 1), 0);
  for (let r = 0; r < rounds; r++) {
    const sums = seeds.map(() => [0, 0, 0]);
    const scale = weights.map((wt) => Math.sqrt(Math.max(wt, 1) / total)); // larger weight: nearer by this factor
    for (const [x, y] of samples) {
      let best = 0;
      let bestD = Infinity;
      seeds.forEach(([sx, sy], i) => {
        const d = Math.hypot(x - sx, y - sy) / scale[i]!;
        if (d < bestD) [best, bestD] = [i, d];
      });
      const t = sums[best]!;
      t[0] += x;
      t[1] += y;
      t[2]! += 1;
    }
    seeds = seeds.map((p, i) => (sums[i]![2]! > 0 ? [sums[i]![0]! / sums[i]![2]!, sums[i]![1]! / sums[i]![2]!] : p));
  }
  const voronoi = Delaunay.from(seeds).voronoi([w - 1, s - 1, e + 1, north + 1]);
  return seeds.map((_, i) => {
    const cell = voronoi.cellPolygon(i) as unknown as [number, number][] | null;
    const cut = cell ? polygonClipping.intersection(shape, [cell]) : [];
    return { type: 'MultiPolygon' as const, coordinates: cut.map((poly) => poly.map((ring) => ring.map(([x, y]) => [round(x), round(y)] as [number, number]))) };
  });
}

const round = (v: number) => Math.round(v * 1e5) / 1e5;

