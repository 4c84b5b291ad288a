// Demo administrative units: the 63 provinces (polygons) and generated districts/communes of Nghệ An.
import type { Db } from '../../platform/db/types';
import { generateNgheAnUnits, loadProvinceFeatures } from './demo-data';
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
  for (const [i, u] of generateNgheAnUnits().entries()) {
    units.push({
      code: u.code,
      name: u.name,
      level: u.level === 'district' ? l2 : l3,
      parentCode: u.parentCode,
      population: u.population,
      source: `generated ${i + 1}`,
    });
  }
  return importUnits(db, levels, units, onProgress);
}
