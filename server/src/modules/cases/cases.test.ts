// Cases over HTTP: confirmation → tracing → contacts visible; jurisdiction (a commune officer sees only their
// contacts, another province nothing); manual contacts; lists, export, bulk actions; `vigil trace --json`.
import path from 'node:path';
import os from 'node:os';
import fs from 'node:fs';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testContext, type LoggedIn, type TestContext } from '../../../test/helpers';
import { scenario, type Scenario } from './test-fixtures';

let t: TestContext;
let s: Scenario;
let now = new Date('2021-08-11T05:00:00Z');
let cdc: LoggedIn;
let communeA: LoggedIn;
let communeB: LoggedIn;
let hanoi: LoggedIn;
let citizen: LoggedIn;
let operator: LoggedIn;
const P: Record<string, string> = {};
let V1: string;
let caseId: string;

const get = (url: string, who?: LoggedIn | null) => t.app.inject({ method: 'GET', url, headers: who?.headers ?? {} });
const send = (method: 'POST' | 'PATCH', url: string, who: LoggedIn | null, payload?: unknown) =>
  t.app.inject({ method, url, headers: who?.headers ?? {}, ...(payload !== undefined && { payload: payload as object }) });

beforeAll(async () => {
  t = await testContext({ clock: () => now });
  s = await scenario(t.db);
  P.F0 = await s.person('Trần Văn Ca', { nationalId: '040090001234' });
  P.A = await s.person('Lê Thị A'); // commune A
  P.B = await s.person('Phạm Văn B', { commune: s.otherCommune }); // lives in the other commune
  P.C = await s.person('Hoàng Văn C');
  P.Q = await s.person('Đỗ Thị Q');
  V1 = await s.venue('CHO', 60);
  const V2 = await s.venue('QUAN', 60);
  await s.stay(P.F0!, V1, '2021-08-10T02:00:00Z', '2021-08-10T03:00:00Z');
  await s.stay(P.A!, V1, '2021-08-10T02:30:00Z', '2021-08-10T03:30:00Z');
  await s.stay(P.B!, V1, '2021-08-10T02:45:00Z', '2021-08-10T03:15:00Z');
  await s.stay(P.A!, V2, '2021-08-10T08:00:00Z', '2021-08-10T09:00:00Z');
  await s.stay(P.Q!, V2, '2021-08-10T08:30:00Z', '2021-08-10T09:00:00Z'); // F2 via A
  cdc = await t.login('cdc_officer', '40');
  communeA = await t.login('commune_officer', s.commune);
  communeB = await t.login('commune_officer', s.otherCommune);
  hanoi = await t.login('cdc_officer', '01');
  citizen = await t.login('citizen', '40');
  operator = await t.login('venue_operator', '40');
});
afterAll(async () => {
  await t?.close();
});

describe('confirming a case', () => {
  it('creates a province-prefixed case, traces in the background and shows the contacts', async () => {
    const res = await send('POST', '/api/cases', cdc, { personId: P.F0, confirmedAt: '2021-08-11T03:00:00Z', onsetDate: '2021-08-10', source: 'community' });
    expect(res.statusCode, res.body).toBe(201);
    const c = res.json().case;
    caseId = c.id;
    expect(c.code).toMatch(/^NA40-\d{5}$/);
    expect(c.window).toEqual({ from: '2021-08-07T17:00:00.000Z', to: '2021-08-11T03:00:00.000Z' });
    await t.events.settled();
    const detail = (await get(`/api/cases/${caseId}`, cdc)).json().case;
    expect(detail.trace.status).toBe('done');
    expect(detail.contactCounts).toMatchObject({ f1: 2, f2: 1 });
    const contacts = (await get(`/api/cases/${caseId}/contacts`, cdc)).json().items as { person: { id: string }; level: number; orderEnd: string; orderKind: string; exposures: { overlapMinutes: number; venue: { id: string } }[] }[];
    const a = contacts.find((x) => x.person.id === P.A)!;
    expect(a).toMatchObject({ level: 1, orderKind: 'quarantine', orderEnd: '2021-08-24' }); // last exposure 10 Aug + 14
    expect(a.exposures).toEqual([expect.objectContaining({ overlapMinutes: 30, venue: expect.objectContaining({ id: V1 }) })]);
    const q = contacts.find((x) => x.person.id === P.Q)!;
    expect(q).toMatchObject({ level: 2, orderKind: 'monitoring', orderEnd: '2021-08-17' });
    // each exposure names whom it was to: the F1 for an F2
    expect(q.exposures).toEqual([expect.objectContaining({ overlapMinutes: 30, sourcePersonId: P.A, sourcePersonName: 'Lê Thị A' })]);
    // exposure notice of the case's stay
    const notices = await t.db.selectFrom('exposure_notices').selectAll().where('case_id', '=', caseId).execute();
    expect(notices.map((n) => [n.venue_id, n.from_at.toISOString(), n.to_at.toISOString()])).toEqual([[V1, '2021-08-10T02:00:00.000Z', '2021-08-10T03:00:00.000Z']]);
  });

  it('re-tracing adds nothing twice', async () => {
    const before = await t.db.selectFrom('contact_exposures').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    expect((await send('POST', `/api/cases/${caseId}/trace`, cdc, {})).statusCode).toBe(202);
    await t.events.settled();
    const after = await t.db.selectFrom('contact_exposures').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
    expect((await get(`/api/cases/${caseId}/contacts`, cdc)).json().items).toHaveLength(3);
  });

  it("adds today's cases and the contacts under follow-up to the home page of the area, and to nobody else's", async () => {
    type Tile = { key: string; today: number; byDay: number[] | null };
    const tiles = async (who: LoggedIn) => {
      const r = await get('/api/home/summary', who);
      expect(r.statusCode, r.body).toBe(200);
      return new Map((r.json().tiles as Tile[]).map((x) => [x.key, x]));
    };
    const mine = await tiles(cdc);
    expect(mine.get('cases')!.today).toBe(1); // confirmed 2021-08-11 03:00 UTC, "today" in Vietnam by the pinned clock
    expect(mine.get('cases')!.byDay).toHaveLength(14);
    expect(mine.get('contacts.monitoring')!.today).toBeGreaterThanOrEqual(3);
    const theirs = await tiles(hanoi);
    expect(theirs.get('cases')!.today).toBe(0);
    expect(theirs.get('contacts.monitoring')!.today).toBe(0);
    expect((await tiles(operator)).has('cases')).toBe(false);
  });

  it('refuses a second active case for the same person, an unknown person, bad dates', async () => {
    const dup = await send('POST', '/api/cases', cdc, { personId: P.F0, confirmedAt: '2021-08-11T03:00:00Z', source: 'community' });
    expect(dup.statusCode).toBe(409);
    const unknown = await send('POST', '/api/cases', cdc, { personId: '00000000-0000-4000-8000-000000000000', confirmedAt: '2021-08-11T03:00:00Z', source: 'community' });
    expect(unknown.statusCode).toBe(404);
    const bad = await send('POST', '/api/cases', cdc, { personId: P.C, confirmedAt: '2021-08-11T03:00:00Z', onsetDate: '2021-09-30', source: 'community' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details[0].path).toBe('body.onsetDate');
    const junk = await send('POST', '/api/cases', cdc, { personId: P.C, confirmedAt: 'yesterday\u0000', source: 'alien' });
    expect(junk.statusCode).toBe(400);
  });
});

describe('a positive test (testing module) confirms a case', () => {
  it('test.positive → a case with origin test, the sample day as the window anchor, traced', async () => {
    await t.events.publish(t.db, 'test.positive', { testId: 'T-1', personId: P.C!, sampledOn: '2021-08-10', resultAt: '2021-08-11T01:00:00Z', setting: 'quarantine' });
    await t.events.settled();
    const row = await t.db.selectFrom('cases').selectAll().where('person_id', '=', P.C!).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ origin: 'test', origin_ref: 'T-1', source: 'quarantine', test_date: '2021-08-10', trace_status: 'done' });
    // again (a duplicate result): still one case
    await t.events.publish(t.db, 'test.positive', { testId: 'T-2', personId: P.C!, sampledOn: '2021-08-10', resultAt: '2021-08-11T02:00:00Z' });
    await t.events.settled();
    expect(await t.db.selectFrom('cases').select('id').where('person_id', '=', P.C!).execute()).toHaveLength(1);
    await t.db.deleteFrom('cases').where('id', '=', row.id).execute();
  });
});

describe('jurisdiction', () => {
  it('a commune officer sees only the contacts their commune follows up', async () => {
    const mine = (await get(`/api/contacts?caseId=${caseId}`, communeA)).json().items.map((x: { person: { id: string } }) => x.person.id);
    expect(mine.sort()).toEqual([P.A, P.Q].sort());
    const other = (await get('/api/contacts', communeB)).json().items.map((x: { person: { id: string } }) => x.person.id);
    expect(other).toEqual([P.B]);
    // the case itself belongs to commune A: commune B may not open it
    expect((await get(`/api/cases/${caseId}`, communeB)).statusCode).toBe(403);
  });

  it('another province, citizens, venue operators and strangers get nothing', async () => {
    expect((await get(`/api/cases/${caseId}`, hanoi)).statusCode).toBe(403);
    expect((await get('/api/cases', hanoi)).json().items).toEqual([]);
    expect((await get('/api/contacts', hanoi)).json().items).toEqual([]);
    expect((await get(`/api/cases/${caseId}`, citizen)).statusCode).toBe(403);
    expect((await get('/api/contacts', operator)).statusCode).toBe(403);
    expect((await get('/api/cases', null)).statusCode).toBe(401);
    expect((await send('POST', '/api/cases', hanoi, { personId: P.C, confirmedAt: '2021-08-11T03:00:00Z', source: 'community' })).statusCode).toBe(403);
    expect((await get('/api/cases/not-a-uuid', cdc)).statusCode).toBe(400);
    const contactB = (await get('/api/contacts', communeB)).json().items[0].id;
    expect((await send('PATCH', `/api/contacts/${contactB}`, communeA, { status: 'completed' })).statusCode).toBe(403);
  });

  it('audits reads of cases and contacts', async () => {
    const rows = await t.db.selectFrom('audit_log').select(['action', 'actor_username']).execute();
    expect(rows.map((r) => r.action)).toEqual(expect.arrayContaining(['case.create', 'case.read', 'case.contacts.read', 'contacts.list']));
  });
});

describe('contacts', () => {
  it('adds a manual household contact from an interview, once however often it is entered', async () => {
    const body = { person: { fullName: 'Trần Thị Vợ', phone: '0987111222', communeCode: s.commune }, relation: 'household', lastExposureDate: '2021-08-11' };
    const res = await send('POST', `/api/cases/${caseId}/contacts`, communeA, body);
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().items[0]).toMatchObject({ level: 1, origin: 'manual', orderStart: '2021-08-11', orderEnd: '2021-08-25', exposures: [{ kind: 'household', via: 'manual' }] });
    expect((await send('POST', `/api/cases/${caseId}/contacts`, communeA, body)).statusCode).toBe(201);
    const all = (await get(`/api/cases/${caseId}/contacts`, cdc)).json().items as { person: { fullName: string } }[];
    expect(all.filter((x) => x.person.fullName === 'Trần Thị Vợ')).toHaveLength(1);
    const noCommune = await send('POST', `/api/cases/${caseId}/contacts`, communeA, { ...body, person: { fullName: 'Ai Đó' } });
    expect(noCommune.statusCode).toBe(400);
    expect(noCommune.json().error.details[0].path).toBe('body.person.communeCode');
    expect((await send('POST', `/api/cases/${caseId}/contacts`, communeA, { personId: P.F0, relation: 'household', lastExposureDate: '2021-08-11' })).statusCode).toBe(400);
  });

  it('filters by level and days left, exports Excel, and acts in bulk', async () => {
    const f2 = (await get('/api/contacts?level=2', cdc)).json().items;
    expect(f2.map((x: { person: { id: string } }) => x.person.id)).toEqual([P.Q]);
    expect((await get('/api/contacts?maxDaysLeft=6', cdc)).json().items.map((x: { level: number }) => x.level)).toEqual([2]); // F2 ends 17 Aug: 6 days left
    const x = await get('/api/contacts/export.xlsx?level=1', cdc);
    expect(x.statusCode).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(x.rawPayload as unknown as ArrayBuffer);
    const ws = wb.worksheets[0]!;
    expect(ws.getRow(1).getCell(3).value).toBe('full_name');
    expect(ws.rowCount).toBe(1 + 3); // A, B, the wife
    const ids = f2.map((c: { id: string }) => c.id);
    const bulk = await send('POST', '/api/contacts/bulk', cdc, { ids, action: 'complete' });
    expect(bulk.json()).toEqual({ changed: 1 });
    expect((await get('/api/contacts?status=completed', cdc)).json().items).toHaveLength(1);
    expect((await send('POST', '/api/contacts/bulk', hanoi, { ids, action: 'lost' })).statusCode).toBe(403);
  });
});

describe('vigil trace', () => {
  it('prints the same result as JSON; an unknown person exits 2', async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-trace-'));
    const VIGIL = path.resolve(__dirname, '../../../bin/vigil.js');
    const env = { ...process.env, DATABASE_URL: t.database.url, VIGIL_DATA_DIR: tmp, LOG_LEVEL: 'silent' };
    const run = promisify(execFile);
    const r = await run(process.execPath, [VIGIL, 'trace', '040090001234', '--at', '2021-08-11T12:00:00+07:00', '--json'], { env, timeout: 120_000 });
    const out = JSON.parse(r.stdout);
    expect(out.case.code).toMatch(/^NA40-/);
    const a = out.contacts.find((c: { person: { id: string } }) => c.person.id === P.A);
    expect(a).toEqual({
      person: { id: P.A, fullName: 'Lê Thị A', nationalId: null, phone: expect.stringMatching(/^\+84/) },
      level: 1,
      exposures: [{ venue_code: expect.stringMatching(/^CHO-/), from: '2021-08-10T02:30:00.000Z', to: '2021-08-10T03:00:00.000Z', overlap_minutes: 30, via: 'checkin', sources_count: 1 }],
    });
    expect(out.contacts.map((c: { level: number }) => c.level).sort()).toEqual([1, 1, 2]);
    // an F2's exposure names the F1 through whom it came
    const q = out.contacts.find((c: { person: { id: string } }) => c.person.id === P.Q);
    expect(q.exposures).toEqual([
      { venue_code: expect.stringMatching(/^QUAN-/), from: '2021-08-10T08:30:00.000Z', to: '2021-08-10T09:00:00.000Z', overlap_minutes: 30, via: 'checkin', sources_count: 1, via_person: { id: P.A, fullName: 'Lê Thị A', level: 1 } },
    ]);
    const missing = await run(process.execPath, [VIGIL, 'trace', '040099999999', '--json'], { env, timeout: 120_000 }).catch((e) => e as { code: number; stderr: string });
    expect((missing as { code: number }).code).toBe(2);
    expect((missing as { stderr: string }).stderr).toMatch(/No person found/);
    fs.rmSync(tmp, { recursive: true, force: true });
  }, 240_000); // two CLI processes, each loading the TypeScript sources and connecting
});

describe('hostile input', () => {
  it('a NUL byte in a search is a 400 naming the field, not a 500', async () => {
    for (const url of ['/api/cases?q=%00', '/api/contacts?q=a%00b', '/api/contacts/export.xlsx?q=%00']) {
      const res = await get(url, cdc);
      expect(res.statusCode, url).toBe(400);
      expect(res.json().error.details[0].path).toBe('querystring.q');
    }
  });
});
