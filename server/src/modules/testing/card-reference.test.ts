// A person added to a tube by the reference printed under their card's QR (typed when the QR will not read), over
// HTTP: the scan route names them, a submission stores them; an unknown reference is a 404 naming the field, a
// malformed one a 400, and a sampler who keeps typing references that match nobody is stopped (429).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testContext, type LoggedIn, type TestContext } from '../../../test/helpers';
import { cardReference } from '../people';
import { scenario, type Scenario } from './test-fixtures';
import { REF_MISSES_ALLOWED } from './who';

let t: TestContext;
let s: Scenario;
let sampler: LoggedIn;
const now = new Date('2021-08-12T05:00:00Z');
const post = (url: string, who: LoggedIn, payload: unknown) => t.app.inject({ method: 'POST', url, headers: who.headers, payload: payload as object });

beforeAll(async () => {
  t = await testContext({ clock: () => now });
  s = await scenario(t.db);
  sampler = await t.login('commune_officer', s.commune);
  const cdc = await t.login('cdc_officer', '40');
  expect((await post('/api/testing/points', cdc, { code: 'REF-01', name: 'Trạm', communeCode: s.commune })).statusCode).toBe(201);
});
afterAll(async () => {
  await t?.close();
});

describe('card references on the sampling page', () => {
  it('names the person and puts them in the tube', async () => {
    const id = await s.person('Ngô Thị Thẻ');
    const ref = cardReference(id);
    const scan = await post('/api/testing/people/scan', sampler, { reference: ref.toLowerCase() });
    expect(scan.statusCode, scan.body).toBe(200);
    expect(scan.json()).toMatchObject({ personId: id, fullName: 'Ngô Thị Thẻ' });
    const res = await post('/api/testing/samples', sampler, { tubeCode: 'REF-T1', testType: 'rt-pcr', collectedAt: '2021-08-12T01:00:00Z', pointCode: 'REF-01', people: [{ reference: ref }] });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().sample.members.map((m: { personId: string }) => m.personId)).toEqual([id]);
  });

  it('refuses a reference with typed details, a malformed one, an unknown one; stops a guesser', async () => {
    const id = await s.person('Đào Văn Hai Cách');
    const both = await post('/api/testing/samples', sampler, { tubeCode: 'REF-T2', testType: 'rt-pcr', collectedAt: '2021-08-12T01:00:00Z', pointCode: 'REF-01', people: [{ reference: cardReference(id), fullName: 'Ai Đó' }] });
    expect(both.statusCode).toBe(400);
    expect(both.json().error.details[0].path).toBe('body.people[0]');
    const bad = await post('/api/testing/people/scan', sampler, { reference: 'XYZ' });
    expect(bad.statusCode).toBe(400);
    // the registry here holds a handful of random ids: none starts with ffffffff
    const unknown = 'ffffffff';
    const miss = await post('/api/testing/people/scan', sampler, { reference: unknown });
    expect(miss.statusCode).toBe(404);
    expect(miss.json().error.details[0].path).toBe('body.reference');
    for (let i = 1; i < REF_MISSES_ALLOWED; i++) expect((await post('/api/testing/people/scan', sampler, { reference: unknown })).statusCode).toBe(404);
    const stopped = await post('/api/testing/people/scan', sampler, { reference: cardReference(id) });
    expect(stopped.statusCode).toBe(429);
  });
});
