// A NUL character (U+0000) in any text input is refused with a 400 naming the field (PostgreSQL stores no NUL in
// text, which used to surface as a 500), decided in one place for every route.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testContext, type LoggedIn, type TestContext } from './helpers';
import { communes } from '../src/modules/venues/test-fixtures';

let t: TestContext;
let officer: LoggedIn;
let admin: LoggedIn;
let commune: string;

beforeAll(async () => {
  t = await testContext();
  officer = await t.login('cdc_officer');
  admin = await t.login('national_admin');
  commune = (await communes(t.db)).a;
});
afterAll(() => t?.close());

const NUL = '\u0000';

function expectNulRefused(res: { statusCode: number; json(): unknown; body: string }, path: string) {
  expect(res.statusCode, res.body).toBe(400);
  const body = res.json() as { error: { code: string; message: string; details: { path: string; message: string }[] } };
  expect(body.error.code).toBe('VALIDATION');
  expect(body.error.details).toEqual([{ path, message: expect.stringMatching(/NUL/) }]);
  expect(body.error.message).toContain(path);
}

describe('NUL characters in text input', () => {
  it('a JSON body field (sign-in, no session)', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      headers: { 'x-requested-with': 'vigil' },
      payload: { username: `admin${NUL}`, password: 'whatever-123' },
    });
    expectNulRefused(res, 'body.username');
  });

  it('a query parameter of a search', async () => {
    expectNulRefused(await t.app.inject({ url: `/api/people?q=Nguy%00en`, headers: officer.headers }), 'querystring.q');
    expectNulRefused(await t.app.inject({ url: `/api/venues?q=%00`, headers: officer.headers }), 'querystring.q');
  });

  it('a field of a record being created, and a nested field of a public declaration', async () => {
    const person = await t.app.inject({
      method: 'POST',
      url: '/api/people',
      headers: officer.headers,
      payload: { fullName: `Lê Thị${NUL} B`, birthYear: 1990, communeCode: commune },
    });
    expectNulRefused(person, 'body.fullName');
    const declaration = await t.app.inject({
      method: 'POST',
      url: '/api/public/declarations',
      payload: {
        formKey: 'domestic',
        formVersion: 1,
        person: { fullName: 'Trần Văn C', phone: '0912345678', birthYear: 1985, communeCode: commune, address: `số 1${NUL}` },
        answers: {},
      },
    });
    expectNulRefused(declaration, 'body.person.address');
  });

  it('an object key and an array element', async () => {
    const key = await t.app.inject({
      method: 'POST',
      url: '/api/public/declarations',
      payload: { formKey: 'domestic', formVersion: 1, person: {}, answers: { [`fever${NUL}`]: true } },
    });
    expect(key.statusCode).toBe(400);
    expect(key.json().error.details[0].path).toBe('body.answers.fever\\u0000');
    const element = await t.app.inject({
      method: 'POST',
      url: '/api/public/declarations',
      payload: { formKey: 'domestic', formVersion: 1, person: {}, answers: { symptoms: ['ho', `sốt${NUL}`] } },
    });
    expectNulRefused(element, 'body.answers.symptoms.1');
  });

  it('a path parameter', async () => {
    expectNulRefused(await t.app.inject({ url: '/api/geo/units/40%00', headers: officer.headers }), 'params.code');
  });

  it('a text upload names the line', async () => {
    const csv = `code,name,level,parent_code,population\n99,Tỉnh Thử,province,VN,1000\n9901,Huyện${NUL},district,99,10\n`;
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/geo/import?format=csv',
      headers: { ...admin.headers, 'content-type': 'text/csv' },
      payload: csv,
    });
    expectNulRefused(res, 'body line 3');
  });

  it('text without NUL still goes through', async () => {
    const res = await t.app.inject({ url: '/api/people?q=Nguyen', headers: officer.headers });
    expect(res.statusCode).toBe(200);
  });
});

describe('NUL characters on search routes (found by fuzz-routes.py)', () => {
  it('are refused with a 400 naming the parameter', async () => {
    const cdc = await t.login('cdc_officer', '40');
    for (const [url, path] of [
      ['/api/venues/communes?q=%00', 'querystring.q'],
      ['/api/venues?q=ch%00o', 'querystring.q'],
      ['/api/checkin/communes?q=%00', 'querystring.q'],
      ['/api/geo/units?q=%00', 'querystring.q'],
      ['/api/geo/units/%00', 'params.code'],
      ['/api/users?q=%00', 'querystring.q'],
    ] as const) {
      const r = await t.app.inject({ method: 'GET', url, headers: cdc.headers });
      expect(r.statusCode, `${url}: ${r.body}`).toBe(400);
      expect(r.json().error.details[0].path, url).toBe(path);
    }
  });
});

describe('the per-request NUL check (hasNul) and the one naming the place (findNul)', () => {
  it('agree on where there is a NUL and where there is none', async () => {
    const { findNul, hasNul } = await import('../src/platform/http/plugin');
    const nested = (depth: number, leaf: unknown): unknown => (depth ? { a: [nested(depth - 1, leaf)] } : leaf);
    const cases: unknown[] = [
      'plain',
      `a${NUL}b`,
      { clientId: 'x', people: [{ token: 't' }, { fullName: `Lan${NUL}` }] },
      { clientId: 'x', people: [{ token: 't' }] },
      { [`k${NUL}`]: 1 },
      [1, 2, [3, [`${NUL}`]]],
      Object.assign(Object.create(null), { q: `x${NUL}` }),
      Buffer.from(`a${NUL}`),
      nested(10, NUL),
      nested(80, NUL), // deeper than either walks
      null,
      42,
    ];
    for (const c of cases) expect(hasNul(c), JSON.stringify(c)).toBe(findNul(c, 'body') !== null);
  });
});
