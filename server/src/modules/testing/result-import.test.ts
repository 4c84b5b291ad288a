// A lab's result file keeps its good lines whatever its bad lines are: the rules' errors are per line (tested in
// cli.test.ts), and so are lines the database itself would refuse — an instant no database stores (year 0000, which
// failed the whole file at COPY), and a line faulting on a constraint the rules do not know (here one a deployment
// added): the file is recorded around it, the line reported with its number.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { testContext, type LoggedIn, type TestContext } from '../../../test/helpers';
import { scenario, type Scenario } from './test-fixtures';

let t: TestContext;
let s: Scenario;
const now = new Date('2021-08-14T05:00:00Z');
let sampler: LoggedIn;
let lab: LoggedIn;

const upload = (url: string, who: LoggedIn, lines: string[]) =>
  t.app.inject({ method: 'POST', url, headers: { ...who.headers, 'content-type': 'text/csv' }, payload: lines.join('\n') });
const tubes = Array.from({ length: 12 }, (_, k) => `R-${k}`);

beforeAll(async () => {
  t = await testContext({ clock: () => now });
  s = await scenario(t.db);
  sampler = await t.login('commune_officer', s.commune);
  lab = await t.login('lab_staff', '40');
  await t.db.insertInto('sampling_points').values({ code: 'HB-03', name: 'Điểm lấy mẫu', commune_code: s.commune, created_by: null }).execute();
  const samples = await upload('/api/testing/samples/import', sampler, [
    'tube_code,person_national_id,person_phone,person_name,collected_at,site_code,test_type',
    ...tubes.map((tube, k) => `${tube},0400907${String(k).padStart(5, '0')},,Người Thử ${k},2021-08-13T08:00:00+07:00,HB-03,rt-pcr`),
  ]);
  expect(samples.json()).toMatchObject({ imported: tubes.length, errors: [] });
});
afterAll(async () => {
  await t?.close();
});

const resultOf = async (tube: string) => (await t.db.selectFrom('samples').select('result').where('tube_code', '=', tube).executeTakeFirstOrThrow()).result;

describe('lab result files keep their good lines', () => {
  it('an instant no database stores is the line\'s error, not the file\'s', async () => {
    const r = await upload('/api/testing/results/import?name=lab-1.csv', lab, [
      'tube_code,result,resulted_at,lab_code',
      `R-0,negative,2021-08-13T20:00:00+07:00,LAB-NA`,
      `R-1,negative,0000-08-13T20:00:00+07:00,LAB-NA`, // line 3
      `R-2,negative,2021-02-30T20:00:00+07:00,LAB-NA`, // line 4: no such day
      `R-3,positive,2021-08-13T20:00:00+07:00,LAB-NA`,
    ]);
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toMatchObject({
      total: 4,
      imported: 2,
      errors: [
        { line: 3, path: 'resulted_at', message: 'is too far in the past (before 2000)' },
        { line: 4, path: 'resulted_at', message: 'is not a valid date and time' },
      ],
    });
    expect([await resultOf('R-0'), await resultOf('R-1'), await resultOf('R-2'), await resultOf('R-3')]).toEqual(['negative', null, null, 'positive']);
  });

  it('a line the database refuses is reported on its line; every other line is recorded with its effects', async () => {
    // a constraint the rules know nothing of (as a deployment might add): lab LAB-X may not report invalid tubes
    await sql`alter table test_results add constraint lab_x_no_invalid check (not (lab_code = 'LAB-X' and result = 'invalid'))`.execute(t.db);
    try {
      const r = await upload('/api/testing/results/import?name=lab-2.csv', lab, [
        'tube_code,result,resulted_at,lab_code',
        ...tubes.slice(4).map((tube, k) => `${tube},${k === 3 ? 'invalid' : k === 5 ? 'positive' : 'negative'},2021-08-13T20:00:00+07:00,LAB-X`), // lines 2..9; line 5 faults
        `R-0,negative,2021-08-13T20:00:00+07:00,LAB-NA`, // line 10: the same again
        `NOPE-1,negative,2021-08-13T20:00:00+07:00,LAB-X`, // line 11: a rule's error
      ]);
      expect(r.statusCode, r.body).toBe(200);
      const body = r.json();
      expect(body).toMatchObject({ total: 10, imported: 7, duplicates: 1 });
      expect(body.errors).toHaveLength(2);
      expect(body.errors[0]).toMatchObject({ line: 5, path: 'line' });
      expect(body.errors[0].message).toMatch(/could not be recorded: .*lab_x_no_invalid/);
      expect(body.errors[1]).toMatchObject({ line: 11, path: 'tube_code' });
      expect(await Promise.all(tubes.slice(4).map(resultOf))).toEqual(['negative', 'negative', 'negative', null, 'negative', 'positive', 'negative', 'negative']);
      // each recorded line once, with its effects: the individual positive's case event, a notice per person
      const recorded = (await sql<{ n: number }>`select count(*)::int as n from test_results where lab_code = 'LAB-X'`.execute(t.db)).rows[0]!.n;
      expect(recorded).toBe(7);
      const notices = (await sql<{ n: number }>`select count(*)::int as n from test_notices n join test_results r on r.id = n.result_id where r.lab_code = 'LAB-X'`.execute(t.db)).rows[0]!.n;
      expect(notices).toBe(7);
      await t.events.settled();
      const cases = (await sql<{ n: number }>`select count(*)::int as n from cases where origin = 'test'`.execute(t.db)).rows[0]!.n;
      expect(cases).toBe(2); // R-3 of the first file, R-9 of this one
    } finally {
      await sql`alter table test_results drop constraint lab_x_no_invalid`.execute(t.db);
    }
  });
});
