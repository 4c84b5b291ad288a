// Admin-unit import over HTTP and the CLI (`vigil import admin-units`), against the real PostgreSQL.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJurisdictionResolver } from './service';
import { testContext, type TestContext } from '../../../test/helpers';
import { cliTestTimeout, runVigil } from '../../../test/cli-run';
let t: TestContext;
let tmp: string;

beforeAll(async () => {
  t = await testContext();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-geo-'));
});
afterAll(async () => {
  await t?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

const file = (name: string, text: string) => {
  const p = path.join(tmp, name);
  fs.writeFileSync(p, text);
  return p;
};

const cli = (...args: string[]) => runVigil(args, { DATABASE_URL: t.database.url, VIGIL_DATA_DIR: tmp, LOG_LEVEL: 'silent' });

const count = async () => Number((await t.db.selectFrom('admin_units').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);

describe('vigil import admin-units (CLI)', () => {
  it('rejects a malformed file naming the line, and imports nothing', async () => {
    const before = await count();
    const bad = file(
      'bad.csv',
      'code,name,level,parent_code,population\n99,Tỉnh Mới,province,,1000\n99001,Huyện A,district,99,500\n99002,Huyện B,district,98,abc\n',
    );
    const r = await cli('import', 'admin-units', bad);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/line 4/);
    expect(r.stderr).toMatch(/population "abc"/);
    expect(await count()).toBe(before);
  }, cliTestTimeout(1));

  it('rejects unknown parents, duplicate codes and cycles with the offending codes', async () => {
    const bad = file(
      'bad2.csv',
      [
        'code,name,level,parent_code,population',
        'X7,Tỉnh X,province,,1',
        'X7001,Huyện Y,district,X6,1',
        'X7001,Huyện Y lần hai,district,X7,1',
        'X7002,Huyện Z,district,X7,1',
        'X7010,Xã P,commune,X7011,1',
        'X7011,Xã Q,district,X7010,1',
      ].join('\n'),
    );
    const r = await cli('import', 'admin-units', bad);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/line 3: unknown parent code "X6"/);
    expect(r.stderr).toMatch(/line 4: duplicate code "X7001"/);
    expect(r.stderr).toMatch(/cycle in parent codes: X7010 → X7011 → X7010/);
    expect(await t.db.selectFrom('admin_units').select('code').where('code', 'like', 'X7%').executeTakeFirst()).toBeUndefined();
  }, cliTestTimeout(1));

  it('imports a good file in any row order, with a progress bar, and builds the hierarchy', async () => {
    const good = file(
      'good.csv',
      '\uFEFFcode,name,level,parent_code,population\n' +
        'T5001001,Xã Đông,commune,T5001,1200\nT5,Tỉnh Thử Nghiệm,province,,50000\nT5001,Huyện Một,district,T5,8000\n',
    );
    const r = await cli('import', 'admin-units', good);
    expect(r.stderr + r.stdout).toMatch(/Imported 3 unit\(s\): 3 new/);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/Importing admin units/);
    const x = await t.db.selectFrom('admin_units').select(['path', 'depth', 'level']).where('code', '=', 'T5001001').executeTakeFirstOrThrow();
    expect(x).toEqual({ path: '/VN/T5/T5001/T5001001/', depth: 3, level: 'commune' });
  }, cliTestTimeout(1));

  it('reports a missing file with a message and a non-zero exit', async () => {
    const r = await cli('import', 'admin-units', path.join(tmp, 'nope.csv'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/File not found/);
  }, cliTestTimeout(1));
});

describe('admin units over HTTP', () => {
  it('imports GeoJSON, validating geometry per feature', async () => {
    const admin = await t.login('national_admin');
    const bad = {
      type: 'FeatureCollection',
      features: [
        { type: 'Feature', properties: { code: 'Z4', name: 'Tỉnh Hình', level: 'province' }, geometry: { type: 'Polygon', coordinates: [[[105, 20], [106, 20], [106, 21]]] } },
      ],
    };
    const r1 = await t.app.inject({ method: 'POST', url: '/api/geo/import?format=geojson', headers: { ...admin.headers, 'content-type': 'application/geo+json' }, payload: JSON.stringify(bad) });
    expect(r1.statusCode).toBe(400);
    expect(r1.json().error.details[0].path).toBe('feature 1');
    bad.features[0].geometry.coordinates = [[[105, 20], [106, 20], [106, 21], [105, 20]]];
    const r2 = await t.app.inject({ method: 'POST', url: '/api/geo/import?format=geojson', headers: { ...admin.headers, 'content-type': 'application/geo+json' }, payload: JSON.stringify(bad) });
    expect(r2.json()).toEqual({ inserted: 1, updated: 0 });
    const gj = (await t.app.inject({ url: '/api/geo/geojson', headers: admin.headers })).json();
    expect(gj.features.length).toBe(64);
    expect(gj.features.find((f: { properties: { code: string } }) => f.properties.code === 'Z4').geometry.type).toBe('Polygon');
  });

  it('only national admins import; provincial officers get 403', async () => {
    const cdc = await t.login('cdc_officer', '40');
    const r = await t.app.inject({ method: 'POST', url: '/api/geo/import?format=csv', headers: { ...cdc.headers, 'content-type': 'text/csv' }, payload: 'code,name,level,parent_code,population\n' });
    expect(r.statusCode).toBe(403);
  });

  it('browses Nghệ An: districts, communes, ancestors, diacritic-insensitive search', async () => {
    const cdc = await t.login('cdc_officer', '40');
    const districts = (await t.app.inject({ url: '/api/geo/units?parent=40', headers: cdc.headers })).json();
    expect(districts.total).toBe(21);
    expect(districts.items[0]).toMatchObject({ code: '412', level: 'district', parentCode: '40' });
    const communeCode = (await t.app.inject({ url: '/api/geo/units?parent=412', headers: cdc.headers })).json().items[0].code;
    const detail = (await t.app.inject({ url: `/api/geo/units/${communeCode}`, headers: cdc.headers })).json();
    expect(detail.ancestors.map((a: { code: string }) => a.code)).toEqual(['VN', '40', '412']);
    const found = (await t.app.inject({ url: '/api/geo/units?q=nghi%20loc', headers: cdc.headers })).json();
    expect(found.items.some((u: { name: string }) => u.name.includes('Nghi Lộc'))).toBe(true);
  });
});

describe('generated boundaries of the demo province', () => {
  type Geo = { type: string; features: { properties: { code: string; generated?: boolean }; geometry: { type: string; coordinates: number[][][][] } }[] };
  const ringArea = (ring: number[][]) => Math.abs(ring.reduce((a, [x, y], i) => { const [x2, y2] = ring[(i + 1) % ring.length]!; return a + x! * y2! - x2! * y!; }, 0) / 2);
  const area = (g: { type: string; coordinates: unknown }) =>
    ((g.type === 'Polygon' ? [g.coordinates] : g.coordinates) as number[][][][]).reduce((a, poly) => a + ringArea(poly[0]!) - poly.slice(1).reduce((h, r) => h + ringArea(r), 0), 0);

  it('gives every district of Nghệ An a polygon cut from the province outline, flagged as generated', async () => {
    const cdc = await t.login('cdc_officer', '40');
    const districts = (await t.app.inject({ url: '/api/geo/geojson?parent=40', headers: cdc.headers })).json() as Geo;
    expect(districts.features).toHaveLength(21);
    expect(districts.features.every((f) => f.properties.generated === true && f.geometry.type === 'MultiPolygon' && f.geometry.coordinates.length > 0)).toBe(true);
    // together they cover the province, without overlaps (areas add up to the outline's)
    const province = (await t.app.inject({ url: '/api/geo/geojson?code=40', headers: cdc.headers })).json() as Geo;
    expect(province.features[0]!.properties.generated).toBe(false);
    const sum = districts.features.reduce((a, f) => a + area(f.geometry), 0);
    expect(sum / area(province.features[0]!.geometry)).toBeCloseTo(1, 2);
    // and every district's communes have theirs inside it
    const communes = (await t.app.inject({ url: '/api/geo/geojson?parent=412', headers: cdc.headers })).json() as Geo;
    const unitCount = (await t.app.inject({ url: '/api/geo/units?parent=412', headers: cdc.headers })).json().total;
    expect(communes.features).toHaveLength(unitCount);
    const district = districts.features.find((f) => f.properties.code === '412')!;
    expect(communes.features.reduce((a, f) => a + area(f.geometry), 0) / area(district.geometry)).toBeCloseTo(1, 2);
  });
});

describe('jurisdiction resolver', () => {
  it('reads all units once for many lookups arriving together after the cache expired, and again after a change', async () => {
    const resolver = createJurisdictionResolver(t.db);
    resolver.invalidate();
    const proto = pg.Client.prototype as unknown as { query: (...a: unknown[]) => unknown };
    const orig = proto.query;
    let reads = 0;
    proto.query = function (this: unknown, ...a: unknown[]) {
      if (typeof a[0] === 'string' && /from "admin_units"/.test(a[0]) && !/where/i.test(a[0])) reads++;
      return orig.apply(this, a);
    };
    try {
      const units = await Promise.all(Array.from({ length: 200 }, (_, i) => resolver.unit(i % 2 ? '40' : '01')));
      expect(reads).toBe(1);
      expect(units.filter((u) => u?.code === '40')).toHaveLength(100);
      // a change clears the cache: the next lookups read again, once
      resolver.invalidate();
      await Promise.all(Array.from({ length: 50 }, () => resolver.unit('40')));
      expect(reads).toBe(2);
    } finally {
      proto.query = orig;
    }
  });
});
