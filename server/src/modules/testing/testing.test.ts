// Testing over HTTP on the real database: a pooled tube (people by personal QR and typed details) → pooled positive
// → one retest task per person → individual retests (tasks done) → an individual positive becomes a case and
// tracing starts; a negative reaches the person's results and the citizen's own page; corrections keep history;
// re-entering the same result changes nothing; invalid → resample; the phone's offline queue is sent once.
import crypto from 'node:crypto';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testContext, type LoggedIn, type TestContext } from '../../../test/helpers';
import { personalQrToken } from '../people';
import { scenario, type Scenario } from './test-fixtures';

let t: TestContext;
let s: Scenario;
const now = new Date('2021-08-12T05:00:00Z');
let sampler: LoggedIn;
let lab: LoggedIn;
let cdc: LoggedIn;
const P: Record<string, string> = {};

const get = (url: string, who: LoggedIn) => t.app.inject({ method: 'GET', url, headers: who.headers });
const post = (url: string, who: LoggedIn, payload: unknown) => t.app.inject({ method: 'POST', url, headers: who.headers, payload: payload as object });
const qr = (id: string) => personalQrToken(t.app.vigil.keys, id);
const result = (tubeCode: string, r: string, extra: object = {}) => post('/api/testing/results', lab, { tubeCode, result: r, resultedAt: '2021-08-12T04:00:00Z', labCode: 'LAB-NA', ...extra });

beforeAll(async () => {
  t = await testContext({ clock: () => now });
  s = await scenario(t.db);
  P.A = await s.person('Nguyễn Văn An', { nationalId: '040090001111' });
  P.B = await s.person('Trần Thị Bình');
  P.C = await s.person('Lê Văn Cường');
  P.D = await s.person('Phạm Thị Dung');
  sampler = await t.login('commune_officer', s.commune);
  lab = await t.login('lab_staff', '40');
  cdc = await t.login('cdc_officer', '40');
  const res = await post('/api/testing/points', cdc, { code: 'HB-01', name: 'Trạm y tế phường', communeCode: s.commune, team: 'Tổ 1' });
  expect(res.statusCode, res.body).toBe(201);
});
afterAll(async () => {
  await t?.close();
});

describe('pooled flow', () => {
  let pool: { id: string; members: { personId: string; created?: boolean; phone: string | null }[] };

  it('collects a tube of four: QR codes and typed details (a new record, never someone else\'s)', async () => {
    const res = await post('/api/testing/samples', sampler, {
      clientId: crypto.randomUUID(),
      tubeCode: 'P-0001',
      testType: 'rt-pcr',
      collectedAt: '2021-08-12T01:00:00Z',
      pointCode: 'HB-01',
      collector: 'Y tá Hoa',
      // typed: the name of B with A's national ID: must not attach to A (nor to B: no phone + name + year match)
      people: [{ token: qr(P.A!) }, { token: `http://vigil.test/p/${qr(P.B!)}` }, { token: qr(P.C!) }, { fullName: 'Trần Thị Bình', phone: '0912000111', nationalId: '040090001111' }],
    });
    expect(res.statusCode, res.body).toBe(201);
    pool = res.json().sample;
    expect(pool.members.map((m) => m.personId).slice(0, 3)).toEqual([P.A, P.B, P.C]);
    const typed = pool.members[3]!;
    expect(typed.created).toBe(true);
    expect([P.A, P.B, P.C, P.D]).not.toContain(typed.personId);
    // the commune officer calls people: full phones; the lab does not: masked
    expect(pool.members[0]!.phone).toMatch(/^\+84\d{9}$/);
    const seen = await get(`/api/testing/samples/${pool.id}`, lab);
    expect(seen.json().sample.members[0].phone).toMatch(/^•+\d{3}$/);
  });

  it('refuses a person already in another open tube of the same day, a reused tube, a pool too large', async () => {
    const twice = await post('/api/testing/samples', sampler, { tubeCode: 'P-0002', testType: 'rt-pcr', collectedAt: '2021-08-12T02:00:00Z', pointCode: 'HB-01', people: [{ token: qr(P.D!) }, { token: qr(P.A!) }] });
    expect(twice.statusCode).toBe(409);
    expect(twice.json().error.details[0].path).toBe('body.people[1]');
    const reused = await post('/api/testing/samples', sampler, { tubeCode: 'P-0001', testType: 'rt-pcr', collectedAt: '2021-08-12T02:00:00Z', pointCode: 'HB-01', people: [{ token: qr(P.D!) }] });
    expect(reused.statusCode).toBe(409);
    expect(reused.json().error.details[0].path).toBe('body.tubeCode');
    const antigen = await post('/api/testing/samples', sampler, { tubeCode: 'P-0003', testType: 'antigen', collectedAt: '2021-08-12T02:00:00Z', pointCode: 'HB-01', people: [{ token: qr(P.D!) }, { fullName: 'Ai Đó', phone: '0912000222' }] });
    expect(antigen.statusCode).toBe(400);
    expect(antigen.json().error.details[0].path).toBe('body.people');
    const future = await post('/api/testing/samples', sampler, { tubeCode: 'P-0004', testType: 'rt-pcr', collectedAt: '2021-08-13T02:00:00Z', pointCode: 'HB-01', people: [{ token: qr(P.D!) }] });
    expect(future.statusCode).toBe(400);
    expect(future.json().error.details[0].path).toBe('body.collectedAt');
  });

  it('a pooled positive opens one retest task per person, and the same result again changes nothing', async () => {
    const res = await result('P-0001', 'positive');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ status: 'recorded', retestTasks: 4, resampleTasks: 0 });
    const again = await result('P-0001', 'positive');
    expect(again.json()).toMatchObject({ status: 'unchanged', retestTasks: 0 });
    const tasks = await get('/api/testing/tasks?kind=retest', cdc);
    expect(tasks.statusCode, tasks.body).toBe(200);
    expect(tasks.json().items.map((x: { person: { id: string } }) => x.person.id).sort()).toEqual(pool.members.map((m) => m.personId).sort());
    expect((await t.db.selectFrom('test_results').select('id').execute()).length).toBe(1);
    // nobody is a case from a pooled positive
    await t.events.settled();
    expect(await t.db.selectFrom('cases').select('id').execute()).toHaveLength(0);
    // the person's record says "pool positive", not "positive"
    const mine = await get(`/api/testing/people/${P.B}/results`, cdc);
    expect(mine.json().items[0]).toMatchObject({ outcome: 'pool-positive', openTask: 'retest', pooled: true });
  });

  it('individual retests close the tasks; an individual positive becomes a case and tracing starts', async () => {
    for (const [i, id] of [P.A!, P.B!, P.C!].entries()) {
      const res = await post('/api/testing/samples', sampler, { tubeCode: `R-000${i}`, testType: 'rt-pcr', collectedAt: '2021-08-12T03:00:00Z', pointCode: 'HB-01', people: [{ token: qr(id) }] });
      expect(res.statusCode, res.body).toBe(201);
    }
    const open = await get('/api/testing/tasks?kind=retest', cdc);
    expect(open.json().total).toBe(1); // the typed-in person was not retested yet
    const done = await get('/api/testing/tasks?kind=retest&status=done', cdc);
    expect(done.json().total).toBe(3);

    expect((await result('R-0000', 'positive', { resultedAt: '2021-08-12T04:30:00Z' })).json()).toMatchObject({ status: 'recorded' });
    expect((await result('R-0001', 'negative', { resultedAt: '2021-08-12T04:30:00Z' })).statusCode).toBe(200);
    await t.events.settled();
    const c = await t.db.selectFrom('cases').selectAll().where('person_id', '=', P.A!).executeTakeFirst();
    expect(c).toMatchObject({ origin: 'test', test_date: '2021-08-12', commune_code: s.commune });
    const traced = await t.db.selectFrom('cases').select('trace_status').where('id', '=', c!.id).executeTakeFirstOrThrow();
    expect(traced.trace_status).toBe('done');
    // the people were notified: one notice per person and result, SMS requested for those with a phone
    const notices = await t.db.selectFrom('test_notices').selectAll().where('person_id', '=', P.A!).execute();
    expect(notices.map((n) => n.kind).sort()).toEqual(['pool-positive', 'positive']);
    const sms = await t.db.selectFrom('notifications').select(['purpose', 'body']).where('person_id', '=', P.A!).execute();
    expect(sms.some((n) => n.purpose === 'test.result' && /DƯƠNG TÍNH/.test(n.body))).toBe(true);
  });

  it('a correction keeps the old result with its reason; a reason is required', async () => {
    const noReason = await result('R-0002', 'negative');
    expect(noReason.statusCode).toBe(200);
    const refused = await result('R-0002', 'invalid');
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error.details[0].path).toBe('body.reason');
    const fixed = await result('R-0002', 'invalid', { reason: 'ống vỡ, nhập nhầm' });
    expect(fixed.json()).toMatchObject({ status: 'corrected', resampleTasks: 1 });
    const detail = await get(`/api/testing/samples/${fixed.json().sample.id}`, lab);
    expect(detail.statusCode, detail.body).toBe(200);
    expect(detail.json().history).toMatchObject([{ result: 'negative', replaces: null }, { result: 'invalid', replaces: { result: 'negative' }, reason: 'ống vỡ, nhập nhầm' }]);
    // back to negative: the resample task is cancelled
    await result('R-0002', 'negative', { reason: 'kết quả chạy lại' });
    const tasks = await t.db.selectFrom('testing_tasks').select('status').where('kind', '=', 'resample').execute();
    expect(tasks.map((x) => x.status)).toEqual(['cancelled']);
  });

  it('the citizen sees their own negative result; unknown tubes are 404 naming the field', async () => {
    const citizen = await t.login('citizen', '40', { personId: P.B! });
    const mine = await get('/api/testing/me/results', citizen);
    expect(mine.statusCode, mine.body).toBe(200);
    expect(mine.json().people[0].items.map((i: { outcome: string }) => i.outcome)).toEqual(['negative', 'pool-positive']);
    const unknown = await result('NOPE-1', 'negative');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.details[0].path).toBe('body.tubeCode');
  });
});

describe('offline queue', () => {
  it('a batch is stored once: a replay returns the same samples, bad items are refused one by one', async () => {
    const items = [
      { clientId: crypto.randomUUID(), tubeCode: 'Q-1', testType: 'rt-pcr', collectedAt: '2021-08-12T02:10:00Z', pointCode: 'HB-01', people: [{ token: qr(P.D!) }] },
      { clientId: crypto.randomUUID(), tubeCode: 'Q-2', testType: 'rt-pcr', collectedAt: '2021-08-12T02:11:00Z', pointCode: 'NOPE', people: [{ fullName: 'Võ Văn E', phone: '0912000333' }] },
    ];
    const first = await post('/api/testing/samples/batch', sampler, { items });
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json().items.map((i: { status: string }) => i.status)).toEqual(['created', 'rejected']);
    expect(first.json().items[1].error.details[0].path).toBe('body.items[1].pointCode');
    const again = await post('/api/testing/samples/batch', sampler, { items });
    expect(again.json().items[0]).toMatchObject({ status: 'replay', sample: { id: first.json().items[0].sample.id } });
    expect((await t.db.selectFrom('samples').select('id').where('tube_code', '=', 'Q-1').execute()).length).toBe(1);
    // another user's client id reveals nothing
    const other = await t.login('commune_officer', s.commune);
    const stolen = await post('/api/testing/samples', other, items[0]!);
    expect(stolen.statusCode).toBe(409);
    expect(stolen.body).not.toContain('Q-1');
  });
});

describe('lists, uploads and tasks', () => {
  it('lists the sampling points and the day\'s samples of the area', async () => {
    const points = await get('/api/testing/points', sampler);
    expect(points.json().items.map((p: { code: string }) => p.code)).toEqual(['HB-01']);
    const list = await get('/api/testing/samples?day=2021-08-12&status=waiting', sampler);
    expect(list.statusCode, list.body).toBe(200);
    expect(list.json().items.map((x: { tubeCode: string }) => x.tubeCode)).toEqual(['Q-1']);
    const bad = await get('/api/testing/samples?unit=NOPE', sampler);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details[0].path).toBe('querystring.unit');
  });

  it('uploads a sample list and a result file (CSV bodies) with per-line errors', async () => {
    const csv = [
      'tube_code,person_national_id,person_phone,person_name,collected_at,site_code,test_type',
      'U-1,040090002221,0912000441,Đinh Văn Tư,2021-08-12T03:00:00Z,HB-01,rt-pcr',
      'U-1,040090002222,0912000442,Đinh Thị Năm,2021-08-12T03:00:00Z,HB-01,rt-pcr',
      'U-2,040090002223,0912000443,Đinh Văn Sáu,2021-08-12T03:00:00Z,HB-01,covid',
    ].join('\n');
    const up = await t.app.inject({ method: 'POST', url: '/api/testing/samples/import', headers: { ...sampler.headers, 'content-type': 'text/csv' }, payload: csv });
    expect(up.statusCode, up.body).toBe(200);
    expect(up.json()).toMatchObject({ total: 3, imported: 2, duplicates: 0, errors: [{ line: 4, path: 'test_type' }] });
    const results = 'tube_code,result,resulted_at,lab_code\nU-1,negative,2021-08-12T04:50:00Z,LAB-NA\nU-1,negative,2021-08-12T04:50:00Z,LAB-NA\n';
    const r = await t.app.inject({ method: 'POST', url: '/api/testing/results/import?name=lab.csv', headers: { ...lab.headers, 'content-type': 'text/csv' }, payload: results });
    expect(r.json()).toMatchObject({ total: 2, imported: 1, duplicates: 1, errors: [] });
    const template = await get('/api/testing/samples/template.xlsx', sampler);
    expect(template.statusCode).toBe(200);
    expect(template.headers['content-type']).toContain('spreadsheetml');
  });

  it('an officer closes a retest task by hand once', async () => {
    const open = (await get('/api/testing/tasks?kind=retest', cdc)).json().items;
    expect(open).toHaveLength(1);
    const closed = await post(`/api/testing/tasks/${open[0].id}/close`, cdc, { status: 'cancelled', note: 'đã chuyển đi nơi khác' });
    expect(closed.statusCode, closed.body).toBe(200);
    expect(closed.json()).toMatchObject({ status: 'cancelled', note: 'đã chuyển đi nơi khác' });
    expect((await post(`/api/testing/tasks/${open[0].id}/close`, cdc, { status: 'done' })).statusCode).toBe(409);
    // the lab cannot close tasks
    expect((await post(`/api/testing/tasks/${open[0].id}/close`, lab, { status: 'done' })).statusCode).toBe(403);
  });
});

describe('dashboard', () => {
  it('counts tubes per day and area, positivity, turnaround, open retests, pool sizes; exports Excel', async () => {
    const res = await get('/api/testing/dashboard?from=2021-08-10&to=2021-08-12', cdc);
    expect(res.statusCode, res.body).toBe(200);
    const d = res.json();
    const today = d.perDay.filter((r: { day: string }) => r.day === '2021-08-12');
    expect(today.reduce((n: number, r: { tubes: number }) => n + r.tubes, 0)).toBe(6);
    expect(d.openRetests).toBe(0);
    expect(d.poolSizes).toEqual([{ size: 1, tubes: 4 }, { size: 2, tubes: 1 }, { size: 4, tubes: 1 }]);
    expect(d.turnaround.n).toBe(5);
    expect(d.turnaround.p50Hours).toBeGreaterThan(0);
    const last = d.positivity.at(-1);
    expect(last).toMatchObject({ day: '2021-08-12', positive: 2 });
    const x = await get('/api/testing/dashboard.xlsx?from=2021-08-10&to=2021-08-12', cdc);
    expect(x.statusCode).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(x.rawPayload as unknown as ArrayBuffer);
    expect(wb.worksheets.map((w) => w.name)).toContain('Theo ngày');
    expect(wb.worksheets[0]!.rowCount).toBe(1 + today.length);
  });
});

describe('merged records', () => {
  it("a duplicate merged into the registry record brings its tubes along (once per tube)", async () => {
    const typed = (await t.db.selectFrom('sample_members as m').innerJoin('samples as s', 's.id', 'm.sample_id').select('m.person_id').where('s.tube_code', '=', 'P-0001').where('m.position', '=', 3).executeTakeFirstOrThrow()).person_id;
    const merge = await post(`/api/people/${P.B}/merge`, cdc, { mergeId: typed, reason: 'cùng một người, nhập tay tại điểm lấy mẫu' });
    expect(merge.statusCode, merge.body).toBe(200);
    await t.events.settled();
    const members = await t.db.selectFrom('sample_members').select('person_id').where('person_id', 'in', [typed, P.B!]).execute();
    expect(members.every((m) => m.person_id === P.B)).toBe(true);
    const mine = (await get(`/api/testing/people/${P.B}/results`, cdc)).json();
    expect(mine.items.filter((i: { tubeCode: string }) => i.tubeCode === 'P-0001')).toHaveLength(1);
    const tasks = await t.db.selectFrom('testing_tasks').select('person_id').where('person_id', '=', typed).execute();
    expect(tasks).toEqual([]);
  });
});
