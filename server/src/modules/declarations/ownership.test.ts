// Forms, risk rules and zone lists have an owner jurisdiction (issue #13 item 2): national ones are changed by
// national admins only; a province/district adds its own and switches national rules off for its own area; every
// change is audited with before/after and shown to the officers of the area it affects.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testContext, type LoggedIn, type TestContext } from '../../../test/helpers';
import { HEALTHY_DOMESTIC_ANSWERS } from './index';

let t: TestContext;
const now = new Date('2021-08-01T03:00:00Z');
let nghean: { commune: string; district: string; otherDistrictCommune: string };
const hanoiCommune = '00001';
let admin: LoggedIn;
let cdcNghean: LoggedIn;
let cdcHanoi: LoggedIn;
let districtNghean: LoggedIn;
let communeOfficer: LoggedIn;

const get = (url: string, who?: LoggedIn) => t.app.inject({ method: 'GET', url, headers: who?.headers ?? {} });
const send = (method: 'POST' | 'PUT', url: string, who: LoggedIn | null, payload: unknown) =>
  t.app.inject({ method, url, headers: who?.headers ?? {}, payload: payload as object });

const healthy = HEALTHY_DOMESTIC_ANSWERS;
let seq = 0;
async function declare(communeCode: string, answers: Record<string, unknown>) {
  seq++;
  const res = await send('POST', '/api/public/declarations', null, {
    formKey: 'domestic',
    formVersion: 1,
    person: { fullName: `Người Khai ${seq}`, phone: `09${String(31_000_000 + seq * 7919).slice(-8)}`, birthYear: 1975, communeCode },
    answers,
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().declaration as { id: string; followUp: boolean };
}
const contactF0 = { ...healthy, contact_f0: true };

async function rule(key: string, who: LoggedIn) {
  const res = await get('/api/declarations/rules', who);
  expect(res.statusCode).toBe(200);
  return (res.json().items as { key: string }[]).find((r) => r.key === key) as Record<string, unknown> | undefined;
}
async function auditOf(who: LoggedIn, action: string) {
  const res = await get(`/api/audit?action=${action}&limit=100`, who);
  expect(res.statusCode, res.body).toBe(200);
  return res.json().items as { action: string; subjectId: string; actor: { username: string }; details: Record<string, unknown> }[];
}

beforeAll(async () => {
  t = await testContext({ clock: () => now });
  const communes = await t.db.selectFrom('admin_units').select(['code', 'parent_code']).where('level', '=', 'commune').where('path', 'like', '/VN/40/%').orderBy('code').execute();
  const first = communes[0]!;
  nghean = { commune: first.code, district: first.parent_code!, otherDistrictCommune: communes.find((c) => c.parent_code !== first.parent_code)!.code };
  // the demo has communes in Nghệ An only: give Hà Nội one district and one commune
  await t.db
    .insertInto('admin_units')
    .values([
      { code: '001', name: 'Quận Ba Đình', level: 'district', depth: 2, parent_code: '01', path: '/VN/01/001/' },
      { code: hanoiCommune, name: 'Phường Phúc Xá', level: 'commune', depth: 3, parent_code: '001', path: '/VN/01/001/00001/' },
    ] as never)
    .execute();
  (t.app.vigil.access.resolver as unknown as { invalidate?: () => void }).invalidate?.();
  admin = await t.login('national_admin');
  cdcNghean = await t.login('cdc_officer', '40');
  cdcHanoi = await t.login('cdc_officer', '01');
  districtNghean = await t.login('district_officer', nghean.district);
  communeOfficer = await t.login('commune_officer', nghean.commune);
});
afterAll(async () => {
  await t?.close();
});

describe('national forms and rules', () => {
  it('a Hà Nội officer can no longer switch off contact_f0 or archive the domestic form for the country', async () => {
    const before = await rule('contact_f0', cdcHanoi);
    expect(before).toMatchObject({ owner: null, editable: false, active: true, activeHere: true });
    const off = await send('PUT', '/api/declarations/rules/contact_f0', cdcHanoi, { name: before!.name, formKinds: before!.formKinds, condition: before!.condition, severity: before!.severity, active: false });
    expect(off.statusCode).toBe(403);
    expect(off.json().error.code).toBe('FORBIDDEN');
    const archive = await send('POST', '/api/declarations/forms/domestic/archive', cdcHanoi, { archived: true });
    expect(archive.statusCode).toBe(403);
    const form = (await get('/api/public/declaration-forms/domestic')).json().form;
    const edit = await send('PUT', '/api/declarations/forms/domestic', cdcHanoi, { kind: 'domestic', title: { vi: 'Sửa', en: 'Edit' }, questions: form.questions });
    expect(edit.statusCode).toBe(403);
    const zone = await send('PUT', '/api/declarations/zones/red_zones', cdcHanoi, { name: { vi: 'x', en: 'x' }, codes: [] });
    expect(zone.statusCode).toBe(403);
    // nothing changed: Nghệ An declarations are still flagged, the form is still offered
    expect((await declare(nghean.commune, contactF0)).followUp).toBe(true);
    expect((await get('/api/public/declaration-forms')).json().items.map((f: { key: string }) => f.key)).toContain('domestic');
    // the forms list says who owns what
    const forms = (await get('/api/declarations/forms', cdcHanoi)).json().items;
    expect(forms.find((f: { key: string }) => f.key === 'domestic')).toMatchObject({ owner: null, editable: false });
    expect((await get('/api/declarations/forms', admin)).json().items.find((f: { key: string }) => f.key === 'domestic')).toMatchObject({ editable: true });
  });

  it('a national admin changes a national rule; the audit has before and after and Nghệ An sees it', async () => {
    const r = (await rule('contact_f0', admin))!;
    const res = await send('PUT', '/api/declarations/rules/contact_f0', admin, { name: r.name, formKinds: r.formKinds, condition: r.condition, severity: 'medium', active: true });
    expect(res.statusCode, res.body).toBe(200);
    const seen = (await auditOf(cdcNghean, 'declarations.rule.save')).find((a) => a.subjectId === 'contact_f0' && a.actor.username === admin.username);
    expect(seen, 'Nghệ An CDC sees the national change').toBeTruthy();
    expect(seen!.details).toMatchObject({ area: 'national', before: { severity: 'high', active: true }, after: { severity: 'medium', active: true } });
    // and back (the rest of this file counts on the standard severity)
    expect((await send('PUT', '/api/declarations/rules/contact_f0', admin, { name: r.name, formKinds: r.formKinds, condition: r.condition, severity: r.severity, active: true })).statusCode).toBe(200);
  });
});

describe('switching a national rule off for one area', () => {
  it('affects only that province, is audited for it and refused outside it', async () => {
    // a reason is required, and only for one's own area
    const noReason = await send('POST', '/api/declarations/rules/contact_f0/switch', cdcNghean, { active: false });
    expect(noReason.statusCode).toBe(400);
    expect(noReason.json().error.details[0].path).toBe('body.reason');
    expect((await send('POST', '/api/declarations/rules/contact_f0/switch', cdcHanoi, { unit: '40', active: false, reason: 'x' })).statusCode).toBe(403);
    expect((await send('POST', '/api/declarations/rules/contact_f0/switch', communeOfficer, { active: false, reason: 'x' })).statusCode).toBe(403);
    expect((await send('POST', '/api/declarations/rules/contact_f0/switch', admin, { unit: 'VN', active: false, reason: 'x' })).statusCode).toBe(400);
    expect((await send('POST', '/api/declarations/rules/nope/switch', cdcNghean, { active: false, reason: 'x' })).statusCode).toBe(404);

    const res = await send('POST', '/api/declarations/rules/contact_f0/switch', cdcNghean, { active: false, reason: 'Đã có rà soát F1 riêng của tỉnh' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ key: 'contact_f0', active: true, activeHere: false, switchOffs: [{ unit: { code: '40' }, reason: 'Đã có rà soát F1 riêng của tỉnh', by: cdcNghean.username }] });

    // Nghệ An: no longer flagged by that rule; Hà Nội: still flagged
    expect((await declare(nghean.commune, contactF0)).followUp).toBe(false);
    expect((await declare(hanoiCommune, contactF0)).followUp).toBe(true);
    // other rules still apply in Nghệ An
    expect((await declare(nghean.commune, { ...healthy, fever: true, cough: true })).followUp).toBe(true);

    // each side's view of the rule
    expect(await rule('contact_f0', cdcHanoi)).toMatchObject({ activeHere: true, switchOffs: [] });
    expect(await rule('contact_f0', districtNghean)).toMatchObject({ activeHere: false, switchOffs: [{ unit: { code: '40' } }] });
    expect(await rule('contact_f0', admin)).toMatchObject({ active: true, activeHere: true, switchOffs: [{ unit: { code: '40' } }] });

    // audited with before/after; Nghệ An's audit shows it, Hà Nội's does not (it does not affect Hà Nội)
    const entry = (await auditOf(cdcNghean, 'declarations.rule.switch_off')).find((a) => a.subjectId === 'contact_f0');
    expect(entry!.details).toMatchObject({ area: '40', before: { switchedOff: false }, after: { switchedOff: true, reason: 'Đã có rà soát F1 riêng của tỉnh' } });
    expect((await auditOf(cdcHanoi, 'declarations.rule.switch_off')).filter((a) => a.subjectId === 'contact_f0')).toEqual([]);

    // a district cannot undo its province's switch-off
    expect((await send('POST', '/api/declarations/rules/contact_f0/switch', districtNghean, { unit: '40', active: true })).statusCode).toBe(403);
    // switched back on by the province
    const on = await send('POST', '/api/declarations/rules/contact_f0/switch', cdcNghean, { active: true });
    expect(on.statusCode, on.body).toBe(200);
    expect(on.json()).toMatchObject({ activeHere: true, switchOffs: [] });
    expect((await declare(nghean.commune, contactF0)).followUp).toBe(true);
  });

  it('a district switch-off covers that district only', async () => {
    const res = await send('POST', '/api/declarations/rules/contact_f0/switch', districtNghean, { active: false, reason: 'thử nghiệm' });
    expect(res.statusCode, res.body).toBe(200);
    expect((await declare(nghean.commune, contactF0)).followUp).toBe(false);
    expect((await declare(nghean.otherDistrictCommune, contactF0)).followUp).toBe(true);
    expect((await send('POST', '/api/declarations/rules/contact_f0/switch', districtNghean, { active: true })).statusCode).toBe(200);
  });
});

describe("a province's own forms and rules", () => {
  it('a province adds a rule that applies in its area only; other provinces cannot change it', async () => {
    const body = { name: { vi: 'Tiêu chảy (Nghệ An)', en: 'Diarrhoea (Nghệ An)' }, formKinds: ['domestic'], condition: { q: 'diarrhea', truthy: true }, severity: 'low' };
    const res = await send('PUT', '/api/declarations/rules/na_diarrhea', cdcNghean, body);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ owner: { code: '40', name: 'Nghệ An' }, editable: true, activeHere: true });
    expect((await declare(nghean.commune, { ...healthy, diarrhea: true })).followUp).toBe(true);
    expect((await declare(hanoiCommune, { ...healthy, diarrhea: true })).followUp).toBe(false);
    // Hà Nội neither sees nor changes it
    expect(await rule('na_diarrhea', cdcHanoi)).toBeUndefined();
    expect((await send('PUT', '/api/declarations/rules/na_diarrhea', cdcHanoi, { ...body, active: false })).statusCode).toBe(403);
    // a district of Nghệ An sees it but may not change it; the national admin may
    expect(await rule('na_diarrhea', districtNghean)).toMatchObject({ editable: false });
    expect((await send('PUT', '/api/declarations/rules/na_diarrhea', districtNghean, { ...body, active: false })).statusCode).toBe(403);
    expect(await rule('na_diarrhea', admin)).toMatchObject({ editable: true });
    // naming an owner outside one's jurisdiction is refused
    expect((await send('PUT', '/api/declarations/rules/hn_rule', cdcNghean, { ...body, owner: '01' })).statusCode).toBe(403);
    expect((await send('PUT', '/api/declarations/rules/hn_rule', cdcNghean, { ...body, owner: 'nowhere' })).json().error.details[0].path).toBe('body.owner');
  });

  it("a province's zone list serves its own rules, not national ones", async () => {
    const z = await send('PUT', '/api/declarations/zones/na_hot', cdcNghean, { name: { vi: 'Điểm nóng', en: 'Hot spots' }, codes: [nghean.district] });
    expect(z.statusCode, z.body).toBe(200);
    expect(z.json()).toMatchObject({ owner: { code: '40' }, editable: true });
    const national = await send('PUT', '/api/declarations/rules/hot_travel', admin, { name: { vi: 'x', en: 'x' }, condition: { q: 'travel_places', inZone: 'na_hot' }, severity: 'low' });
    expect(national.statusCode).toBe(400);
    expect(national.json().error.details[0].message).toMatch(/na_hot/);
    const own = await send('PUT', '/api/declarations/rules/na_hot_travel', cdcNghean, { name: { vi: 'Đi qua điểm nóng', en: 'Hot spot travel' }, condition: { q: 'travel_places', inZone: 'na_hot' }, severity: 'medium' });
    expect(own.statusCode, own.body).toBe(200);
    expect((await send('PUT', '/api/declarations/zones/na_hot', cdcHanoi, { name: { vi: 'x', en: 'x' }, codes: [] })).statusCode).toBe(403);
  });

  it('a province adds its own form; only it (or a national admin) edits or archives it', async () => {
    const form = (await get('/api/public/declaration-forms/domestic')).json().form;
    const def = { kind: 'domestic', title: { vi: 'Tờ khai vào Nghệ An', en: 'Entering Nghệ An' }, questions: form.questions };
    const res = await send('PUT', '/api/declarations/forms/vao-nghe-an', cdcNghean, def);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().form.owner).toEqual({ code: '40', name: 'Nghệ An' });
    const pub = (await get('/api/public/declaration-forms')).json().items.find((f: { key: string }) => f.key === 'vao-nghe-an');
    expect(pub).toMatchObject({ owner: { code: '40', name: 'Nghệ An' } });
    expect((await send('POST', '/api/declarations/forms/vao-nghe-an/archive', cdcHanoi, { archived: true })).statusCode).toBe(403);
    expect((await send('PUT', '/api/declarations/forms/vao-nghe-an', cdcHanoi, { ...def, title: { vi: 'x', en: 'x' } })).statusCode).toBe(403);
    const archived = await send('POST', '/api/declarations/forms/vao-nghe-an/archive', cdcNghean, { archived: true });
    expect(archived.statusCode, archived.body).toBe(200);
    const entry = (await auditOf(cdcNghean, 'declarations.form.archive')).find((a) => a.subjectId === 'vao-nghe-an');
    expect(entry!.details).toMatchObject({ area: '40', before: { archived: false }, after: { archived: true } });
    // Hà Nội's forms list does not show another province's form
    expect((await get('/api/declarations/forms', cdcHanoi)).json().items.map((f: { key: string }) => f.key)).not.toContain('vao-nghe-an');
  });

  it('refuses callers without the permission', async () => {
    expect((await send('POST', '/api/declarations/rules/contact_f0/switch', null, { active: false, reason: 'x' })).statusCode).toBe(401);
    const citizen = await t.login('citizen', '40');
    expect((await send('POST', '/api/declarations/rules/contact_f0/switch', citizen, { active: false, reason: 'x' })).statusCode).toBe(403);
    const operator = await t.login('venue_operator', nghean.commune);
    expect((await send('PUT', '/api/declarations/rules/x_rule', operator, { name: { vi: 'x', en: 'x' }, condition: { q: 'fever', truthy: true }, severity: 'low' })).statusCode).toBe(403);
    const nul = await send('POST', '/api/declarations/rules/contact_f0/switch', cdcNghean, { active: false, reason: 'lý do\u0000' });
    expect(nul.statusCode).toBe(400);
    expect(nul.json().error.details[0].path).toMatch(/reason/);
    expect((await send('POST', '/api/declarations/rules/contact_f0/switch', cdcNghean, { unit: '4\u00000', active: false, reason: 'x' })).statusCode).toBe(400);
  });
});
