// Administrative units: import (CSV / GeoJSON) with whole-file validation, and the jurisdiction resolver the
// platform's access helper uses.
import { parse as parseCsv } from 'csv-parse/sync';
import { sql } from 'kysely';
import type { Db, DbOrTx } from '../../platform/db/types';
import { badRequest, type ErrorDetail } from '../../platform/http/errors';
import type { SubtreeResolver } from '../../platform/auth/access';
import type { UnitInfo } from '../../platform/auth/jurisdiction';
import { allUnitsBrief, recomputePaths } from './queries';

export const ROOT_CODE = 'VN';
const CODE_RE = /^[A-Za-z0-9._-]{1,32}$/;
const MAX_ERRORS = 50;

export interface UnitInput {
  code: string;
  name: string;
  nameEn?: string | null;
  level: string;
  parentCode: string | null;
  population: number | null;
  geometry?: unknown;
  /** the geometry was generated (illustrative), not a real boundary */
  geometryGenerated?: boolean;
  /** 'line 3' / 'feature 2': where it came from, for error messages */
  source: string;
}

export class ImportError extends Error {
  constructor(readonly details: ErrorDetail[]) {
    super(`Import rejected: ${details.length} problem(s)\n${details.map((d) => `  ${d.path}: ${d.message}`).join('\n')}`);
  }
}

export function parseUnitsCsv(text: string): UnitInput[] {
  let records: string[][];
  try {
    records = parseCsv(text.replace(/^\uFEFF/, ''), { skip_empty_lines: true, relax_column_count: false, trim: true }) as string[][];
  } catch (err) {
    const e = err as { lines?: number; message: string };
    throw new ImportError([{ path: e.lines ? `line ${e.lines}` : 'file', message: e.message.replace(/^Invalid Record Length: /, '') }]);
  }
  if (!records.length) throw new ImportError([{ path: 'file', message: 'is empty' }]);
  const header = records[0].map((h) => h.toLowerCase());
  const required = ['code', 'name', 'level', 'parent_code', 'population'];
  const missing = required.filter((h) => !header.includes(h));
  if (missing.length) throw new ImportError([{ path: 'line 1', message: `header must contain ${required.join(',')}; missing ${missing.join(',')}` }]);
  const col = (name: string) => header.indexOf(name);
  const errors: ErrorDetail[] = [];
  const out: UnitInput[] = [];
  records.slice(1).forEach((r, i) => {
    const source = `line ${i + 2}`;
    const pop = r[col('population')];
    let population: number | null = null;
    if (pop !== '' && pop !== undefined) {
      if (!/^\d+$/.test(pop)) errors.push({ path: source, message: `population "${pop}" is not a whole number` });
      else population = Number(pop);
    }
    out.push({
      code: r[col('code')],
      name: r[col('name')],
      nameEn: col('name_en') >= 0 ? r[col('name_en')] || null : null,
      level: r[col('level')],
      parentCode: r[col('parent_code')] || null,
      population,
      source,
    });
  });
  if (errors.length) throw new ImportError(errors.slice(0, MAX_ERRORS));
  return out;
}

export function parseUnitsGeoJson(text: string): UnitInput[] {
  let doc: { type?: string; features?: unknown };
  try {
    doc = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new ImportError([{ path: 'file', message: `not valid JSON: ${(err as Error).message}` }]);
  }
  if (doc?.type !== 'FeatureCollection' || !Array.isArray(doc.features))
    throw new ImportError([{ path: 'file', message: 'must be a GeoJSON FeatureCollection' }]);
  const errors: ErrorDetail[] = [];
  const out: UnitInput[] = [];
  doc.features.forEach((f: { properties?: Record<string, unknown>; geometry?: unknown } | null, i: number) => {
    const source = `feature ${i + 1}`;
    const p = f?.properties ?? {};
    const problem = geometryProblem(f?.geometry);
    if (problem) errors.push({ path: source, message: problem });
    const pop = p.population;
    if (pop !== undefined && pop !== null && !(Number.isInteger(pop) && (pop as number) >= 0))
      errors.push({ path: source, message: `population ${JSON.stringify(pop)} is not a non-negative whole number` });
    out.push({
      code: String(p.code ?? ''),
      name: String(p.name ?? ''),
      nameEn: typeof p.name_en === 'string' ? p.name_en : null,
      level: String(p.level ?? ''),
      parentCode: (p.parent_code ?? p.parentCode ?? null) as string | null,
      population: typeof pop === 'number' ? pop : null,
      geometry: f?.geometry ?? null,
      source,
    });
  });
  if (errors.length) throw new ImportError(errors.slice(0, MAX_ERRORS));
  return out;
}

function geometryProblem(g: unknown): string | null {
  if (g === null || g === undefined) return null; // geometry is optional
  const geom = g as { type?: string; coordinates?: unknown };
  const ring = (r: unknown): boolean =>
    Array.isArray(r) &&
    r.length >= 4 &&
    r.every((p) => Array.isArray(p) && p.length >= 2 && Math.abs(p[0]) <= 180 && Math.abs(p[1]) <= 90 && p.every(Number.isFinite)) &&
    r[0][0] === r[r.length - 1][0] &&
    r[0][1] === r[r.length - 1][1];
  const poly = (p: unknown) => Array.isArray(p) && p.length > 0 && p.every(ring);
  if (geom.type === 'Polygon') return poly(geom.coordinates) ? null : 'Polygon rings must be closed lists of ≥4 [lon,lat] positions';
  if (geom.type === 'MultiPolygon')
    return Array.isArray(geom.coordinates) && geom.coordinates.length > 0 && geom.coordinates.every(poly)
      ? null
      : 'MultiPolygon rings must be closed lists of ≥4 [lon,lat] positions';
  return `geometry type ${JSON.stringify(geom.type)} is not Polygon or MultiPolygon`;
}

function bboxOf(g: unknown): number[] | null {
  if (!g) return null;
  let w = 180, s = 90, e = -180, n = -90;
  const walk = (x: unknown): void => {
    if (Array.isArray(x) && typeof x[0] === 'number') {
      w = Math.min(w, x[0]); e = Math.max(e, x[0]); s = Math.min(s, x[1] as number); n = Math.max(n, x[1] as number);
    } else if (Array.isArray(x)) x.forEach(walk);
  };
  walk((g as { coordinates: unknown }).coordinates);
  return [w, s, e, n];
}

export interface ImportResult {
  inserted: number;
  updated: number;
}

/**
 * Validate the whole file against itself and the database, then write it in one transaction: either every
 * unit is imported or none. Rows may come in any order (children before parents).
 */
export async function importUnits(
  db: Db,
  levels: string[],
  units: UnitInput[],
  onProgress?: (done: number, total: number) => void,
): Promise<ImportResult> {
  const errors: ErrorDetail[] = [];
  const seen = new Map<string, UnitInput>();
  for (const u of units) {
    if (!CODE_RE.test(u.code)) errors.push({ path: u.source, message: `code "${u.code}" must be 1–32 letters, digits, . _ -` });
    else if (u.code === ROOT_CODE) errors.push({ path: u.source, message: `code "${ROOT_CODE}" is reserved for the country` });
    if (!u.name.trim()) errors.push({ path: u.source, message: 'name is empty' });
    if (!levels.includes(u.level)) errors.push({ path: u.source, message: `level "${u.level}" is not one of ${levels.join(', ')}` });
    const dup = seen.get(u.code);
    if (dup) errors.push({ path: u.source, message: `duplicate code "${u.code}" (also at ${dup.source})` });
    else seen.set(u.code, u);
  }
  const existing = new Map((await db.selectFrom('admin_units').select(['code', 'level', 'parent_code']).execute()).map((r) => [r.code, r]));
  const levelOf = (code: string) => (code === ROOT_CODE ? 'country' : (seen.get(code)?.level ?? existing.get(code)?.level));
  for (const u of seen.values()) {
    const expectedParentLevel = levels.indexOf(u.level) === 0 ? 'country' : levels[levels.indexOf(u.level) - 1];
    const parent = u.parentCode ?? (expectedParentLevel === 'country' ? ROOT_CODE : null);
    u.parentCode = parent;
    if (!parent) {
      errors.push({ path: u.source, message: `parent_code is required for level ${u.level}` });
      continue;
    }
    const pl = levelOf(parent);
    if (!pl) errors.push({ path: u.source, message: `unknown parent code "${parent}"` });
    else if (pl !== expectedParentLevel)
      errors.push({ path: u.source, message: `parent "${parent}" is a ${pl}; a ${u.level} needs a ${expectedParentLevel} parent` });
  }
  // Cycles: follow parent links through the file and the database.
  const parentOf = (code: string) => seen.get(code)?.parentCode ?? existing.get(code)?.parent_code ?? null;
  const reported = new Set<string>();
  for (const u of seen.values()) {
    const chain: string[] = [];
    let cur: string | null = u.code;
    while (cur && cur !== ROOT_CODE && !chain.includes(cur) && chain.length <= levels.length + 2) {
      chain.push(cur);
      cur = parentOf(cur);
    }
    if (cur && cur !== ROOT_CODE && chain.includes(cur)) {
      const cycle = chain.slice(chain.indexOf(cur));
      const key = [...cycle].sort().join(',');
      if (!reported.has(key)) {
        reported.add(key);
        errors.push({ path: u.source, message: `cycle in parent codes: ${[...cycle, cur].join(' → ')}` });
      }
    }
  }
  if (errors.length) throw new ImportError(errors.slice(0, MAX_ERRORS));

  // Parents first, so the foreign key holds at every insert.
  const ordered = [...seen.values()].sort((a, b) => levels.indexOf(a.level) - levels.indexOf(b.level));
  const result: ImportResult = { inserted: 0, updated: 0 };
  await db.transaction().execute(async (tx) => {
    const BATCH = 500;
    for (let i = 0; i < ordered.length; i += BATCH) {
      const chunk = ordered.slice(i, i + BATCH);
      const rows = chunk.map((u) => ({
        code: u.code,
        name: u.name.trim(),
        name_en: u.nameEn ?? null,
        level: u.level,
        depth: levels.indexOf(u.level) + 1,
        parent_code: u.parentCode,
        path: '',
        population: u.population,
        geometry: u.geometry ? JSON.stringify(u.geometry) : null,
        bbox: bboxOf(u.geometry),
        geometry_generated: !!u.geometry && !!u.geometryGenerated,
      }));
      await tx
        .insertInto('admin_units')
        .values(rows)
        .onConflict((oc) =>
          oc.column('code').doUpdateSet((eb) => ({
            name: eb.ref('excluded.name'),
            name_en: eb.fn.coalesce('excluded.name_en', 'admin_units.name_en'),
            level: eb.ref('excluded.level'),
            depth: eb.ref('excluded.depth'),
            parent_code: eb.ref('excluded.parent_code'),
            population: eb.fn.coalesce('excluded.population', 'admin_units.population'),
            geometry: eb.fn.coalesce('excluded.geometry', 'admin_units.geometry'),
            bbox: eb.fn.coalesce('excluded.bbox', 'admin_units.bbox'),
            // a new boundary brings its own flag; no boundary in the file keeps the old one and its flag
            geometry_generated: sql<boolean>`case when excluded.geometry is null then admin_units.geometry_generated else excluded.geometry_generated end`,
            updated_at: new Date(),
          })),
        )
        .execute();
      for (const u of chunk) existing.has(u.code) ? result.updated++ : result.inserted++;
      onProgress?.(Math.min(i + BATCH, ordered.length), ordered.length);
    }
    await recomputePaths(tx);
  });
  clearUnitCache();
  return result;
}

export function parseUnitsFile(name: string, text: string): UnitInput[] {
  if (/\.csv$/i.test(name)) return parseUnitsCsv(text);
  if (/\.(geo)?json$/i.test(name)) return parseUnitsGeoJson(text);
  throw badRequest(`Unsupported file type "${name}": use .csv or .geojson`);
}

// ---- jurisdiction resolver -----------------------------------------------------------------------------------

/** Shared per database: all units are few (≈11k for Vietnam) so they are cached whole for a short time. */
type UnitCacheEntry = { at: number; byCode: Map<string, UnitInfo>; subtree: Map<string, string[]> };
const unitCache = new Map<Db | DbOrTx, UnitCacheEntry>();
/**
 * The read of all units in flight per database: when the cached copy expires under load, every request asking
 * meanwhile waits for that one read instead of each reading all units itself (at the booking benchmark's 500
 * concurrent requests an expiry cost hundreds of whole-table reads at once).
 */
const unitLoads = new Map<Db | DbOrTx, Promise<UnitCacheEntry>>();
const CACHE_MS = 30_000;

/** Forgets the cached units of every database (and any read in flight: what it brings back is not kept). */
function clearUnitCache() {
  unitCache.clear();
  unitLoads.clear();
}

export function createJurisdictionResolver(db: Db): SubtreeResolver & { invalidate(): void } {
  const load = (): Promise<UnitCacheEntry> => {
    const hit = unitCache.get(db);
    if (hit && Date.now() - hit.at < CACHE_MS) return Promise.resolve(hit);
    const inFlight = unitLoads.get(db);
    if (inFlight) return inFlight;
    const read: Promise<UnitCacheEntry> = allUnitsBrief(db).then(
      (rows) => {
        const entry = { at: Date.now(), byCode: new Map(rows.map((r) => [r.code, r])), subtree: new Map<string, string[]>() };
        // kept only if no change cleared the cache since this read began
        if (unitLoads.get(db) === read) {
          unitCache.set(db, entry);
          unitLoads.delete(db);
        }
        return entry;
      },
      (err: unknown) => {
        if (unitLoads.get(db) === read) unitLoads.delete(db);
        throw err;
      },
    );
    unitLoads.set(db, read);
    return read;
  };
  return {
    async unit(code) {
      return (await load()).byCode.get(code) ?? null;
    },
    async subtreeCodes(scope) {
      if (scope === ROOT_CODE) return null;
      const c = await load();
      let codes = c.subtree.get(scope);
      if (!codes) {
        const root = c.byCode.get(scope);
        codes = root ? [...c.byCode.values()].filter((u) => u.path.startsWith(root.path)).map((u) => u.code) : [];
        c.subtree.set(scope, codes);
      }
      return codes;
    },
    invalidate() {
      unitCache.delete(db);
      unitLoads.delete(db);
    },
  };
}
