// Importing F1/F2 lists: per-line errors, good lines imported, ambiguous people to review, nothing doubled on
// re-import; over HTTP (with jurisdiction) and as `vigil import contacts <file>`.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testContext, type LoggedIn, type TestContext } from '../../../test/helpers';
import { scenario, type Scenario } from './test-fixtures';

let t: TestContext;
let s: Scenario;
const now = new Date('2021-08-12T05:00:00Z');
let cdc: LoggedIn;
let hanoi: LoggedIn;
let caseCode: string;
let caseId: string;
let known: string;

const upload = (body: string | Buffer, who: LoggedIn | null, type = 'text/csv') =>
  t.app.inject({ method: 'POST', url: '/api/contacts/import', headers: { ...(who?.headers ?? {}), 'content-type': type }, payload: body });

beforeAll(async () => {
  t = await testContext({ clock: () => now });
  s = await scenario(t.db);
  const f0 = await s.person('Ca Nhập');
  known = await s.person('Trần Văn Biết', { phone: '+84912000111', nationalId: '040085000111' });
  await s.person('Lê Thị Khác', { phone: '+84912000222' }); // a phone already held by someone else
  cdc = await t.login('cdc_officer', '40');
  hanoi = await t.login('cdc_officer', '01');
  const res = await t.app.inject({ method: 'POST', url: '/api/cases', headers: cdc.headers, payload: { personId: f0, confirmedAt: '2021-08-11T03:00:00Z', source: 'community' } });
  expect(res.statusCode, res.body).toBe(201);
  caseCode = res.json().case.code;
  caseId = res.json().case.id;
  await t.events.settled();
});
afterAll(async () => {
  await t?.close();
});

const csv = () =>
  [
    'full_name,phone,national_id,address,relation,last_exposure_date,case_code',
    `Trần Văn Biết,0912000111,,Số 2,household,2021-08-10,${caseCode}`, // 2: known person (phone + name)
    `Phạm Thị Mới,0912 000 333,,Số 3,đồng nghiệp,10/08/2021,${caseCode}`, // 3: new person, Vietnamese relation and date
    `Nguyễn Văn Lạ,0912000222,,Số 4,travel,2021-08-09,${caseCode}`, // 4: phone of someone else → review
    `Bad Phone,12ab,,Số 5,household,2021-08-10,${caseCode}`, // 5: bad phone
    `Bad Date,0912000444,,Số 6,household,2021-13-45,${caseCode}`, // 6: bad date (not a calendar date → parse ok, checked below)
    `No Case,0912000555,,Số 7,household,2021-08-10,XX99-00001`, // 7: unknown case
    `Future,0912000666,,Số 8,household,2021-09-30,${caseCode}`, // 8: in the future
    `,0912000777,,Số 9,household,2021-08-10,${caseCode}`, // 9: no name
  ].join('\n');

describe('contact imports over HTTP', () => {
  it('imports good lines, names bad ones, lists unclear people for review', async () => {
    const res = await upload(csv(), cdc);
    expect(res.statusCode, res.body).toBe(200);
    const r = res.json();
    expect(r).toMatchObject({ total: 8, imported: 2, review: 1, duplicates: 0 });
    const byLine = Object.fromEntries(r.errors.map((e: { line: number; path: string }) => [e.line, e.path]));
    expect(byLine).toEqual({ 5: 'phone', 6: 'last_exposure_date', 7: 'case_code', 8: 'last_exposure_date', 9: 'full_name' });
    expect(r.errors.find((e: { line: number }) => e.line === 6).message).toMatch(/not a date/);
    const contacts = (await t.app.inject({ method: 'GET', url: `/api/cases/${caseId}/contacts`, headers: cdc.headers })).json().items;
    const names = contacts.map((c: { person: { fullName: string } }) => c.person.fullName).sort();
    expect(names).toEqual(['Phạm Thị Mới', 'Trần Văn Biết']);
    expect(contacts.find((c: { person: { id: string } }) => c.person.id === known)).toMatchObject({ level: 1, origin: 'import', orderEnd: '2021-08-24', exposures: [{ kind: 'household', via: 'import' }] });
    expect(contacts.find((c: { person: { fullName: string } }) => c.person.fullName === 'Phạm Thị Mới').exposures[0].kind).toBe('workplace');
  });

  it('re-importing the same file adds nothing twice', async () => {
    const r = (await upload(csv(), cdc)).json();
    expect(r).toMatchObject({ imported: 0, duplicates: 3, review: 0 });
    expect((await t.db.selectFrom('case_contacts').select('id').where('case_id', '=', caseId).execute()).length).toBe(2);
    expect((await t.db.selectFrom('contact_import_reviews').select('id').execute()).length).toBe(1);
  });

  it('an officer resolves a review item as a new person', async () => {
    const items = (await t.app.inject({ method: 'GET', url: '/api/contact-reviews', headers: cdc.headers })).json().items;
    expect(items).toEqual([expect.objectContaining({ caseCode, reason: 'this phone belongs to someone with another name', candidates: [expect.objectContaining({ fullName: 'Lê Thị Khác' })] })]);
    const res = await t.app.inject({ method: 'POST', url: `/api/contact-reviews/${items[0].id}/resolve`, headers: cdc.headers, payload: { personId: null } });
    expect(res.statusCode, res.body).toBe(200);
    const names = (await t.app.inject({ method: 'GET', url: `/api/cases/${caseId}/contacts`, headers: cdc.headers })).json().items.map((c: { person: { fullName: string } }) => c.person.fullName);
    expect(names).toContain('Nguyễn Văn Lạ');
    expect((await t.app.inject({ method: 'GET', url: '/api/contact-reviews', headers: cdc.headers })).json().items).toEqual([]);
  });

  it('two officers resolving the same item at once: one contact, one new person; the second is told it is gone', async () => {
    const up = await upload(['full_name,phone,national_id,address,relation,last_exposure_date,case_code', `Đỗ Văn Đôi,0912000222,,Số 10,household,2021-08-10,${caseCode}`].join('\n'), cdc);
    expect(up.json()).toMatchObject({ review: 1 });
    const [item] = (await t.app.inject({ method: 'GET', url: '/api/contact-reviews', headers: cdc.headers })).json().items;
    const resolve = () => t.app.inject({ method: 'POST', url: `/api/contact-reviews/${item.id}/resolve`, headers: cdc.headers, payload: { personId: null } });
    const answers = await Promise.all([resolve(), resolve()]);
    expect(answers.map((a) => a.statusCode).sort(), answers.map((a) => a.body).join(' | ')).toEqual([200, 404]);
    const people = await t.db.selectFrom('persons').select('id').where('full_name', '=', 'Đỗ Văn Đôi').execute();
    expect(people).toHaveLength(1);
    const contacts = await t.db.selectFrom('case_contacts').select('id').where('case_id', '=', caseId).where('person_id', '=', people[0]!.id).execute();
    expect(contacts).toHaveLength(1);
  });

  it('refuses other provinces, strangers, a file without the columns; reads Excel and serves the template', async () => {
    const other = (await upload(csv(), hanoi)).json();
    expect(other.imported).toBe(0);
    expect(other.errors.filter((e: { path: string; message: string }) => e.path === 'case_code' && /outside/.test(e.message))).toHaveLength(7);
    expect((await upload(csv(), null)).statusCode).toBe(401);
    const bad = await upload('name,phone\nA,0912000999\n', cdc);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toMatch(/Missing column\(s\): full_name/);
    const tpl = await t.app.inject({ method: 'GET', url: '/api/contacts/import-template.xlsx', headers: cdc.headers });
    expect(tpl.statusCode).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(tpl.rawPayload as unknown as ArrayBuffer);
    const ws = wb.worksheets[0]!;
    ws.getRow(2).values = ['Võ Văn Excel', '0912000888', '', 'Số 10', 'household', '2021-08-11', caseCode];
    const xlsx = Buffer.from(await wb.xlsx.writeBuffer());
    const r = (await upload(xlsx, cdc, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')).json();
    expect(r).toMatchObject({ total: 1, imported: 1, errors: [] });
  });
});

describe('vigil import contacts', () => {
  it('imports from a file and exits 2 when lines were rejected', async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-contacts-'));
    const file = path.join(tmp, 'f1.csv');
    fs.writeFileSync(file, ['full_name,phone,national_id,address,relation,last_exposure_date,case_code', `Đinh Văn Cli,0912000999,,Số 11,household,2021-08-10,${caseCode}`, `Hỏng,abc,,,household,2021-08-10,${caseCode}`].join('\n'));
    const VIGIL = path.resolve(__dirname, '../../../bin/vigil.js');
    const r = await promisify(execFile)(process.execPath, [VIGIL, 'import', 'contacts', file], { env: { ...process.env, DATABASE_URL: t.database.url, VIGIL_DATA_DIR: tmp, LOG_LEVEL: 'silent' }, timeout: 120_000 }).catch((e) => e as { code: number; stdout: string; stderr: string });
    expect((r as { code?: number }).code).toBe(2);
    expect(r.stdout).toMatch(/2 line\(s\): 1 contact\(s\) imported/);
    expect(r.stderr).toMatch(/line 3, phone/);
    fs.rmSync(tmp, { recursive: true, force: true });
  }, 120_000); // a CLI process loading the TypeScript sources and connecting
});
