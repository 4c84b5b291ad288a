// Dashboard over HTTP: doses per day/site/product, coverage by commune and age group, dropout, overdue list, stock;
// the Excel export; scoped to the caller's area, refused to citizens and other provinces.
import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testContext, type TestContext } from '../../../test/helpers';
import { vaccWorld, type VaccWorld } from './test-fixtures';

let t: TestContext;
let w: VaccWorld;
const now = new Date('2021-09-01T03:00:00Z');
const get = (url: string, headers: Record<string, string>) => t.app.inject({ method: 'GET', url, headers });

async function dose(person: string, n: number, day: string) {
  await sql`insert into vaccination_doses (person_id, product_code, lot_id, lot_number, dose_number, series_doses, given_at, given_on, site_id, commune_code, vaccinator, observe_until)
    values (${person}, 'EU/1/20/1528', ${w.lotId}, 'LOT', ${n}, 2, ${`${day}T02:00:00Z`}, ${day}, ${w.siteId}, ${w.commune}, 'ĐD', ${`${day}T02:30:00Z`})`.execute(t.db);
  await sql`update vaccine_lots set used = used + 1 where id = ${w.lotId}`.execute(t.db);
}

beforeAll(async () => {
  t = await testContext({ clock: () => now });
  w = await vaccWorld(t, '2021-08-02');
  const a = await w.person('Hai Mũi', { birthYear: 1950 });
  const b = await w.person('Một Mũi Quá Hạn', { birthYear: 1990 });
  const c = await w.person('Một Mũi Chưa Hạn', { birthYear: 1990 });
  await w.person('Chưa Tiêm', { birthYear: 1991 });
  await dose(a, 1, '2021-08-02');
  await dose(a, 2, '2021-08-23');
  await dose(b, 1, '2021-08-02'); // due 2021-08-23: overdue on 09-01
  await dose(c, 1, '2021-08-20'); // due 09-10
  await sql`update vaccine_lots set wasted = 3 where id = ${w.lotId}`.execute(t.db);
});
afterAll(() => t?.close());

describe('dashboard', () => {
  it('gives the figures of the area', async () => {
    const r = await get('/api/vaccination/dashboard?from=2021-08-01&to=2021-08-31', w.cdc.headers);
    expect(r.statusCode).toBe(200);
    const d = r.json();
    expect(d.dosesPerDay).toEqual([{ day: '2021-08-02', n: 2 }, { day: '2021-08-20', n: 1 }, { day: '2021-08-23', n: 1 }]);
    expect(d.bySite[0].n).toBe(4);
    expect(d.byProduct).toEqual([{ productCode: 'EU/1/20/1528', productName: 'Comirnaty (Pfizer-BioNTech)', n: 4 }]);
    const cov = Object.fromEntries(d.coverage.map((c: { ageGroup: string; population: number; atLeastOne: number; full: number }) => [c.ageGroup, [c.population, c.atLeastOne, c.full]]));
    expect(cov['65+']).toEqual([1, 1, 1]);
    expect(cov['18-49']).toEqual([3, 2, 0]);
    expect(d.dropout).toEqual({ dose1: 3, dose2: 1, rate: 0.667 });
    expect(d.overdue).toEqual([{ personId: expect.any(String), fullName: 'Một Mũi Quá Hạn', doseNumber: 2, dueOn: '2021-08-23', communeCode: w.commune }]);
    expect(d.stock[0]).toMatchObject({ quantity: 500, used: 4, wasted: 3, left: 493 });
  });

  it('adds a doses tile to the home page of the area', async () => {
    const r = await get('/api/home/summary', w.cdc.headers);
    const tile = r.json().tiles.find((x: { key: string }) => x.key === 'vaccination.doses');
    expect(tile.byDay.reduce((a: number, b: number) => a + b, 0)).toBe(2); // 2021-08-20 and 08-23 are inside the last 14 days
    const other = await t.login('commune_officer', w.otherCommune);
    expect((await get('/api/home/summary', other.headers)).json().tiles.find((x: { key: string }) => x.key === 'vaccination.doses').byDay.every((n: number) => n === 0)).toBe(true);
    expect((await get('/api/home/summary', (await t.login('venue_operator', '40')).headers)).json().tiles.some((x: { key: string }) => x.key === 'vaccination.doses')).toBe(false);
  });

  it('exports the same figures as Excel', async () => {
    const r = await get('/api/vaccination/dashboard.xlsx?from=2021-08-01&to=2021-08-31', w.cdc.headers);
    expect(r.statusCode).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(r.rawPayload as unknown as ArrayBuffer);
    expect(wb.worksheets.map((s) => s.name)).toEqual(['doses-per-day', 'by-site', 'by-product', 'coverage', 'dropout', 'overdue', 'stock']);
    expect(wb.getWorksheet('overdue')!.getRow(2).getCell(1).value).toBe('Một Mũi Quá Hạn');
  });

  it('is scoped: another commune sees none of it, citizens and other provinces are refused', async () => {
    const other = await t.login('commune_officer', w.otherCommune);
    const d = (await get('/api/vaccination/dashboard?from=2021-08-01&to=2021-08-31', other.headers)).json();
    expect(d.dosesPerDay).toEqual([]);
    expect(d.overdue).toEqual([]);
    expect((await get(`/api/vaccination/dashboard?unit=${w.commune}`, other.headers)).statusCode).toBe(403);
    expect((await get('/api/vaccination/dashboard?unit=40', (await t.login('cdc_officer', '01')).headers)).statusCode).toBe(403);
    expect((await get('/api/vaccination/dashboard', (await t.login('citizen', '40')).headers)).statusCode).toBe(403);
    expect((await get('/api/vaccination/dashboard', (await t.login('venue_operator', '40')).headers)).statusCode).toBe(403);
    expect((await get('/api/vaccination/dashboard', {})).statusCode).toBe(401);
    expect((await get('/api/vaccination/dashboard?from=2021-09-01&to=2021-08-01', w.cdc.headers)).json().error.details[0].path).toBe('querystring.from');
  });
});
