import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alterChar, testContext, type LoggedIn, type TestContext } from '../../../test/helpers';
import { DECLARATIONS_PURGE_JOB, HEALTHY_DOMESTIC_ANSWERS, STANDARD_FORMS } from './index';

let t: TestContext;
let now = new Date('2021-08-01T03:00:00Z'); // 10:00 in Vietnam
let c: { a: string; b: string; districtA: string; otherDistrict: string; d: string };
let officerA: LoggedIn; // commune officer of commune a
let officerB: LoggedIn; // commune officer of commune b (same district)
let district: LoggedIn; // district officer of a's district
let hanoi: LoggedIn; // officer of another province
let cdc: LoggedIn; // Nghệ An CDC
let admin: LoggedIn; // national admin

const get = (url: string, who?: LoggedIn) => t.app.inject({ method: 'GET', url, headers: who?.headers ?? {} });
const send = (method: 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, who: LoggedIn | null, payload?: unknown) =>
  t.app.inject({ method, url, headers: who?.headers ?? {}, ...(payload !== undefined && { payload: payload as object }) });

const healthy = HEALTHY_DOMESTIC_ANSWERS;

let seq = 0;
const phone = () => `09${String(20_000_000 + ++seq * 7919).slice(-8)}`;
const person = (communeCode = c.a, extra: Record<string, unknown> = {}) => ({ fullName: `Nguyễn Văn Khai ${++seq}`, phone: phone(), birthYear: 1980, communeCode, ...extra });

async function publicDeclare(answers: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  const res = await send('POST', '/api/public/declarations', null, { formKey: 'domestic', formVersion: 1, person: person(), answers, ...extra });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().declaration as { id: string; followUp: boolean };
}

async function worklistIds(who: LoggedIn, query = '') {
  const res = await get(`/api/declarations/worklist?limit=200${query}`, who);
  expect(res.statusCode, res.body).toBe(200);
  return (res.json().items as { id: string }[]).map((i) => i.id);
}

async function citizenWithPerson(communeCode = c.a) {
  const who = await t.login('citizen', '40');
  const res = await send('PUT', '/api/me/person', who, person(communeCode));
  expect(res.statusCode, res.body).toBe(200);
  return { who, personId: res.json().person.id as string };
}

beforeAll(async () => {
  t = await testContext({ clock: () => now });
  const communes = await t.db
    .selectFrom('admin_units')
    .select(['code', 'parent_code'])
    .where('level', '=', 'commune')
    .where('path', 'like', '/VN/40/%')
    .orderBy('code')
    .execute();
  const first = communes[0]!;
  const sameDistrict = communes.find((x) => x.parent_code === first.parent_code && x.code !== first.code)!;
  const other = communes.find((x) => x.parent_code !== first.parent_code)!;
  c = { a: first.code, b: sameDistrict.code, districtA: first.parent_code!, otherDistrict: other.parent_code!, d: other.code };
  officerA = await t.login('commune_officer', c.a);
  officerB = await t.login('commune_officer', c.b);
  district = await t.login('district_officer', c.districtA);
  hanoi = await t.login('cdc_officer', '01');
  cdc = await t.login('cdc_officer', '40');
  admin = await t.login('national_admin');
});
afterAll(async () => {
  await t?.close();
});

describe('forms', () => {
  it('serves the three standard forms publicly, with Vietnamese questions', async () => {
    const list = await get('/api/public/declaration-forms');
    expect(list.statusCode).toBe(200);
    expect(list.json().items.map((f: { key: string }) => f.key)).toEqual(['domestic', 'entry', 'venue']);
    const form = await get('/api/public/declaration-forms/domestic');
    expect(form.statusCode).toBe(200);
    const labels = form.json().form.questions.map((q: { label: { vi: string } }) => q.label.vi);
    expect(labels).toEqual(expect.arrayContaining(['Sốt', 'Ho', 'Khó thở', 'Đau họng', 'Mất vị giác hoặc khứu giác']));
    expect(form.json().form.questions.find((q: { key: string }) => q.key === 'travel_places').visibleIf).toEqual({ q: 'travel_14d', truthy: true });
    expect((await get('/api/public/declaration-forms/nope')).statusCode).toBe(404);
  });

  it('editing a form creates a new version; answers keep theirs; old versions stay valid', async () => {
    const def = { ...STANDARD_FORMS.venue, questions: [...STANDARD_FORMS.venue.questions, { key: 'companions', type: 'number', integer: true, min: 0, max: 20, label: { vi: 'Số người đi cùng', en: 'Companions' } }] };
    expect((await send('PUT', '/api/declarations/forms/venue', officerA, def)).statusCode).toBe(403);
    // a national form: national admins change it, a provincial CDC may not
    expect((await send('PUT', '/api/declarations/forms/venue', cdc, def)).statusCode).toBe(403);
    const res = await send('PUT', '/api/declarations/forms/venue', admin, def);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ created: true, form: { key: 'venue', version: 2, currentVersion: 2, owner: null } });
    // same content again: no new version
    expect((await send('PUT', '/api/declarations/forms/venue', admin, def)).json()).toMatchObject({ created: false, form: { version: 2 } });
    const versions = await get('/api/declarations/forms/venue/versions', cdc);
    expect(versions.json().items.map((v: { version: number }) => v.version)).toEqual([2, 1]);

    const answers = { visit_purpose: 'work', fever: false, cough: false, shortness_of_breath: false, sore_throat: false, loss_of_taste_smell: false, contact_f0: false, contact_from_outbreak: false, travel_14d: false };
    const v1 = await send('POST', '/api/public/declarations', null, { formKey: 'venue', formVersion: 1, person: person(), answers });
    expect(v1.statusCode, v1.body).toBe(201);
    expect(v1.json().declaration.formVersion).toBe(1);
    const v2 = await send('POST', '/api/public/declarations', null, { formKey: 'venue', formVersion: 2, person: person(), answers: { ...answers, companions: 2 } });
    expect(v2.statusCode, v2.body).toBe(201);
    // the new question does not exist in version 1
    const bad = await send('POST', '/api/public/declarations', null, { formKey: 'venue', formVersion: 1, person: person(), answers: { ...answers, companions: 2 } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details).toEqual([{ path: 'body.answers.companions', message: 'is not a question of this form' }]);
    const missing = await send('POST', '/api/public/declarations', null, { formKey: 'venue', formVersion: 9, person: person(), answers });
    expect(missing.json().error.details[0].path).toBe('body.formVersion');
    // a day after the edit, the old version is no longer accepted (it would skip the new questions)
    const saved = now;
    now = new Date(now.getTime() + 25 * 3600_000);
    try {
      const late = await send('POST', '/api/public/declarations', null, { formKey: 'venue', formVersion: 1, person: person(), answers });
      expect(late.statusCode).toBe(400);
      expect(late.json().error.details).toEqual([{ path: 'body.formVersion', message: expect.stringContaining('reload the form') }]);
      expect((await send('POST', '/api/public/declarations', null, { formKey: 'venue', formVersion: 2, person: person(), answers })).statusCode).toBe(201);
    } finally {
      now = saved;
    }
  });

  it('rejects an invalid form definition naming the field', async () => {
    const res = await send('PUT', '/api/declarations/forms/custom', cdc, {
      kind: 'domestic',
      title: { vi: 'Mẫu riêng', en: 'Custom' },
      questions: [{ key: 'a', type: 'single', label: { vi: 'A', en: 'A' } }],
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details[0].path).toBe('body.questions.0.options');
  });
});

describe('declaring', () => {
  it('answer validation errors name the field', async () => {
    const { fever: _omit, ...noFever } = healthy;
    const res = await send('POST', '/api/public/declarations', null, {
      formKey: 'domestic',
      formVersion: 1,
      person: person(),
      answers: { ...noFever, cough: 'có', temperature: 50, vaccinated: 'three' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details).toEqual([
      { path: 'body.answers.fever', message: 'is required' },
      { path: 'body.answers.cough', message: 'must be true or false' },
      { path: 'body.answers.temperature', message: 'must be at most 43' },
      { path: 'body.answers.vaccinated', message: 'must be one of: none, one_dose, two_doses' },
    ]);
    // travelling: the places become required
    const travel = await send('POST', '/api/public/declarations', null, { formKey: 'domestic', formVersion: 1, person: person(), answers: { ...healthy, travel_14d: true } });
    expect(travel.json().error.details).toEqual([{ path: 'body.answers.travel_places', message: 'is required' }]);
  });

  it('reports person and answer problems together and creates nobody', async () => {
    const before = await t.db.selectFrom('persons').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    const res = await send('POST', '/api/public/declarations', null, {
      formKey: 'domestic',
      formVersion: 1,
      person: { ...person(), phone: '12345' },
      answers: { ...healthy, fever: 'yes' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details.map((d: { path: string }) => d.path)).toEqual(['body.person.phone', 'body.answers.fever']);
    const after = await t.db.selectFrom('persons').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
  });

  it('a declaration with risky answers is flagged into the right unit\'s work list', async () => {
    const ok = await publicDeclare(healthy);
    expect(ok.followUp).toBe(false);
    const risky = await publicDeclare({ ...healthy, fever: true, cough: true });
    expect(risky.followUp).toBe(true);

    const listA = await worklistIds(officerA);
    expect(listA).toContain(risky.id);
    expect(listA).not.toContain(ok.id);
    expect(await worklistIds(officerB)).not.toContain(risky.id); // another commune
    expect(await worklistIds(district)).toContain(risky.id); // the district above
    expect(await worklistIds(hanoi)).not.toContain(risky.id); // another province

    const item = (await get('/api/declarations/worklist?limit=200', officerA)).json().items.find((i: { id: string }) => i.id === risky.id);
    expect(item).toMatchObject({ status: 'open', severity: 'medium', responsibleUnit: { code: c.a }, flagged: true });
    expect(item.hits.map((h: { key: string }) => h.key)).toEqual(['fever_and_cough', 'respiratory_symptoms']);
    expect(item.subject.phoneMasked).toMatch(/^•+\d{3}$/);
  });

  it('travel in a red zone is flagged high; the zone list is configurable', async () => {
    const hcmWard = '79';
    const res = await publicDeclare({ ...healthy, travel_14d: true, travel_places: [hcmWard] });
    expect(res.followUp).toBe(true);
    const notRed = await publicDeclare({ ...healthy, travel_14d: true, travel_places: [c.d] });
    expect(notRed.followUp).toBe(false);
    // Nghệ An's district d becomes a red zone
    const z = await send('PUT', '/api/declarations/zones/red_zones', admin, { name: { vi: 'Vùng đỏ', en: 'Red zones' }, codes: ['79', c.otherDistrict] });
    expect(z.statusCode, z.body).toBe(200);
    expect((await publicDeclare({ ...healthy, travel_14d: true, travel_places: [c.d] })).followUp).toBe(true);
    const bad = await send('PUT', '/api/declarations/zones/red_zones', admin, { name: { vi: 'x', en: 'x' }, codes: ['79', 'nowhere'] });
    expect(bad.json().error.details).toEqual([{ path: 'body.codes.1', message: '"nowhere" is neither an administrative unit nor a country code' }]);
  });

  it('a flagged declaration at a venue: the home commune follows it up, the venue\'s unit sees it too; an entry one goes to the quarantine commune', async () => {
    const created = await send('POST', '/api/venues', cdc, { name: 'Trạm Y tế B', type: 'clinic', address: '2 Lê Lợi', communeCode: c.b });
    expect(created.statusCode, created.body).toBe(201);
    const venueQr = created.json().entrances[0].checkinUrl as string;
    const r = await send('POST', '/api/public/declarations', null, {
      formKey: 'domestic',
      formVersion: 1,
      person: person(c.a),
      answers: { ...healthy, contact_f0: true },
      venueToken: venueQr,
    });
    expect(r.statusCode, r.body).toBe(201);
    const id = r.json().declaration.id;
    // on both lists: the home commune (A) acts on it, the venue's commune (B) sees it read-only
    expect(await worklistIds(officerA)).toContain(id);
    expect(await worklistIds(officerB)).toContain(id);
    expect(await worklistIds(officerA, '&view=venue')).not.toContain(id);
    expect(await worklistIds(officerB, '&view=venue')).toContain(id);
    expect(await worklistIds(officerB, '&view=follow_up')).not.toContain(id);
    const itemOf = async (who: LoggedIn) => (await get('/api/declarations/worklist?limit=200', who)).json().items.find((i: { id: string }) => i.id === id);
    const atVenue = await itemOf(officerB);
    expect(atVenue).toMatchObject({ mayAct: false, responsibleUnit: { code: c.a }, venue: { id: created.json().venue.id, name: 'Trạm Y tế B', unit: { code: c.b } } });
    expect(await itemOf(officerA)).toMatchObject({ mayAct: true, venue: { name: 'Trạm Y tế B' } });
    // the detail names the venue, not its id, and offers actions only to the unit that acts
    const detailB = (await get(`/api/declarations/${id}`, officerB)).json().declaration;
    expect(detailB).toMatchObject({ venue: { name: 'Trạm Y tế B' }, mayAct: false, allowedActions: [] });
    expect(detailB.contact.phone).toBeNull(); // the venue's unit does not call: masked number only
    expect(detailB.subject.phoneMasked).toMatch(/^•+\d{3}$/);
    const detailA = (await get(`/api/declarations/${id}`, officerA)).json().declaration;
    expect(detailA).toMatchObject({ mayAct: true, allowedActions: ['called', 'referred', 'cleared'] });
    expect(detailA.contact.phone).toMatch(/^\+849/);
    const foreign = await send('POST', `/api/declarations/${id}/actions`, officerB, { action: 'cleared', note: 'không phải việc của tôi' });
    expect(foreign.statusCode).toBe(403);
    expect(await worklistIds(officerA)).toContain(id);
    const own = await send('POST', `/api/declarations/${id}/actions`, officerA, { action: 'called', note: 'đã gọi' });
    expect(own.statusCode, own.body).toBe(200);
    // the venue's unit sees the follow-up progress
    expect(await itemOf(officerB)).toMatchObject({ status: 'called', lastAction: { action: 'called' } });
    // another province sees neither
    expect(await worklistIds(hanoi)).not.toContain(id);
    expect((await get(`/api/declarations/${id}`, hanoi)).statusCode).toBe(403);
    // reading the work list is audited like any personal-data read
    const reads = await t.db.selectFrom('audit_log').selectAll().where('action', '=', 'declarations.worklist.read').execute();
    expect(reads.length).toBeGreaterThanOrEqual(2);
    // the venue comes only from a genuine QR: ids or units chosen by the sender are refused, and so is a forged QR
    const chosen = await send('POST', '/api/public/declarations', null, { formKey: 'domestic', formVersion: 1, person: person(c.a), answers: healthy, venueId: created.json().venue.id, venueUnitCode: c.d });
    expect(chosen.statusCode).toBe(400);
    const token = venueQr.split('/c/')[1]!;
    const forged = await send('POST', '/api/public/declarations', null, { formKey: 'domestic', formVersion: 1, person: person(c.a), answers: healthy, venueToken: alterChar(token, token.length - 10) });
    expect(forged.statusCode).toBe(400);
    expect(forged.json().error.details).toEqual([{ path: 'body.venueToken', message: expect.stringMatching(/altered or forged/) }]);

    const entry = await send('POST', '/api/public/declarations', null, {
      formKey: 'entry',
      formVersion: 1,
      person: person(c.a),
      answers: {
        passport_number: 'C1234567',
        nationality: 'VN',
        transport: 'air',
        flight_number: 'VN 50',
        seat_number: '12A',
        arrival_date: '2021-07-31',
        border_gate: 'noi_bai',
        origin_country: 'IN',
        quarantine_type: 'home',
        quarantine_address: 'Số 1 đường Lê Mao',
        quarantine_commune: c.d,
        fever: false,
        cough: false,
        shortness_of_breath: false,
        sore_throat: false,
        loss_of_taste_smell: false,
        negative_test: true,
      },
    });
    expect(entry.statusCode, entry.body).toBe(201);
    expect(entry.json().declaration.followUp).toBe(true); // from a high-risk country
    const officerD = await t.login('commune_officer', c.d);
    expect(await worklistIds(officerD)).toContain(entry.json().declaration.id);
  });
});

describe('follow-up', () => {
  it('actions change the status, keep history and are audited; other provinces are refused', async () => {
    const d = await publicDeclare({ ...healthy, shortness_of_breath: true });
    expect((await send('POST', `/api/declarations/${d.id}/actions`, hanoi, { action: 'called', note: 'x' })).statusCode).toBe(403);
    expect((await send('POST', `/api/declarations/${d.id}/actions`, officerB, { action: 'called', note: 'x' })).statusCode).toBe(403);

    const called = await send('POST', `/api/declarations/${d.id}/actions`, officerA, { action: 'called', note: 'Không nghe máy, gọi lại sau' });
    expect(called.statusCode, called.body).toBe(200);
    expect(called.json().declaration.status).toBe('called');
    await send('POST', `/api/declarations/${d.id}/actions`, officerA, { action: 'called', note: 'Đã gọi được, sốt 38 độ' });
    const referred = await send('POST', `/api/declarations/${d.id}/actions`, officerA, { action: 'referred', note: 'Hẹn xét nghiệm PCR tại trạm y tế 14h' });
    expect(referred.json().declaration.status).toBe('referred');
    // not allowed: reopening an open declaration
    const bad = await send('POST', `/api/declarations/${d.id}/actions`, officerA, { action: 'reopened', note: 'x' });
    expect(bad.statusCode).toBe(409);
    const cleared = await send('POST', `/api/declarations/${d.id}/actions`, officerA, { action: 'cleared', note: 'Kết quả âm tính' });
    const body = cleared.json().declaration;
    expect(body.status).toBe('cleared');
    expect(body.allowedActions).toEqual(['reopened']);
    expect(body.actions.map((a: { action: string; from: string; to: string }) => `${a.from}>${a.action}>${a.to}`)).toEqual([
      'open>called>called',
      'called>called>called',
      'called>referred>referred',
      'referred>cleared>cleared',
    ]);
    expect(body.actions[0].by).toBe(officerA.username);
    expect(await worklistIds(officerA)).not.toContain(d.id); // default list: active only
    expect(await worklistIds(officerA, '&status=cleared')).toContain(d.id);

    const audit = await t.db.selectFrom('audit_log').selectAll().where('action', '=', 'declaration.action').where('subject_id', '=', d.id).execute();
    expect(audit).toHaveLength(4);
    expect(JSON.stringify(audit.map((a) => a.details))).not.toContain('PCR');
    // a note is required; an unflagged declaration has nothing to follow up
    expect((await send('POST', `/api/declarations/${d.id}/actions`, officerA, { action: 'reopened', note: '' })).statusCode).toBe(400);
    const fine = await publicDeclare(healthy);
    expect((await send('POST', `/api/declarations/${fine.id}/actions`, officerA, { action: 'called', note: 'x' })).statusCode).toBe(409);
  });

  it('detail shows the answers and full phone, and audits the read', async () => {
    const d = await publicDeclare({ ...healthy, fever: true, cough: true, temperature: 38.4 });
    const res = await get(`/api/declarations/${d.id}?reason=${encodeURIComponent('Gọi điện theo dõi')}`, officerA);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json().declaration;
    expect(body.answers).toMatchObject({ fever: true, cough: true, temperature: 38.4 });
    expect(body.contact.phone).toMatch(/^\+849/);
    expect(body.questions.length).toBeGreaterThan(10);
    const rows = await t.db.selectFrom('audit_log').selectAll().where('action', '=', 'declaration.read').where('subject_id', '=', d.id).execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.reason).toBe('Gọi điện theo dõi');
    expect((await get(`/api/declarations/${d.id}`, hanoi)).statusCode).toBe(403);
  });

  it('dashboard counts declarations, flagged and open by day and unit', async () => {
    const res = await get('/api/declarations/dashboard', district);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.to).toBe('2021-08-01');
    expect(body.byDay).toHaveLength(14);
    expect(body.root.code).toBe(c.districtA);
    const today = body.byDay.find((d: { day: string }) => d.day === '2021-08-01');
    expect(today.declarations).toBeGreaterThan(today.flagged);
    expect(today.flagged).toBeGreaterThan(today.open);
    expect(body.totals).toMatchObject({ declarations: today.declarations, flagged: today.flagged, open: today.open });
    const unitA = body.byUnit.find((u: { unit: { code: string } }) => u.unit.code === c.a);
    expect(unitA.flagged).toBeGreaterThan(0);
    expect(unitA.cleared).toBe(1);
    // the province CDC sees districts
    const province = (await get('/api/declarations/dashboard', cdc)).json();
    expect(province.byUnit.map((u: { unit: { level: string } }) => u.unit.level)).toEqual(expect.arrayContaining(['district']));
    expect(province.totals.declarations).toBeGreaterThanOrEqual(body.totals.declarations);
    // Hà Nội sees nothing of Nghệ An
    expect((await get('/api/declarations/dashboard', hanoi)).json().totals.declarations).toBe(0);
    expect((await get(`/api/declarations/dashboard?unit=${c.a}`, hanoi)).statusCode).toBe(403);
  });
});

describe('citizens and dependants', () => {
  it('a citizen declares for themselves and a dependant; a non-manager is refused', async () => {
    const parent = await citizenWithPerson();
    const dep = await send('POST', '/api/me/dependants', parent.who, { relationship: 'child', person: { fullName: 'Con Nhỏ', birthYear: 2015, communeCode: c.a } });
    expect(dep.statusCode, dep.body).toBe(201);
    const childId = dep.json().items[0].id as string;

    const own = await send('POST', '/api/me/declarations', parent.who, { formKey: 'domestic', formVersion: 1, answers: healthy });
    expect(own.statusCode, own.body).toBe(201);
    const forChild = await send('POST', '/api/me/declarations', parent.who, { formKey: 'domestic', formVersion: 1, subjectPersonId: childId, answers: { ...healthy, fever: true, cough: true } });
    expect(forChild.statusCode, forChild.body).toBe(201);
    expect(forChild.json().declaration.followUp).toBe(true);

    const stranger = await citizenWithPerson();
    const refused = await send('POST', '/api/me/declarations', stranger.who, { formKey: 'domestic', formVersion: 1, subjectPersonId: childId, answers: healthy });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.code).toBe('FORBIDDEN');

    const mine = await get('/api/me/declarations', parent.who);
    expect(mine.statusCode).toBe(200);
    expect(mine.json().items.map((d: { id: string }) => d.id).sort()).toEqual([own.json().declaration.id, forChild.json().declaration.id].sort());
    const childOnly = await get(`/api/me/declarations?personId=${childId}`, parent.who);
    expect(childOnly.json().items).toHaveLength(1);
    expect(childOnly.json().items[0]).toMatchObject({ subject: { id: childId, fullName: 'Con Nhỏ' }, followUp: true, status: 'open' });
    const detail = await get(`/api/me/declarations/${forChild.json().declaration.id}`, parent.who);
    expect(detail.statusCode).toBe(200);
    expect(detail.json().declaration.answers.fever).toBe(true);
    // someone else's declaration looks like a missing one
    expect((await get(`/api/me/declarations/${forChild.json().declaration.id}`, stranger.who)).statusCode).toBe(404);
    expect((await get(`/api/me/declarations?personId=${childId}`, stranger.who)).statusCode).toBe(403);
    // the flagged child declaration is on the commune's list, marked as filed by someone else
    const item = (await get('/api/declarations/worklist?limit=200', officerA)).json().items.find((i: { id: string }) => i.id === forChild.json().declaration.id);
    expect(item).toMatchObject({ forDependant: true, channel: 'citizen' });
  });

  it('a citizen without a registered person is asked to register first', async () => {
    const who = await t.login('citizen', '40');
    const res = await send('POST', '/api/me/declarations', who, { formKey: 'domestic', formVersion: 1, answers: healthy });
    expect(res.statusCode).toBe(409);
    expect((await get('/api/me/declarations', who)).json()).toEqual({ items: [], total: 0 });
  });
});

describe('rules', () => {
  it('rules are configurable data; a bad condition is named', async () => {
    const bad = await send('PUT', '/api/declarations/rules/diarrhea', cdc, { name: { vi: 'Tiêu chảy', en: 'Diarrhoea' }, condition: { q: 'diarrhea', truthy: 'yes' }, severity: 'low' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details[0].path).toBe('body.condition.truthy');
    const unknown = await send('PUT', '/api/declarations/rules/diarrhea', cdc, { name: { vi: 'x', en: 'x' }, condition: { q: 'no_such_question', truthy: true }, severity: 'low' });
    expect(unknown.json().error.details[0].message).toMatch(/no_such_question/);
    const ok = await send('PUT', '/api/declarations/rules/diarrhea', cdc, { name: { vi: 'Tiêu chảy', en: 'Diarrhoea' }, formKinds: ['domestic'], condition: { q: 'diarrhea', truthy: true }, severity: 'low' });
    expect(ok.statusCode, ok.body).toBe(200);
    expect((await publicDeclare({ ...healthy, diarrhea: true })).followUp).toBe(true);
    await send('PUT', '/api/declarations/rules/diarrhea', cdc, { name: { vi: 'Tiêu chảy', en: 'Diarrhoea' }, formKinds: ['domestic'], condition: { q: 'diarrhea', truthy: true }, severity: 'low', active: false });
    expect((await publicDeclare({ ...healthy, diarrhea: true })).followUp).toBe(false);
    expect((await get('/api/declarations/rules', officerA)).json().items.length).toBeGreaterThan(10);
    expect((await send('PUT', '/api/declarations/rules/x', officerA, { name: { vi: 'x', en: 'x' }, condition: { q: 'fever', truthy: true }, severity: 'low' })).statusCode).toBe(403);
  });
});

describe('declaring without an account against typed-in records', () => {
  const subjectOf = async (id: string) => (await t.db.selectFrom('declarations').select('subject_person_id').where('id', '=', id).executeTakeFirstOrThrow()).subject_person_id;
  it("never lands on a record a citizen typed in (a neighbour typed as a dependant would read the declaration), only on the registry's", async () => {
    const attacker = await citizenWithPerson();
    const victim = { fullName: 'Trịnh Thị Hàng Xóm', phone: phone(), birthYear: 1975, communeCode: c.a };
    const dep = await send('POST', '/api/me/dependants', attacker.who, { relationship: 'other', person: victim });
    expect(dep.statusCode, dep.body).toBe(201);
    const depId = dep.json().items[0].id as string;
    const res = await send('POST', '/api/public/declarations', null, { formKey: 'domestic', formVersion: 1, person: victim, answers: { ...healthy, fever: true } });
    expect(res.statusCode, res.body).toBe(201);
    const id = res.json().declaration.id as string;
    expect(await subjectOf(id)).not.toBe(depId);
    const seen = await get(`/api/me/declarations?personId=${depId}`, attacker.who);
    expect(seen.json().items ?? []).toEqual([]);
    // a registry record with the same phone, name and birth year is matched as before
    const registry = { fullName: 'Lương Văn Sổ Bộ', phone: phone(), birthYear: 1981, communeCode: c.a };
    const reg = await send('POST', '/api/people', officerA, registry);
    expect(reg.statusCode, reg.body).toBe(201);
    const again = await send('POST', '/api/public/declarations', null, { formKey: 'domestic', formVersion: 1, person: registry, answers: healthy });
    expect(again.statusCode, again.body).toBe(201);
    expect(await subjectOf(again.json().declaration.id)).toBe(reg.json().person.id);
  });
});

describe('merging people', () => {
  it('declarations follow the record that stays', async () => {
    const p = person();
    const d1 = await send('POST', '/api/public/declarations', null, { formKey: 'domestic', formVersion: 1, person: p, answers: healthy });
    const d2 = await send('POST', '/api/public/declarations', null, { formKey: 'domestic', formVersion: 1, person: { ...p, birthYear: 1981, fullName: p.fullName }, answers: healthy });
    const ids = await t.db.selectFrom('declarations').select(['id', 'subject_person_id']).where('id', 'in', [d1.json().declaration.id, d2.json().declaration.id]).execute();
    const [keep, drop] = ids.map((r) => r.subject_person_id);
    expect(keep).not.toBe(drop);
    const res = await send('POST', `/api/people/${keep}/merge`, cdc, { mergeId: drop, reason: 'Sai năm sinh' });
    expect(res.statusCode, res.body).toBe(200);
    await t.events.settled(); // declarations re-point in their person.merged subscriber
    const after = await t.db.selectFrom('declarations').select('subject_person_id').where('id', 'in', [d1.json().declaration.id, d2.json().declaration.id]).execute();
    expect(after.every((r) => r.subject_person_id === keep)).toBe(true);
  });
});

describe('public rate limit', () => {
  it('limits anonymous declarations per client', async () => {
    let limited = 0;
    for (let i = 0; i < 40; i++) {
      const r = await t.app.inject({ method: 'POST', url: '/api/public/declarations', remoteAddress: '203.0.113.9', payload: { formKey: 'domestic', formVersion: 1 } });
      if (r.statusCode === 429) limited++;
    }
    expect(limited).toBeGreaterThan(0);
  });
});

describe('retention', () => {
  it('purges declarations older than the retention with a pinned clock', async () => {
    now = new Date('2021-08-01T03:00:00Z');
    const d = await publicDeclare({ ...healthy, fever: true, cough: true });
    await send('POST', `/api/declarations/${d.id}/actions`, officerA, { action: 'called', note: 'ok' });
    const days = t.config.declarationRetentionDays;
    now = new Date(Date.parse('2021-08-01T03:00:00Z') + (days - 1) * 86400_000);
    await t.app.vigil.jobs.runNow(DECLARATIONS_PURGE_JOB);
    expect(await t.db.selectFrom('declarations').select('id').where('id', '=', d.id).executeTakeFirst()).toBeDefined();
    now = new Date(Date.parse('2021-08-01T03:00:00Z') + (days + 1) * 86400_000);
    const r = (await t.app.vigil.jobs.runNow(DECLARATIONS_PURGE_JOB)) as { deleted: number };
    expect(r.deleted).toBeGreaterThan(0);
    expect(await t.db.selectFrom('declarations').select('id').where('id', '=', d.id).executeTakeFirst()).toBeUndefined();
    expect(await t.db.selectFrom('declaration_actions').select('id').where('declaration_id', '=', d.id).execute()).toEqual([]);
    // forms and rules are configuration, untouched
    expect((await t.db.selectFrom('declaration_forms').select('key').execute()).length).toBeGreaterThanOrEqual(3);
  });
});
