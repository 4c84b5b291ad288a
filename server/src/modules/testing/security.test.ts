// Testing routes tried as an attacker: no session, a citizen, a venue operator, officers and labs of another
// province, other people's ids, NUL bytes, huge bodies, forged tokens. One refusal per test.
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alterChar, testContext, type LoggedIn, type TestContext } from '../../../test/helpers';
import { personalQrToken } from '../people';
import { scenario, type Scenario } from './test-fixtures';

let t: TestContext;
let s: Scenario;
const now = new Date('2021-08-12T05:00:00Z');
let sampler: LoggedIn;
let lab: LoggedIn;
let hanoiOfficer: LoggedIn;
let hanoiLab: LoggedIn;
let citizen: LoggedIn;
let operator: LoggedIn;
let person: string;
let other: string;
let sampleId: string;

const inject = (method: 'GET' | 'POST', url: string, who: LoggedIn | null, payload?: unknown) =>
  t.app.inject({ method, url, headers: who?.headers ?? { 'x-requested-with': 'vigil' }, ...(payload !== undefined && { payload: payload as object }) });
const tube = (code: string, people: object[]) => ({ clientId: crypto.randomUUID(), tubeCode: code, testType: 'rt-pcr', collectedAt: '2021-08-12T01:00:00Z', pointCode: 'SEC-01', people });

beforeAll(async () => {
  t = await testContext({ clock: () => now });
  s = await scenario(t.db);
  person = await s.person('Nguyễn Văn Một');
  other = await s.person('Trần Thị Hai');
  await t.db.insertInto('sampling_points').values({ code: 'SEC-01', name: 'Điểm 1', commune_code: s.commune, created_by: null }).execute();
  sampler = await t.login('commune_officer', s.commune);
  lab = await t.login('lab_staff', '40');
  hanoiOfficer = await t.login('cdc_officer', '01');
  hanoiLab = await t.login('lab_staff', '01');
  citizen = await t.login('citizen', '40', { personId: person });
  operator = await t.login('venue_operator', '40');
  const res = await inject('POST', '/api/testing/samples', sampler, tube('S-1', [{ token: personalQrToken(t.app.vigil.keys, person) }, { token: personalQrToken(t.app.vigil.keys, other) }]));
  expect(res.statusCode, res.body).toBe(201);
  sampleId = res.json().sample.id;
  expect((await inject('POST', '/api/testing/results', lab, { tubeCode: 'S-1', result: 'positive', resultedAt: '2021-08-12T04:00:00Z' })).statusCode).toBe(200);
});
afterAll(async () => {
  await t?.close();
});

describe('no session', () => {
  it.each([
    ['GET', '/api/testing/samples'],
    ['GET', '/api/testing/tasks'],
    ['GET', '/api/testing/dashboard'],
    ['GET', '/api/testing/me/results'],
    ['POST', '/api/testing/samples'],
    ['POST', '/api/testing/results'],
  ] as const)('%s %s is 401', async (method, url) => {
    const res = await inject(method, url, null, method === 'POST' ? tube('X-1', [{ fullName: 'Ai Đó', phone: '0912000999' }]) : undefined);
    expect(res.statusCode).toBe(401);
  });
});

describe('a citizen', () => {
  it('cannot collect samples', async () => {
    expect((await inject('POST', '/api/testing/samples', citizen, tube('C-1', [{ fullName: 'Ai Đó', phone: '0912000999' }]))).statusCode).toBe(403);
  });
  it('cannot enter results', async () => {
    expect((await inject('POST', '/api/testing/results', citizen, { tubeCode: 'S-1', result: 'negative', resultedAt: '2021-08-12T04:00:00Z' })).statusCode).toBe(403);
  });
  it("cannot read another person's results by id", async () => {
    expect((await inject('GET', `/api/testing/people/${other}/results`, citizen)).statusCode).toBe(403);
  });
  it('reads the test type names its results are shown with (reference data, nothing personal)', async () => {
    const res = await inject('GET', '/api/testing/test-types', citizen);
    expect(res.statusCode).toBe(200);
    expect(res.json().items.map((x: { code: string }) => x.code)).toContain('rt-pcr');
  });
  it('reads only their own results on /me', async () => {
    const res = await inject('GET', '/api/testing/me/results', citizen);
    expect(res.statusCode).toBe(200);
    expect(res.json().people.map((p: { person: { id: string } }) => p.person.id)).toEqual([person]);
  });
});

describe('a venue operator', () => {
  it('cannot list samples or tasks', async () => {
    expect((await inject('GET', '/api/testing/samples', operator)).statusCode).toBe(403);
    expect((await inject('GET', '/api/testing/tasks', operator)).statusCode).toBe(403);
  });
});

describe('another province', () => {
  it("an officer cannot collect at this province's sampling point", async () => {
    expect((await inject('POST', '/api/testing/samples', hanoiOfficer, tube('H-1', [{ fullName: 'Ai Đó', phone: '0912000998' }]))).statusCode).toBe(403);
    expect(await t.db.selectFrom('samples').select('id').where('tube_code', '=', 'H-1').execute()).toHaveLength(0);
  });
  it("an officer cannot read this province's sample, person or unit figures", async () => {
    expect((await inject('GET', `/api/testing/samples/${sampleId}`, hanoiOfficer)).statusCode).toBe(403);
    expect((await inject('GET', `/api/testing/people/${person}/results`, hanoiOfficer)).statusCode).toBe(403);
    expect((await inject('GET', `/api/testing/dashboard?unit=${s.commune}`, hanoiOfficer)).statusCode).toBe(403);
  });
  it('an officer sees none of these samples or tasks in their lists', async () => {
    expect((await inject('GET', '/api/testing/samples', hanoiOfficer)).json().total).toBe(0);
    expect((await inject('GET', '/api/testing/tasks', hanoiOfficer)).json().total).toBe(0);
  });
  it("a lab cannot record or correct this province's results", async () => {
    const res = await inject('POST', '/api/testing/results', hanoiLab, { tubeCode: 'S-1', result: 'negative', resultedAt: '2021-08-12T04:00:00Z', reason: 'x' });
    expect(res.statusCode).toBe(403);
    const upload = await t.app.inject({ method: 'POST', url: '/api/testing/results/import', headers: { ...hanoiLab.headers, 'content-type': 'text/csv' }, payload: 'tube_code,result,resulted_at,lab_code\nS-1,negative,2021-08-12T04:00:00Z,\n' });
    expect(upload.statusCode).toBe(200);
    expect(upload.json()).toMatchObject({ imported: 0, errors: [{ line: 2, path: 'tube_code' }] });
    expect((await t.db.selectFrom('samples').select('result').where('id', '=', sampleId).executeTakeFirstOrThrow()).result).toBe('positive');
  });
  it("an officer cannot close this province's tasks", async () => {
    const task = await t.db.selectFrom('testing_tasks').select('id').where('sample_id', '=', sampleId).executeTakeFirstOrThrow();
    expect((await inject('POST', `/api/testing/tasks/${task.id}/close`, hanoiOfficer, { status: 'cancelled' })).statusCode).toBe(403);
  });
});

describe('hostile input', () => {
  it('a NUL byte in a tube code is a 400 naming the field', async () => {
    const res = await inject('POST', '/api/testing/samples', sampler, tube('A\u0000B', [{ fullName: 'Ai Đó', phone: '0912000997' }]));
    expect(res.statusCode).toBe(400);
    expect(JSON.stringify(res.json().error)).toContain('tubeCode');
  });
  it('a NUL byte in a typed name is a 400 naming the field', async () => {
    const res = await inject('POST', '/api/testing/samples', sampler, tube('N-1', [{ fullName: 'Ai\u0000Đó', phone: '0912000997' }]));
    expect(res.statusCode).toBe(400);
    expect(JSON.stringify(res.json().error)).toContain('fullName');
  });
  it('a huge body is refused before it is read', async () => {
    const res = await inject('POST', '/api/testing/samples', sampler, { ...tube('BIG', [{ fullName: 'Ai Đó', phone: '0912000996' }]), collector: 'x'.repeat(400_000) });
    expect(res.statusCode).toBe(413);
  });
  it('a forged personal QR is a 400 naming the token', async () => {
    const forged = alterChar(personalQrToken(t.app.vigil.keys, other), 20);
    const res = await inject('POST', '/api/testing/samples', sampler, tube('F-1', [{ token: forged }]));
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details[0].path).toBe('body.people[0].token');
  });
  it('scanning a QR shows the sampler its name; a citizen cannot scan, a forged token is a 400', async () => {
    const ok = await inject('POST', '/api/testing/people/scan', sampler, { token: personalQrToken(t.app.vigil.keys, other) });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toMatchObject({ personId: other, fullName: 'Trần Thị Hai' });
    expect((await inject('POST', '/api/testing/people/scan', citizen, { token: personalQrToken(t.app.vigil.keys, other) })).statusCode).toBe(403);
    const forged = await inject('POST', '/api/testing/people/scan', sampler, { token: alterChar(personalQrToken(t.app.vigil.keys, other), 25) });
    expect(forged.statusCode).toBe(400);
    expect(forged.json().error.details[0].path).toBe('body.token');
  });
  it('a pool larger than 50 is refused by the schema', async () => {
    const people = Array.from({ length: 51 }, (_, i) => ({ fullName: `Người ${i}`, phone: `09120${String(i).padStart(5, '0')}` }));
    const res = await inject('POST', '/api/testing/samples', sampler, tube('L-1', people));
    expect(res.statusCode).toBe(400);
  });
});

describe('typed-in details of someone else', () => {
  it('a sampler typing a person’s name, phone and birth year does not land the tube on a dependant a citizen typed with them', async () => {
    const attacker = await t.login('citizen', '40', { personId: await s.person('Kẻ Rình Kết Quả') });
    const victim = { fullName: 'Nạn Nhân Xét Nghiệm', phone: '0913000931', birthDate: '1988-03-04', sex: 'female', communeCode: s.commune };
    const dep = await inject('POST', '/api/me/dependants', attacker, { person: victim, relationship: 'other' });
    expect(dep.statusCode, dep.body).toBe(201);
    const depId = dep.json().items[0].id as string;
    // the neighbour comes to the sampling point without a QR; the sampler types what she says
    const res = await inject('POST', '/api/testing/samples', sampler, tube('TY-1', [{ fullName: victim.fullName, phone: victim.phone, birthYear: 1988 }]));
    expect(res.statusCode, res.body).toBe(201);
    const inTube = (await t.db.selectFrom('sample_members').select('person_id').where('sample_id', '=', res.json().sample.id).execute()).map((r) => r.person_id);
    expect(inTube).toHaveLength(1);
    expect(inTube).not.toContain(depId);
    expect((await inject('POST', '/api/testing/results', lab, { tubeCode: 'TY-1', result: 'negative', resultedAt: '2021-08-12T04:30:00Z' })).statusCode).toBe(200);
    const mine = await inject('GET', '/api/testing/me/results', attacker);
    expect(mine.statusCode).toBe(200);
    expect(mine.json().people.flatMap((p: { items: unknown[] }) => p.items)).toEqual([]);
  });
});
