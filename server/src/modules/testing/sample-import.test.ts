// Sample lists naming people the registry does not know yet: they are found or created in bulk (people's
// findOrCreatePeople). Two lists uploaded at the same time naming the same newcomers make one record per person,
// and both lists' tubes point at it; a newcomer on an ID line and a phone line of one file is one person.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { testContext, type LoggedIn, type TestContext } from '../../../test/helpers';
import { scenario, type Scenario } from './test-fixtures';

let t: TestContext;
let s: Scenario;
const now = new Date('2021-08-14T05:00:00Z');
let sampler: LoggedIn;

const HEADER = 'tube_code,person_national_id,person_phone,person_name,collected_at,site_code,test_type';
const upload = (csv: string) => t.app.inject({ method: 'POST', url: '/api/testing/samples/import', headers: { ...sampler.headers, 'content-type': 'text/csv' }, payload: csv });

beforeAll(async () => {
  t = await testContext({ clock: () => now });
  s = await scenario(t.db);
  sampler = await t.login('commune_officer', s.commune);
  await t.db.insertInto('sampling_points').values({ code: 'HB-02', name: 'Điểm lấy mẫu', commune_code: s.commune, created_by: null }).execute();
});
afterAll(async () => {
  await t?.close();
});

/** Newcomer k: an ID and a phone, an ID alone, or a phone alone (then known by phone + name). */
function line(tube: string, k: number, day: string) {
  const nid = k % 3 === 2 ? '' : `0400905${String(k).padStart(5, '0')}`;
  const phone = k % 3 === 1 ? '' : `09140${String(k).padStart(5, '0')}`;
  return `${tube},${nid},${phone},Người Lạ ${k},${day}T08:00:00+07:00,HB-02,rt-pcr`;
}

describe('sample lists with new people', () => {
  it('two lists uploaded at once naming the same newcomers make one record per person', async () => {
    // list A: days 12, people 0..599 in pools of 10; list B: day 13, people 300..899 (half the same), other tubes
    const a = [HEADER, ...Array.from({ length: 600 }, (_, k) => line(`CA-${Math.floor(k / 10)}`, k, '2021-08-12'))].join('\n');
    const b = [HEADER, ...Array.from({ length: 600 }, (_, i) => line(`CB-${Math.floor(i / 10)}`, 899 - i, '2021-08-13'))].join('\n');
    const [ra, rb] = await Promise.all([upload(a), upload(b)]);
    expect(ra.statusCode, ra.body).toBe(200);
    expect(rb.statusCode, rb.body).toBe(200);
    expect(ra.json()).toMatchObject({ total: 600, imported: 600, errors: [] });
    expect(rb.json()).toMatchObject({ total: 600, imported: 600, errors: [] });
    const people = (await sql<{ name: string; n: number }>`select full_name as name, count(*)::int as n from persons where full_name like 'Người Lạ %' group by 1`.execute(t.db)).rows;
    expect(people).toHaveLength(900);
    expect(people.filter((p) => p.n > 1)).toEqual([]);
    // the 300 people of both lists are in a tube of each, as the same record
    const both = (await sql<{ n: number }>`
      select count(*)::int as n from (select m.person_id from sample_members m join samples x on x.id = m.sample_id
        where x.tube_code like 'CA-%' or x.tube_code like 'CB-%' group by m.person_id having count(*) = 2) d`.execute(t.db)).rows[0]!.n;
    expect(both).toBe(300);
    // an import's tubes get ids that grow in tube order (UUID v7 layout: their members' keys are appended, not scattered)
    const ids = await t.db.selectFrom('samples').select(['id', 'tube_code']).where('tube_code', 'like', 'CA-%').execute();
    const byTube = ids.sort((x, y) => (x.tube_code < y.tube_code ? -1 : 1)).map((x) => x.id);
    expect(byTube.every((id) => id[14] === '7')).toBe(true);
    expect([...byTube].sort()).toEqual(byTube);
    const created = await t.db.selectFrom('persons').select(['source', 'commune_code']).where('full_name', 'like', 'Người Lạ %').distinct().execute();
    expect(created).toEqual([{ source: 'import', commune_code: s.commune }]);
  });

  it('a newcomer on an ID line and on a phone line of one file is one person; a bad newcomer is a line error', async () => {
    const csv = [
      HEADER,
      `CC-1,040090600001,0914600001,Đặng Văn Tâm,2021-08-14T08:00:00+07:00,HB-02,rt-pcr`,
      `CC-2,,0914600001,Đặng Văn Tâm,2021-08-13T08:00:00+07:00,HB-02,rt-pcr`,
      `CC-3,,0914600002,1234,2021-08-14T08:00:00+07:00,HB-02,rt-pcr`,
    ].join('\n');
    const r = await upload(csv);
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toMatchObject({ total: 3, imported: 2, errors: [{ line: 4, path: 'person_name' }] });
    const members = await sql<{ tube: string; person: string }>`
      select x.tube_code as tube, m.person_id::text as person from sample_members m join samples x on x.id = m.sample_id where x.tube_code in ('CC-1', 'CC-2') order by 1`.execute(t.db);
    expect(members.rows).toHaveLength(2);
    expect(members.rows[0]!.person).toBe(members.rows[1]!.person);
  });

  it("a tube's lines that disagree on test type, sampling point or instant are refused after its first line", async () => {
    await t.db.insertInto('sampling_points').values({ code: 'HB-04', name: 'Điểm khác', commune_code: s.commune, created_by: null }).execute();
    const at = '2021-08-11T08:00:00+07:00';
    const r = await upload([
      HEADER,
      `CD-1,040090610001,,Mai Văn Một,${at},HB-02,rt-pcr`,
      `CD-1,040090610002,,Mai Văn Hai,${at},HB-02,lamp`, // line 3
      `CD-1,040090610003,,Mai Văn Ba,${at},HB-04,rt-pcr`, // line 4
      `CD-1,040090610004,,Mai Văn Bốn,2021-08-11T09:00:00+07:00,HB-02,rt-pcr`, // line 5
      `CD-1,040090610005,,Mai Văn Năm,${at},HB-02,rt-pcr`,
      `CD-2,040090610006,,Mai Văn Sáu,${at},HB-02,rt-pcr`,
    ].join('\n'));
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toMatchObject({
      total: 6,
      imported: 3,
      errors: [
        { line: 3, path: 'test_type', message: 'differs from line 2 of the same tube CD-1' },
        { line: 4, path: 'site_code', message: 'differs from line 2 of the same tube CD-1' },
        { line: 5, path: 'collected_at', message: 'differs from line 2 of the same tube CD-1' },
      ],
    });
  });

  it('an imported individual tube does its person\'s open retest; a pooled one does not', async () => {
    const a = await s.person('Lý Văn Một', { nationalId: '040090620001' });
    const b = await s.person('Lý Văn Hai', { nationalId: '040090620002' });
    const pool = (await t.db.selectFrom('samples').select('id').where('tube_code', '=', 'CA-0').executeTakeFirstOrThrow()).id;
    for (const person of [a, b])
      await t.db.insertInto('testing_tasks').values({ kind: 'retest', person_id: person, sample_id: pool, commune_code: s.commune, created_at: now } as never).execute();
    const r = await upload([
      HEADER,
      `CE-1,040090620001,,Lý Văn Một,2021-08-14T10:00:00+07:00,HB-02,rt-pcr`,
      `CE-2,040090620002,,Lý Văn Hai,2021-08-14T10:00:00+07:00,HB-02,rt-pcr`,
      `CE-2,040090620003,,Lý Văn Ba,2021-08-14T10:00:00+07:00,HB-02,rt-pcr`,
    ].join('\n'));
    expect(r.json()).toMatchObject({ imported: 3, errors: [] });
    const tasks = await t.db.selectFrom('testing_tasks').select(['person_id', 'status']).where('person_id', 'in', [a, b]).execute();
    expect(Object.fromEntries(tasks.map((k) => [k.person_id, k.status]))).toEqual({ [a]: 'done', [b]: 'open' });
  });
});
