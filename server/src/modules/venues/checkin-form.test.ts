// A first visit's form and its commune: the commune is checked against the process's administrative units (the
// jurisdiction resolver), so a commune imported a moment ago takes check-ins at once, and only communes do.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testContext, type TestContext } from '../../../test/helpers';
import { importUnits } from '../geo';
import { communes, createVenue, form, uuid } from './test-fixtures';

let t: TestContext;
let c: Awaited<ReturnType<typeof communes>>;
let venue: Awaited<ReturnType<typeof createVenue>>;

const post = (payload: unknown) => t.app.inject({ method: 'POST', url: '/api/checkins', payload: payload as object });

beforeAll(async () => {
  t = await testContext();
  c = await communes(t.db);
  const officer = await t.login('cdc_officer', '40');
  venue = await createVenue(t.app, officer.headers, { communeCode: c.a });
});
afterAll(() => t?.close());

describe("a first visit's commune", () => {
  it('refuses a code that is no commune, naming the field, and takes a commune imported since at once', async () => {
    const newCode = '99901';
    const visit = (communeCode: string, phone: string) => post({ clientId: uuid(), venueToken: venue.token, people: [{ ...form({ fullName: 'Hồ Thị Lan', phone }), communeCode }] });

    const unknown = await visit(newCode, '0915000111');
    expect(unknown.statusCode, unknown.body).toBe(400);
    expect(unknown.json().error.details).toEqual([{ path: 'body.people.0.communeCode', message: 'is not a known commune code' }]);
    // a district is a known unit but not a commune
    const district = await visit(c.aDistrict, '0915000111');
    expect(district.statusCode, district.body).toBe(400);
    expect(district.json().error.details[0].path).toBe('body.people.0.communeCode');

    // the province imports a new commune (a split, a renamed ward): the next form with it is accepted, not refused
    // from a remembered "unknown"
    await importUnits(t.db, t.config.adminLevels, [{ code: newCode, name: 'Xã Thử Nghiệm', level: 'commune', parentCode: c.aDistrict, population: null, source: 'test' }]);
    const known = await visit(newCode, '0915000111');
    expect(known.statusCode, known.body).toBe(201);
    const person = known.json().results[0].people[0];
    expect(person.created).toBe(true);
    const row = await t.db.selectFrom('persons').select(['commune_code', 'phone']).where('id', '=', person.personId).executeTakeFirstOrThrow();
    expect(row).toEqual({ commune_code: newCode, phone: '+84915000111' });
  });
});
