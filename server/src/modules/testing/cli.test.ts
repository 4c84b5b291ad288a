// `vigil import samples`, `vigil import results`, `vigil testing retests --json` and `vigil cases list --json` as an
// operator runs them: good lines kept, bad lines named (line and column) with exit code 2, re-imports change nothing,
// a pooled positive lists its people for retest, an individual positive becomes a case (the test app works the
// events the CLI published, as the server would).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testContext, type TestContext } from '../../../test/helpers';
import { cliTestTimeout, runVigil } from '../../../test/cli-run';

let t: TestContext;
let tmp: string;
let commune: string;
// the CLI runs on the real clock: yesterday, local morning
const day = new Date(Date.now() - 86400_000).toISOString().slice(0, 10);
const at = (hh: string) => `${day}T${hh}:00:00+07:00`;

beforeAll(async () => {
  t = await testContext();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-testing-'));
  commune = (await t.db.selectFrom('admin_units').select('code').where('level', '=', 'commune').where('path', 'like', '/VN/40/%').orderBy('code').executeTakeFirstOrThrow()).code;
  await t.db.insertInto('sampling_points').values({ code: 'VINH-01', name: 'Điểm lấy mẫu 1', commune_code: commune, created_by: null }).execute();
});
afterAll(async () => {
  await t?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

const cli = (...args: string[]) => runVigil(args, { DATABASE_URL: t.database.url, VIGIL_DATA_DIR: tmp, LOG_LEVEL: 'silent', VIGIL_SMS_PROVIDER: 'console' });
const write = (name: string, lines: string[]) => {
  const p = path.join(tmp, name);
  fs.writeFileSync(p, lines.join('\n'));
  return p;
};

describe('vigil import samples / results', () => {
  it('imports pools and individual tubes, names bad lines, and a re-import changes nothing', async () => {
    const file = write('samples.csv', [
      'tube_code,person_national_id,person_phone,person_name,collected_at,site_code,test_type',
      `T-1,040090000101,0912000101,Nguyễn Văn Một,${at('08')},VINH-01,rt-pcr`, // line 2
      `T-1,040090000102,0912000102,Trần Thị Hai,${at('08')},VINH-01,rt-pcr`,
      `T-1,,0912000103,Lê Văn Ba,${at('08')},VINH-01,rt-pcr`,
      `T-2,040090000104,0912000104,Phạm Thị Bốn,${at('09')},VINH-01,rt-pcr`, // line 5
      `T-3,040090000105,,Hoàng Văn Năm,${at('09')},VINH-01,pcr-x`, // unknown test type
      `T-4,040090000106,,Võ Thị Sáu,12/08/2021 09:00,VINH-01,rt-pcr`, // bad date
      `T-5,040090000107,,Đỗ Văn Bảy,${at('09')},VINH-01,antigen`, // pool too large for antigen
      `T-5,040090000108,,Bùi Thị Tám,${at('09')},VINH-01,antigen`,
      `T-6,040090000101,,Nguyễn Văn Một,${at('10')},VINH-01,rt-pcr`, // line 10: already in T-1 of the same day
      `T-1,040090000102,0912000102,Trần Thị Hai,${at('08')},VINH-01,rt-pcr`, // duplicate line
      `T-7,040090000109,,Ngô Văn Chín,${at('09')},NOPE,rt-pcr`, // unknown site
    ]);
    const r = await cli('import', 'samples', file);
    expect(r.code, r.out).toBe(2);
    expect(r.stdout).toMatch(/11 line\(s\): 4 sample line\(s\) imported, 0 already present, 7 with errors/);
    expect(r.stderr).toMatch(/line 6, test_type/);
    expect(r.stderr).toMatch(/line 7, collected_at/);
    expect(r.stderr).toMatch(/line 8, tube_code: .*antigen allows at most 1/);
    expect(r.stderr).toMatch(/line 9, tube_code/);
    expect(r.stderr).toMatch(/line 10, person_national_id: .*already in tube T-1/);
    expect(r.stderr).toMatch(/line 11, tube_code: repeats line 3/);
    expect(r.stderr).toMatch(/line 12, site_code/);
    const tubes = await t.db.selectFrom('samples').select(['tube_code', 'pool_size', 'source']).orderBy('tube_code').execute();
    expect(tubes).toEqual([
      { tube_code: 'T-1', pool_size: 3, source: 'import' },
      { tube_code: 'T-2', pool_size: 1, source: 'import' },
    ]);

    const again = await cli('import', 'samples', file);
    expect(again.stdout).toMatch(/11 line\(s\): 0 sample line\(s\) imported, 4 already present/);
    expect(await t.db.selectFrom('sample_members').select('person_id').execute()).toHaveLength(4);
  }, cliTestTimeout(2));

  it('records results: a pooled positive lists retests, an individual positive becomes a case; re-import and corrections', async () => {
    const file = write('results.csv', [
      'tube_code,result,resulted_at,lab_code',
      `T-1,positive,${at('20')},LAB-NA`,
      `T-2,dương tính,${at('20')},LAB-NA`,
      `T-9,negative,${at('20')},LAB-NA`, // never collected
      `T-1,maybe,${at('20')},LAB-NA`, // bad result word
      `T-2,positive,${day}T01:00:00+07:00,LAB-NA`, // before collection
    ]);
    const r = await cli('import', 'results', file);
    expect(r.code, r.out).toBe(2);
    expect(r.stdout).toMatch(/5 line\(s\): 2 result\(s\) imported, 0 already present, 3 with errors/);
    expect(r.stderr).toMatch(/line 4, tube_code: no sample was collected in tube T-9/);
    expect(r.stderr).toMatch(/line 5, result/);
    expect(r.stderr).toMatch(/line 6, resulted_at: is before the sample was collected/);

    const retests = await cli('testing', 'retests', '--json');
    expect(retests.code, retests.out).toBe(0);
    const rows = JSON.parse(retests.stdout) as { tube_code: string; national_id: string | null; phone: string | null; since: string }[];
    expect(rows.map((x) => [x.tube_code, x.national_id, x.phone])).toEqual(
      expect.arrayContaining([
        ['T-1', '040090000101', '+84912000101'],
        ['T-1', '040090000102', '+84912000102'],
        ['T-1', null, '+84912000103'],
      ]),
    );
    expect(rows).toHaveLength(3);

    await t.events.settled();
    const cases = await cli('cases', 'list', '--since', `${day}T00:00:00+07:00`, '--json');
    expect(cases.code, cases.out).toBe(0);
    const list = JSON.parse(cases.stdout) as { national_id: string; origin: string }[];
    expect(list.map((c) => [c.national_id, c.origin])).toEqual([['040090000104', 'test']]);

    const same = await cli('import', 'results', file);
    expect(same.stdout).toMatch(/5 line\(s\): 0 result\(s\) imported, 2 already present, 3 with errors/);
    const fix = write('fix.csv', ['tube_code,result,resulted_at,lab_code', `T-1,negative,${at('22')},LAB-NA`]);
    const corrected = await cli('import', 'results', fix);
    expect(corrected.code, corrected.out).toBe(0);
    expect(corrected.stdout).toMatch(/1 result\(s\) corrected/);
    const history = await t.db.selectFrom('test_results as r').innerJoin('samples as s', 's.id', 'r.sample_id').select(['r.result', 'r.reason']).where('s.tube_code', '=', 'T-1').orderBy('r.id').execute();
    expect(history).toEqual([
      { result: 'positive', reason: null },
      { result: 'negative', reason: 'another result in fix.csv' },
    ]);
    // the correction cancelled the retests the pooled positive had opened
    const open = await cli('testing', 'retests', '--json');
    expect(JSON.parse(open.stdout)).toEqual([]);
  }, cliTestTimeout(6));

  it('an unreadable file or a missing column is a message and a non-zero exit', async () => {
    const r = await cli('import', 'results', write('bad.csv', ['tube,result', 'T-1,positive']));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/Missing column\(s\): tube_code, resulted_at/);
    const missing = await cli('import', 'samples', path.join(tmp, 'nope.csv'));
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/File not found/);
  }, cliTestTimeout(2));
});
