import { describe, it, expect } from 'vitest';
import { generateNgheAnUnits, loadProvinceFeatures, NGHE_AN_CODE } from './demo-data';

describe('loadProvinceFeatures', () => {
  it('has the 63 provinces with unique GSO codes and valid polygons', async () => {
    const fc = await loadProvinceFeatures();
    expect(fc.type).toBe('FeatureCollection');
    expect(fc.features).toHaveLength(63);

    const codes = fc.features.map((f) => f.properties.code);
    expect(new Set(codes).size).toBe(63);
    expect(codes.every((c) => /^\d{2}$/.test(c))).toBe(true);
    expect(new Set(fc.features.map((f) => f.properties.iso_code)).size).toBe(63);

    for (const f of fc.features) {
      expect(['Polygon', 'MultiPolygon']).toContain(f.geometry.type);
      expect(f.properties.population).toBeGreaterThan(0);
      const rings = f.geometry.type === 'Polygon' ? f.geometry.coordinates : f.geometry.coordinates.flat();
      for (const ring of rings) {
        expect(ring.length).toBeGreaterThanOrEqual(4);
        expect(ring[ring.length - 1]).toEqual(ring[0]);
      }
    }
  });

  it('maps GSO codes to the right provinces', async () => {
    const byCode = new Map((await loadProvinceFeatures()).features.map((f) => [f.properties.code, f.properties]));
    expect(byCode.get('40')).toMatchObject({ name: 'Nghệ An', iso_code: 'VN-22', name_en: 'Nghe An' });
    expect(byCode.get('01')?.name).toBe('Hà Nội');
    expect(byCode.get('79')?.name).toBe('Thành phố Hồ Chí Minh');
  });
});

describe('generateNgheAnUnits', () => {
  const units = generateNgheAnUnits();
  const districts = units.filter((u) => u.level === 'district');
  const communes = units.filter((u) => u.level === 'commune');

  it('generates the 21 districts of Nghệ An and about 460 communes', () => {
    expect(districts).toHaveLength(21);
    expect(districts.find((d) => d.code === '412')?.name).toBe('Thành phố Vinh');
    expect(communes.length).toBeGreaterThanOrEqual(440);
    expect(communes.length).toBeLessThanOrEqual(480);
  });

  it('has unique, well-formed codes', () => {
    expect(new Set(units.map((u) => u.code)).size).toBe(units.length);
    expect(districts.every((d) => /^\d{3}$/.test(d.code))).toBe(true);
    expect(communes.every((c) => /^\d{5}$/.test(c.code))).toBe(true);
    expect(communes.every((c) => /^(Phường|Thị trấn|Xã) \S/.test(c.name))).toBe(true);
  });

  it('links every unit to an existing parent', () => {
    expect(districts.every((d) => d.parentCode === NGHE_AN_CODE && NGHE_AN_CODE === '40')).toBe(true);
    const districtCodes = new Set(districts.map((d) => d.code));
    expect(communes.every((c) => districtCodes.has(c.parentCode))).toBe(true);
    // every district has communes
    expect(new Set(communes.map((c) => c.parentCode)).size).toBe(21);
  });

  it('has positive populations adding up to Nghệ An (2019: ~3.33 M)', () => {
    expect(units.every((u) => Number.isInteger(u.population) && u.population > 0)).toBe(true);
    const total = districts.reduce((n, d) => n + d.population, 0);
    expect(Math.abs(total - 3_330_000) / 3_330_000).toBeLessThan(0.1);
    for (const d of districts) {
      const sum = communes.filter((c) => c.parentCode === d.code).reduce((n, c) => n + c.population, 0);
      expect(sum).toBe(d.population);
    }
  });

  it('is deterministic', () => {
    expect(generateNgheAnUnits()).toEqual(units);
  });
});
