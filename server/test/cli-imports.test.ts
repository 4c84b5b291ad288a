// `vigil import venues` and `vigil import checkins` as a user runs them: valid lines land, bad lines are named,
// the exit code says some lines were rejected, and a re-import does not double count.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testContext, type TestContext } from './helpers';
import { cliTestTimeout, runVigil } from './cli-run';
let t: TestContext;
let tmp: string;
let commune: string;

beforeAll(async () => {
  t = await testContext();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-imp-'));
  commune = (await t.db.selectFrom('admin_units').select('code').where('parent_code', '=', '412').orderBy('code').executeTakeFirstOrThrow()).code;
});
afterAll(async () => {
  await t?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

const cli = (...args: string[]) => runVigil(args, { DATABASE_URL: t.database.url, VIGIL_DATA_DIR: tmp, LOG_LEVEL: 'silent' });

const write = (name: string, text: string) => {
  const p = path.join(tmp, name);
  fs.writeFileSync(p, text);
  return p;
};

describe('vigil import venues / checkins', () => {
  it('imports valid venue lines, reports the bad ones, exits 2', async () => {
    const file = write(
      'venues.csv',
      [
        'code,name,type,commune_code,address,default_stay_minutes',
        `CHO-VINH,Chợ Vinh,market,${commune},Đường Cao Thắng,60`,
        `BV-HNDK,Bệnh viện HNĐK Nghệ An,hospital,${commune},Đại lộ Lê Nin,120`,
        `BAD-TYPE,Quán X,spaceship,${commune},Số 1,30`,
        `BAD-UNIT,Quán Y,restaurant,00000,Số 2,30`,
      ].join('\n'),
    );
    const r = await cli('import', 'venues', file);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/4 line\(s\): 2 venue\(s\) imported/);
    expect(r.stderr).toMatch(/line 4, type/);
    expect(r.stderr).toMatch(/line 5, commune_code/);
    const rows = await t.db.selectFrom('venues').select(['code', 'status']).orderBy('code').execute();
    expect(rows.map((v) => v.code)).toEqual(['BV-HNDK', 'CHO-VINH']);
  }, cliTestTimeout(1));

  it('imports check-ins with per-line errors and no double counting on re-import', async () => {
    const day = new Date(Date.now() - 2 * 86400_000).toISOString().slice(0, 10); // inside the 21-day retention
    const file = write(
      'checkins.csv',
      [
        'person_national_id,person_phone,person_name,venue_code,checkin_at,checkout_at',
        `,0912345678,Nguyễn Văn An,CHO-VINH,${day}T08:00:00+07:00,${day}T09:00:00+07:00`,
        `,0987654321,Trần Thị Bình,CHO-VINH,${day}T08:30:00+07:00,`,
        `,0987654321,Trần Thị Bình,NO-SUCH-VENUE,${day}T08:30:00+07:00,`,
        `,not-a-phone,Lê C,CHO-VINH,${day}T08:30:00+07:00,`,
        `,0912345678,Nguyễn Văn An,BV-HNDK,${day} 10:00,`,
      ].join('\n'),
    );
    const r = await cli('import', 'checkins', file);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/5 line\(s\): 2 check-in\(s\) imported/);
    expect(r.stderr).toMatch(/line 4, venue_code/);
    expect(r.stderr).toMatch(/line 5, person_phone/);
    expect(r.stderr).toMatch(/line 6, checkin_at/);
    const again = await cli('import', 'checkins', file);
    expect(again.stdout).toMatch(/0 check-in\(s\) imported, 2 already present/);
    const n = await t.db.selectFrom('checkins').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    expect(Number(n.n)).toBe(2);
  }, cliTestTimeout(2));
});
