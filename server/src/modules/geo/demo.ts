// Demo administrative units: the 63 provinces (polygons) and generated districts/communes of Nghệ An.
import type { Db } from '../../platform/db/types';
import { generateNgheAnUnits, loadProvinceFeatures, NGHE_AN_CODE, type DemoUnit } from './demo-data';
import { divideOutline, type GeneratedCell, type Outline } from './generated-boundaries';
import { importUnits, type UnitInput } from './service';

export async function seedGeoDemo(db: Db, levels: string[], onProgress?: (done: number, total: number) => void) {
  const provinces = await loadProvinceFeatures();
  const [l1, l2, l3] = levels;
  if (!l1 || !l2 || !l3) throw new Error('Demo data needs three administrative levels (province, district, commune)');
  const units: UnitInput[] = provinces.features.map((f, i) => ({
    code: f.properties.code,
    name: f.properties.name,
    nameEn: f.properties.name_en,
    level: l1,
    parentCode: null,
    population: f.properties.population,
    geometry: f.geometry,
    source: `province ${i + 1}`,
  }));
  const generated = generateNgheAnUnits();
  const outline = provinces.features.find((f) => f.properties.code === NGHE_AN_CODE)?.geometry;
  const shapes = outline ? generatedShapes(outline, generated) : new Map<string, GeneratedCell>();
  for (const [i, u] of generated.entries()) {
    units.push({
      code: u.code,
      name: u.name,
      level: u.level === 'district' ? l2 : l3,
      parentCode: u.parentCode,
      population: u.population,
      geometry: shapes.get(u.code),
      geometryGenerated: shapes.has(u.code),
      source: `generated ${i + 1}`,
    });
  }
  return importUnits(db, levels, units, onProgress);
}

/** Illustrative boundaries: the province outline divided among its districts, each district's among its communes. */
function generatedShapes(province: Outline, units: DemoUnit[]): Map<string, GeneratedCell> {
  const out = new Map<string, GeneratedCell>();
  const childrenOf = (code: string) => units.filter((u) => u.parentCode === code).sort((a, b) => a.code.localeCompare(b.code));
  const divide = (outline: Outline, children: DemoUnit[]) => {
    const cells = divideOutline(outline, children.map((c) => c.population));
    children.forEach((c, i) => {
      if (cells[i]!.coordinates.length) out.set(c.code, cells[i]!);
    });
  };
  const districts = childrenOf(NGHE_AN_CODE);
  divide(province, districts);
  for (const d of districts) {
    const cell = out.get(d.code);
    const communes = childrenOf(d.code);
    if (cell && communes.length) divide(cell, communes);
  }
  return out;
}
