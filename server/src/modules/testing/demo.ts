// Demo data for `vigil demo` / the first `npm start`: three sampling points in Vinh, a mass-testing day (yesterday)
// with pooled RT-PCR tubes of up to 10 residents and some rapid antigen tests, results 5–20 hours later (turnaround
// figures), one positive pool whose people have retest tasks, three of them already retested this morning (one
// positive: a case through `test.positive`, traced once the server runs), one invalid tube (resample), and a few
// earlier days for the 7-day positivity. Idempotent: nothing is added once a sampling point exists.
import { sql } from 'kysely';
import type { AppContext } from '../../platform/module';
import { localDay } from '../../platform/time';
import { residentsWithPhone } from '../people';
import { recordResults, type ResultInput } from './results';

const H = 3600_000;

export async function seedTestingDemo(ctx: AppContext) {
  const db = ctx.db;
  if (await db.selectFrom('sampling_points').select('id').limit(1).executeTakeFirst()) return;
  const now = ctx.config.clock();
  const tz = ctx.config.timeZone;
  const communes = (await db.selectFrom('admin_units').select('code').where('parent_code', '=', '412').orderBy('code').limit(3).execute()).map((c) => c.code);
  if (!communes.length) return;
  const points = await db
    .insertInto('sampling_points')
    .values([
      { code: 'VINH-HB-01', name: 'Trạm Y tế phường (sân nhà văn hoá khối 1)', commune_code: communes[0]!, team: 'Tổ lấy mẫu số 1', created_by: null },
      { code: 'VINH-HB-02', name: 'Trường THCS (điểm lấy mẫu cộng đồng)', commune_code: communes[1] ?? communes[0]!, team: 'Tổ lấy mẫu số 2', created_by: null },
      { code: 'VINH-CHO-01', name: 'Chợ Vinh (tiểu thương)', commune_code: communes[2] ?? communes[0]!, team: 'Đội cơ động CDC', created_by: null },
    ])
    .returning(['id', 'commune_code'])
    .execute();
  const lab = await db.selectFrom('users').select('id').where('username', '=', 'xetnghiem').executeTakeFirst();
  // residents of Vinh (the other modules' demo people): 10 per pool
  const vinh = (await db.selectFrom('admin_units').select('code').where('parent_code', '=', '412').execute()).map((c) => c.code);
  const residents = (await residentsWithPhone(db, vinh, 5000)).sort((a, b) => (a.id < b.id ? -1 : 1)).slice(0, 300);
  if (residents.length < 12) return;

  let seq = 0;
  const tube = async (at: Date, point: { id: string; commune_code: string }, people: string[], testType = 'rt-pcr') => {
    const code = `${localDay(at, tz).replace(/-/g, '')}-${String(++seq).padStart(4, '0')}`;
    const row = await db
      .insertInto('samples')
      .values({ tube_code: code, test_type: testType, collected_at: at, collected_on: localDay(at, tz), point_id: point.id, commune_code: point.commune_code, collector: 'Tổ lấy mẫu', pool_size: people.length, source: 'app' })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db.insertInto('sample_members').values(people.map((person_id, position) => ({ sample_id: row.id, person_id, position }))).execute();
    return code;
  };
  const results = (inputs: Omit<ResultInput, 'path' | 'labCode'>[]) =>
    recordResults(ctx, inputs.map((i) => ({ ...i, labCode: 'LAB-CDC-NA', path: 'demo' })), { now, userId: lab?.id ?? null, source: 'upload', allowed: async () => true });

  // earlier days: a few pools a day, all negative but one
  for (let d = 6; d >= 2; d--) {
    const at = new Date(now.getTime() - d * 24 * H);
    const inputs = [];
    for (let k = 0; k < 3; k++) {
      const people = residents.slice(((d * 3 + k) * 10) % (residents.length - 10), ((d * 3 + k) * 10) % (residents.length - 10) + 10).map((r) => r.id);
      const code = await tube(at, points[k % points.length]!, people);
      inputs.push({ tubeCode: code, result: 'negative' as const, resultedAt: new Date(at.getTime() + (8 + k * 3) * H) });
    }
    await results(inputs);
  }

  // the mass-testing day: pools of 10 across the points, antigen tests at the market
  const day = new Date(now.getTime() - 30 * H);
  const pools: string[][] = [];
  for (let i = 0; i + 10 <= Math.min(residents.length, 150); i += 10) pools.push(residents.slice(i, i + 10).map((r) => r.id));
  const codes: string[] = [];
  for (const [i, people] of pools.entries()) codes.push(await tube(new Date(day.getTime() + i * 10 * 60_000), points[i % points.length]!, people));
  const antigen = residents.slice(150, 156).map((r) => r.id);
  const antigenCodes: string[] = [];
  for (const [i, p] of antigen.entries()) antigenCodes.push(await tube(new Date(day.getTime() + (i + 1) * 7 * 60_000), points[2] ?? points[0]!, [p], 'antigen'));
  const positivePool = 1;
  await results([
    ...codes.map((code, i) => ({
      tubeCode: code,
      result: i === positivePool ? ('positive' as const) : i === 4 ? ('invalid' as const) : ('negative' as const),
      resultedAt: new Date(day.getTime() + (5 + (i % 8) * 2) * H),
    })),
    ...antigenCodes.map((code) => ({ tubeCode: code, result: 'negative' as const, resultedAt: new Date(day.getTime() + 1 * H) })),
  ]);

  // this morning: three of the positive pool retested individually (their tasks close), one positive
  // the positive retest must become a case of its own: not one of the cases demo's active cases (cases skips those)
  const cases = new Set((await db.selectFrom('cases').select('person_id').where('status', '=', 'active').execute()).map((c) => c.person_id));
  const retest = pools[positivePool]!.filter((p) => !cases.has(p)).slice(0, 3);
  const retestCodes: string[] = [];
  for (const [i, p] of retest.entries()) {
    const at = new Date(now.getTime() - (4 - i * 0.25) * H);
    retestCodes.push(await tube(at, points[positivePool % points.length]!, [p]));
    await sql`update testing_tasks set status = 'done', closed_at = ${at}, done_sample_id = (select id from samples where tube_code = ${retestCodes[i]!})
              where person_id = ${p} and kind = 'retest' and status = 'open'`.execute(db);
  }
  await results([
    { tubeCode: retestCodes[0]!, result: 'positive', resultedAt: new Date(now.getTime() - 1 * H) },
    { tubeCode: retestCodes[1]!, result: 'negative', resultedAt: new Date(now.getTime() - 1 * H) },
  ]);
}
