// Venue operators place venues only inside their own area, and the venue form's commune picker offers that area
// only, most relevant first, searchable without accents.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testContext, type TestContext } from '../../../test/helpers';
import { communes, createVenue } from './test-fixtures';

let t: TestContext;
let c: Awaited<ReturnType<typeof communes>>;
let op: { id: string; headers: Record<string, string> };

beforeAll(async () => {
  t = await testContext();
  c = await communes(t.db);
  op = await t.login('venue_operator', c.aDistrict); // an operator of one district (e.g. Vinh)
});
afterAll(async () => {
  await t?.close();
});

type Picked = { items: { code: string; name: string; district: string }[]; total: number };
const pick = async (headers: Record<string, string>, q = '') => {
  const r = await t.app.inject({ method: 'GET', url: `/api/venues/communes?q=${encodeURIComponent(q)}`, headers });
  expect(r.statusCode, r.body).toBe(200);
  return r.json() as Picked;
};

describe('venue operators stay in their area', () => {
  it('registers in their district, not in another district of the province (API and Excel import)', async () => {
    await createVenue(t.app, op.headers, { communeCode: c.a, name: 'Quán cơm Vinh' });
    const far = await t.app.inject({ method: 'POST', url: '/api/venues', headers: op.headers, payload: { name: 'Quán xa', type: 'restaurant', communeCode: c.b } });
    expect(far.statusCode).toBe(400);
    expect(far.json().error.details[0]).toMatchObject({ path: 'body.communeCode', message: 'is outside your area' });
    const csv = `code,name,type,commune_code,address,default_stay_minutes\nOP-NEAR-1,Quán gần,restaurant,${c.a},,60\nOP-FAR-1,Quán xa,restaurant,${c.b},,60\n`;
    const imp = await t.app.inject({ method: 'POST', url: '/api/venues/import', headers: { ...op.headers, 'content-type': 'text/csv' }, payload: csv });
    expect(imp.statusCode, imp.body).toBe(200);
    expect(imp.json()).toMatchObject({ imported: 1, errors: [{ line: 3, path: 'commune_code' }] });
    // moving an own venue out of the area is refused too
    const mine = await createVenue(t.app, op.headers, { communeCode: c.a, name: 'Tiệm bánh' });
    const move = await t.app.inject({ method: 'PATCH', url: `/api/venues/${mine.venue.id}`, headers: op.headers, payload: { communeCode: c.b } });
    expect(move.statusCode).toBe(400);
    expect(move.json().error.details[0].path).toBe('body.communeCode');
  });

  it('offers only the communes of their area, their own venues’ commune first, searchable without accents', async () => {
    const inArea = await t.db.selectFrom('admin_units').select(['code', 'name']).where('parent_code', '=', c.aDistrict).orderBy('code').execute();
    const all = await pick(op.headers);
    expect(all.total).toBe(inArea.length);
    expect(all.items.every((i) => inArea.some((u) => u.code === i.code))).toBe(true);
    expect(all.items[0]!.code).toBe(c.a); // where their venues are
    // a commune typed without accents, by a word inside its name, comes first
    const target = inArea[inArea.length - 1]!;
    const word = target.name.split(' ').slice(-1)[0]!;
    const plain = word.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[đĐ]/g, 'd').toLowerCase();
    const found = await pick(op.headers, plain);
    expect(found.items.length).toBeGreaterThan(0);
    expect(found.items.every((i) => inArea.some((u) => u.code === i.code))).toBe(true);
    expect(found.items.map((i) => i.code)).toContain(target.code);
    // the code itself ranks first
    expect((await pick(op.headers, target.code)).items[0]!.code).toBe(target.code);
    // a commune of another district is never offered, even by its exact code
    expect((await pick(op.headers, c.b)).items).toEqual([]);
  });

  it('gives officers their jurisdiction and refuses those who cannot register venues', async () => {
    const province = await pick((await t.login('cdc_officer', '40')).headers);
    expect(province.items.map((i) => i.code)).toContain(c.a);
    expect(province.total).toBe(c.all.length);
    const tracer = await t.login('contact_tracer', '40');
    expect((await t.app.inject({ method: 'GET', url: '/api/venues/communes', headers: tracer.headers })).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'GET', url: '/api/venues/communes' })).statusCode).toBe(401);
  });
});
