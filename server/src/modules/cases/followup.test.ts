// Follow-up, a contact becoming a case, exposure notices, the graph and clusters, places and cameras, over HTTP.
import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testContext, type LoggedIn, type TestContext } from '../../../test/helpers';
import { scenario, type Scenario } from './test-fixtures';
import { PROBE_CAMERAS_JOB, CLOSE_ORDERS_JOB } from './index';

let t: TestContext;
let s: Scenario;
let now = new Date('2021-08-11T05:00:00Z'); // 12:00 in Vietnam
let cdc: LoggedIn;
let communeA: LoggedIn;
let communeB: LoggedIn;
let tracer: LoggedIn;
const P: Record<string, string> = {};
let V1: string;
let V2: string;
let case1: { id: string; code: string };
let contactA: string;

const get = (url: string, who?: LoggedIn | null) => t.app.inject({ method: 'GET', url, headers: who?.headers ?? {} });
const send = (method: 'POST' | 'PATCH', url: string, who: LoggedIn | null, payload?: unknown) =>
  t.app.inject({ method, url, headers: who?.headers ?? {}, ...(payload !== undefined && { payload: payload as object }) });

async function confirm(personId: string, confirmedAt: string) {
  const res = await send('POST', '/api/cases', cdc, { personId, confirmedAt, source: 'community' });
  expect(res.statusCode, res.body).toBe(201);
  await t.events.settled();
  return res.json().case as { id: string; code: string };
}

beforeAll(async () => {
  t = await testContext({ clock: () => now, config: { sessionTtlHours: 24 * 30, cameraAllowNets: '127.0.0.0/8' } });
  s = await scenario(t.db);
  P.F0 = await s.person('Ca Một');
  P.A = await s.person('Tiếp Xúc A');
  P.B = await s.person('Tiếp Xúc B', { commune: s.otherCommune });
  P.C = await s.person('Tiếp Xúc C');
  V1 = await s.venue('CHO', 60);
  V2 = await s.venue('SIEUTHI', 60);
  await s.stay(P.F0!, V1, '2021-08-10T02:00:00Z', '2021-08-10T03:00:00Z');
  await s.stay(P.A!, V1, '2021-08-10T02:30:00Z', '2021-08-10T03:30:00Z');
  await s.stay(P.B!, V1, '2021-08-10T02:45:00Z', '2021-08-10T03:15:00Z');
  await s.stay(P.A!, V2, '2021-08-11T01:00:00Z', '2021-08-11T02:00:00Z');
  await s.stay(P.C!, V2, '2021-08-11T01:30:00Z', '2021-08-11T02:00:00Z');
  cdc = await t.login('cdc_officer', '40');
  communeA = await t.login('commune_officer', s.commune);
  communeB = await t.login('commune_officer', s.otherCommune);
  tracer = await t.login('contact_tracer', '40');
  case1 = await confirm(P.F0!, '2021-08-11T03:00:00Z');
  contactA = (await get(`/api/contacts?caseId=${case1.id}&level=1`, communeA)).json().items[0].id;
});
afterAll(async () => {
  await t?.close();
});

describe("tracers' lists", () => {
  it('an officer assigns people to a tracer of their area; the tracer sees their own list for today', async () => {
    const tracerA = await t.login('contact_tracer', s.commune);
    const tracerB = await t.login('contact_tracer', s.otherCommune);
    const assign = (who: LoggedIn | null, body: unknown) => send('POST', '/api/followups/assignments', who, body);
    const mine = async (who: LoggedIn) => ((await get('/api/followups/due?mine=true', who)).json().items as { personId: string }[]).map((x) => x.personId).sort();
    expect(await mine(tracerA)).toEqual([]);
    const ok = await assign(communeA, { tracerUserId: tracerA.id, personIds: [P.A, P.C] });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toEqual({ assigned: 2 });
    expect(await mine(tracerA)).toEqual([P.A, P.C].sort());
    expect(await mine(tracer)).toEqual([]); // the province's tracer has nobody assigned
    expect(await mine(tracerB)).toEqual([]);
    // the area's list shows who follows whom
    const area = (await get('/api/followups/due', communeA)).json().items as { personId: string; tracer: string | null }[];
    expect(area.find((x) => x.personId === P.A)!.tracer).toEqual(expect.any(String));
    const audit = await t.db.selectFrom('audit_log').select(['action', 'subject_id']).where('action', '=', 'followups.assign').execute();
    expect(audit).toEqual([{ action: 'followups.assign', subject_id: tracerA.id }]);
    // refusals: nothing changes
    const refusals: [string, LoggedIn | null, unknown, number, string?][] = [
      ['no session', null, { tracerUserId: tracerA.id, personIds: [P.B] }, 401],
      ['citizen', await t.login('citizen', '40'), { tracerUserId: tracerA.id, personIds: [P.A] }, 403],
      ['venue operator', await t.login('venue_operator', '40'), { tracerUserId: tracerA.id, personIds: [P.A] }, 403],
      ['a tracer cannot assign', tracerA, { tracerUserId: tracerA.id, personIds: [P.B] }, 403],
      ['officer of another province', await t.login('cdc_officer', '01'), { tracerUserId: tracerA.id, personIds: [P.A] }, 400, 'body.personIds.0'],
      ["a person outside the officer's commune", communeA, { tracerUserId: tracerA.id, personIds: [P.A, P.B] }, 400, 'body.personIds.1'],
      ["a person outside the tracer's commune", cdc, { tracerUserId: tracerA.id, personIds: [P.B] }, 400, 'body.personIds.0'],
      ['not a tracer', cdc, { tracerUserId: communeA.id, personIds: [P.A] }, 400, 'body.tracerUserId'],
      ['unknown user', cdc, { tracerUserId: '999999999', personIds: [P.A] }, 400, 'body.tracerUserId'],
      ['not under follow-up', cdc, { tracerUserId: tracerA.id, personIds: [P.F0] }, 400, 'body.personIds.0'],
      ['empty list', cdc, { tracerUserId: tracerA.id, personIds: [] }, 400],
      ['a huge list', cdc, { tracerUserId: tracerA.id, personIds: Array.from({ length: 501 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`) }, 400],
      ['NUL in the id', cdc, { tracerUserId: '1\u00002', personIds: [P.A] }, 400],
    ];
    for (const [why, who, body, code, path] of refusals) {
      const r = await assign(who, body);
      expect(r.statusCode, why).toBe(code);
      if (path) expect(r.json().error.details[0].path, why).toBe(path);
    }
    expect(await mine(tracerA)).toEqual([P.A, P.C].sort());
    expect(await mine(tracerB)).toEqual([]);
    // reassigning moves the person; null takes them off every list
    expect((await assign(cdc, { tracerUserId: tracer.id, personIds: [P.C] })).statusCode).toBe(200);
    expect(await mine(tracerA)).toEqual([P.A]);
    expect(await mine(tracer)).toEqual([P.C]);
    expect((await assign(communeA, { tracerUserId: null, personIds: [P.C] })).statusCode).toBe(200);
    expect(await mine(tracer)).toEqual([]);
  });
});

describe('daily follow-up', () => {
  it('a fever of 38.5 °C flags the person and opens a test referral; the grid and the non-reporting list follow', async () => {
    const due0 = (await get('/api/followups/due', communeA)).json().items.map((x: { personId: string }) => x.personId);
    expect(due0).toContain(P.A);
    const res = await send('POST', '/api/followups', tracer, { personId: P.A, day: '2021-08-11', symptoms: false, temperature: 38.5, channel: 'tracer' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ fever: true, unwell: true, taskCreated: true });
    const due1 = (await get('/api/followups/due', communeA)).json().items.map((x: { personId: string }) => x.personId);
    expect(due1).not.toContain(P.A);
    const grid = (await get('/api/followups/grid?from=2021-08-09&to=2021-08-11', communeA)).json();
    expect(grid.days).toEqual(['2021-08-09', '2021-08-10', '2021-08-11']);
    const rowA = grid.items.find((x: { personId: string }) => x.personId === P.A);
    expect(rowA.cells.map((c: { state: string }) => c.state)).toEqual(['out', 'missing', 'fever']);
    expect(rowA.flagged).toBe(true);
    const tasks = (await get('/api/case-tasks', communeA)).json().items;
    expect(tasks).toEqual([expect.objectContaining({ personId: P.A, reason: 'temperature 38.5 °C', status: 'open' })]);
    // the same day again: one row, one task
    await send('POST', '/api/followups', tracer, { personId: P.A, day: '2021-08-11', symptoms: true, temperature: 38.9, symptomList: ['cough'], channel: 'robot_call' });
    expect((await get('/api/case-tasks', communeA)).json().items).toHaveLength(1);
    const series = (await get(`/api/followups/person/${P.A}`, communeA)).json();
    expect(series.items).toEqual([expect.objectContaining({ day: '2021-08-11', temperature: 38.9, symptoms: true, symptomList: ['cough', 'fever'] })]);
    expect(series.feverThreshold).toBe(38);
  });

  it('37.9 °C without symptoms is well; refusals: other commune, impossible values, the future, people not followed', async () => {
    const ok = await send('POST', '/api/followups', communeB, { personId: P.B, day: '2021-08-11', symptoms: false, temperature: 37.9, channel: 'tracer' });
    expect(ok.json()).toEqual({ fever: false, unwell: false, taskCreated: false });
    expect((await send('POST', '/api/followups', communeB, { personId: P.A, day: '2021-08-11', symptoms: false, channel: 'tracer' })).statusCode).toBe(403);
    const hot = await send('POST', '/api/followups', tracer, { personId: P.B, day: '2021-08-11', symptoms: false, temperature: 50, channel: 'tracer' });
    expect(hot.statusCode).toBe(400);
    expect(hot.json().error.details[0].path).toBe('body.temperature');
    expect((await send('POST', '/api/followups', tracer, { personId: P.B, day: '2021-08-12', symptoms: false, channel: 'tracer' })).statusCode).toBe(400);
    expect((await send('POST', '/api/followups', tracer, { personId: P.F0, day: '2021-08-11', symptoms: false, channel: 'tracer' })).statusCode).toBe(404);
    expect((await send('POST', '/api/followups', null, { personId: P.B, day: '2021-08-11', symptoms: false, channel: 'tracer' })).statusCode).toBe(401);
  });

  it('a contact who becomes a case ends their contact follow-up and carries their last symptoms; the cases form a cluster', async () => {
    now = new Date('2021-08-12T05:00:00Z');
    const case2 = await confirm(P.A!, '2021-08-12T03:00:00Z');
    const row = await t.db.selectFrom('case_contacts').selectAll().where('id', '=', contactA).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'became_case', became_case_id: case2.id });
    const detail = (await get(`/api/cases/${case2.id}`, cdc)).json().case;
    expect(detail.lastSymptoms).toMatchObject({ day: '2021-08-11', temperature: 38.9, symptoms: true });
    expect((await get('/api/case-tasks', communeA)).json().items).toEqual([]);
    // C met A (now a case) at V2: C is an F1 of case 2
    const c2 = (await get(`/api/cases/${case2.id}/contacts`, cdc)).json().items;
    expect(c2.find((x: { person: { id: string } }) => x.person.id === P.C)).toMatchObject({ level: 1 });
    const clusters = (await get('/api/clusters', cdc)).json().items;
    expect(clusters).toEqual([expect.objectContaining({ size: 2, label: case1.code, caseIds: [case1.id, case2.id] })]);
    expect((await get('/api/clusters', t ? await t.login('cdc_officer', '01') : cdc)).json().items).toEqual([]);
    const g = (await get(`/api/cases/${case1.id}/graph`, cdc)).json();
    const kinds = Object.fromEntries(g.nodes.map((n: { id: string; kind: string }) => [n.id, n.kind]));
    expect(kinds[`p:${P.F0}`]).toBe('case');
    expect(kinds[`p:${P.A}`]).toBe('case'); // became a case
    expect(kinds[`p:${P.B}`]).toBe('contact');
    expect(kinds[`v:${V1}`]).toBe('venue');
    expect(g.edges).toEqual(expect.arrayContaining([{ source: `p:${P.F0}`, target: `v:${V1}`, kind: 'visited' }, { source: `v:${V1}`, target: `p:${P.B}`, kind: 'met' }]));
    // commune B's officer sees only their own contact in the graph of a case they may read? they may not read it
    expect((await get(`/api/cases/${case1.id}/graph`, communeB)).statusCode).toBe(403);
  });

  it('orders that ended are completed by the daily job', async () => {
    now = new Date('2021-09-01T05:00:00Z');
    await t.app.vigil.jobs.runNow(CLOSE_ORDERS_JOB);
    const open = await t.db.selectFrom('case_contacts').select('id').where('status', '=', 'monitoring').execute();
    expect(open).toEqual([]);
    now = new Date('2021-08-12T05:00:00Z');
  });
});

describe('exposure notices', () => {
  it('venue operators see their own venues, officers their area, the public list carries no identity', async () => {
    const op = await t.login('venue_operator', '40');
    await t.db.insertInto('venue_operators').values({ user_id: op.id, venue_id: V1 }).execute();
    const opNotices = (await get('/api/exposure-notices', op)).json().items;
    // both cases were at V1 (case 2 on the 10th too): two notices, nothing of V2
    expect(opNotices.map((n: { venueId: string }) => n.venueId)).toEqual([V1, V1]);
    const other = await t.login('venue_operator', '40');
    expect((await get('/api/exposure-notices', other)).json().items).toEqual([]);
    expect((await get('/api/exposure-notices', communeA)).json().items.length).toBeGreaterThan(0);
    expect((await get('/api/exposure-notices', await t.login('cdc_officer', '01'))).json().items).toEqual([]);
    const pub = await get('/api/public/exposure-notices', null);
    expect(pub.statusCode).toBe(200);
    const items = pub.json().items;
    expect(items.length).toBeGreaterThan(0);
    expect(Object.keys(items[0]).sort()).toEqual(['entranceId', 'entranceName', 'from', 'id', 'level', 'publishedAt', 'to', 'venueAddress', 'venueId', 'venueName']);
    expect(pub.body).not.toContain(P.F0);
    expect(pub.body).not.toContain(case1.code);
  });
});

describe('places and cameras', () => {
  it('tracks capacity and occupancy, refuses a full place, discharges', async () => {
    const res = await send('POST', '/api/places', cdc, { name: 'Khu cách ly KTX ĐH Vinh', kind: 'concentrated', communeCode: s.commune, capacity: 1 });
    expect(res.statusCode, res.body).toBe(201);
    const place = res.json();
    expect((await send('POST', '/api/places', communeA, { name: 'X', kind: 'hotel', communeCode: s.commune, capacity: 5 })).statusCode).toBe(403); // commune staff do not manage places
    const contacts = (await get('/api/contacts?status=completed', cdc)).json().items as { id: string }[];
    await t.db.updateTable('case_contacts').set({ status: 'monitoring' }).execute();
    const admit = await send('POST', `/api/places/${place.id}/admit`, cdc, { contactId: contacts[0]!.id });
    expect(admit.statusCode, admit.body).toBe(201);
    const full = await send('POST', `/api/places/${place.id}/admit`, cdc, { contactId: contacts[1]!.id });
    expect(full.statusCode).toBe(409);
    const list = (await get('/api/places', cdc)).json();
    expect(list.items[0]).toMatchObject({ capacity: 1, occupied: 1 });
    expect(list.byArea[0]).toMatchObject({ capacity: 1, occupied: 1 });
    const detail = (await get(`/api/places/${place.id}`, cdc)).json();
    expect(detail.occupants).toHaveLength(1);
    expect((await send('POST', `/api/place-stays/${detail.occupants[0].stayId}/discharge`, cdc, {})).statusCode).toBe(200);
    expect((await get('/api/places', cdc)).json().items[0].occupied).toBe(0);
    expect((await get(`/api/places/${place.id}`, await t.login('cdc_officer', '01'))).statusCode).toBe(403);
  });

  it('the probe job lists the cameras that are down', async () => {
    const place = (await get('/api/places', cdc)).json().items[0];
    const server = http.createServer((_req, res) => res.end('ok'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const up = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/stream`;
    // a port nobody listens on: bind one, note it, close it
    const tmp = net.createServer();
    await new Promise<void>((r) => tmp.listen(0, '127.0.0.1', r));
    const deadPort = (tmp.address() as net.AddressInfo).port;
    await new Promise<void>((r) => tmp.close(() => r()));
    for (const [name, url] of [['Cổng chính', up], ['Hành lang', `rtsp://127.0.0.1:${deadPort}/live`]]) {
      const r = await send('POST', `/api/places/${place.id}/cameras`, cdc, { name, streamUrl: url });
      expect(r.statusCode, r.body).toBe(201);
    }
    expect((await send('POST', `/api/places/${place.id}/cameras`, cdc, { name: 'x', streamUrl: 'javascript:alert(1)' })).statusCode).toBe(400);
    const r = await t.app.vigil.jobs.runNow(PROBE_CAMERAS_JOB);
    expect(r).toEqual({ probed: 2, down: 1 });
    const down = (await get('/api/cameras/down', cdc)).json().items;
    expect(down.map((c: { name: string }) => c.name)).toEqual(['Hành lang']);
    expect(down[0]).toMatchObject({ lastProbeReason: 'refused', lastProbeDetail: null });
    server.close();
  });

  it('edits a place and closes it once empty, in the jurisdiction, audited; refuses others', async () => {
    const created = await send('POST', '/api/places', cdc, { name: 'Khách sạn Sông Lam', kind: 'hotel', communeCode: s.commune, capacity: 1 });
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json().id as string;
    const url = `/api/places/${id}`;
    const edit = await send('PATCH', url, cdc, { capacity: 40, name: 'Khách sạn Sông Lam (cơ sở 2)', purpose: 'both' });
    expect(edit.statusCode, edit.body).toBe(200);
    expect(edit.json()).toMatchObject({ id, capacity: 40, name: 'Khách sạn Sông Lam (cơ sở 2)', purpose: 'both', active: true, occupied: 0 });
    // someone is admitted: capacity cannot go below them, the place cannot close
    const contact = (await get('/api/contacts', cdc)).json().items[0] as { id: string };
    await t.db.updateTable('case_contacts').set({ status: 'monitoring' }).where('id', '=', contact.id).execute();
    expect((await send('POST', `${url}/admit`, cdc, { contactId: contact.id })).statusCode).toBe(201);
    const shrink = await send('PATCH', url, cdc, { capacity: 0 });
    expect(shrink.statusCode).toBe(409);
    expect(shrink.json().error.details[0].path).toBe('body.capacity');
    const closeFull = await send('PATCH', url, cdc, { active: false });
    expect(closeFull.statusCode).toBe(409);
    expect(closeFull.json().error.details[0].path).toBe('body.active');
    const stay = (await get(url, cdc)).json().occupants[0].stayId as string;
    expect((await send('POST', `/api/place-stays/${stay}/discharge`, cdc, {})).statusCode).toBe(200);
    const beds = async () => ((await get('/api/places', cdc)).json().byArea as { capacity: number }[]).reduce((n, a) => n + a.capacity, 0);
    const bedsOpen = await beds();
    const close = await send('PATCH', url, cdc, { active: false });
    expect(close.statusCode, close.body).toBe(200);
    expect(close.json()).toMatchObject({ active: false, capacity: 40 });
    expect(await beds()).toBe(bedsOpen - 40); // a closed place offers no beds in the area's capacity
    // a closed place takes nobody
    const admitClosed = await send('POST', `${url}/admit`, cdc, { contactId: contact.id });
    expect(admitClosed.statusCode).toBe(400);
    expect(admitClosed.json().error.details[0].path).toBe('body.placeId');
    expect((await send('PATCH', url, cdc, { active: true })).json()).toMatchObject({ active: true });
    const audit = await t.db.selectFrom('audit_log').select(['action', 'subject_id']).where('subject_id', '=', id).where('action', 'in', ['place.create', 'place.update', 'place.close', 'place.reopen']).orderBy('id').execute();
    expect(audit.map((a) => a.action)).toEqual(['place.create', 'place.update', 'place.close', 'place.reopen']);
    // refusals: each leaves the place as it was
    const before = (await get(url, cdc)).json().place;
    const cases: [string, LoggedIn | null, unknown, number][] = [
      ['no session', null, { capacity: 1 }, 401],
      ['citizen', await t.login('citizen', '40'), { capacity: 1 }, 403],
      ['venue operator', await t.login('venue_operator', '40'), { capacity: 1 }, 403],
      ['officer of another province', await t.login('cdc_officer', '01'), { active: false }, 403],
      ['commune officer (no places.manage)', communeA, { capacity: 1 }, 403],
      ['tracer', tracer, { capacity: 1 }, 403],
      ['empty body', cdc, {}, 400],
      ['moving it to another commune', cdc, { communeCode: s.otherCommune }, 400],
      ['NUL in the name', cdc, { name: 'a\u0000b' }, 400],
      ['a huge name', cdc, { name: 'x'.repeat(100_000) }, 400],
      ['negative capacity', cdc, { capacity: -1 }, 400],
    ];
    for (const [why, who, body, code] of cases) expect((await send('PATCH', url, who, body)).statusCode, why).toBe(code);
    expect((await send('PATCH', '/api/places/00000000-0000-4000-8000-000000000000', cdc, { capacity: 1 })).statusCode).toBe(404);
    expect((await send('PATCH', '/api/places/not-a-uuid', cdc, { capacity: 1 })).statusCode).toBe(400);
    expect((await get(url, cdc)).json().place).toEqual(before);
  });
});

describe('a person with contact rows in several areas', () => {
  it("an officer of any of the person's areas reads their history and records their day; others are refused", async () => {
    now = new Date('2021-08-12T05:00:00Z');
    const m = await s.person('Đặng Văn Hai Nơi');
    const f0b = await s.person('Ca Hai Nơi', { commune: s.otherCommune });
    const add = await send('POST', `/api/cases/${case1.id}/contacts`, cdc, { personId: m, relation: 'household', lastExposureDate: '2021-08-11' });
    expect(add.statusCode, add.body).toBe(201);
    const caseB = await confirm(f0b, '2021-08-12T03:00:00Z');
    const addB = await send('POST', `/api/cases/${caseB.id}/contacts`, cdc, { personId: m, relation: 'workplace', lastExposureDate: '2021-08-12' });
    expect(addB.statusCode, addB.body).toBe(201);
    // the row of the second case lies in the other commune (the person moved there, or lives there and works here)
    await t.db.updateTable('case_contacts').set({ unit_code: s.otherCommune, level: 2 }).where('case_id', '=', caseB.id).where('person_id', '=', m).execute();
    const units = (await t.db.selectFrom('case_contacts').select('unit_code').where('person_id', '=', m).execute()).map((r) => r.unit_code).sort();
    expect(units).toEqual([s.commune, s.otherCommune].sort());
    const hist = await get(`/api/followups/person/${m}`, communeB);
    expect(hist.statusCode, hist.body).toBe(200);
    const rec = await send('POST', '/api/followups', communeB, { personId: m, day: '2021-08-12', symptoms: false, temperature: 36.8, channel: 'tracer' });
    expect(rec.statusCode, rec.body).toBe(200);
    expect((await get(`/api/followups/person/${m}`, communeA)).json().items).toEqual([expect.objectContaining({ day: '2021-08-12', temperature: 36.8 })]);
    // an officer of a third commune, or of another province, is still refused
    const third = (await t.db.selectFrom('admin_units').select('code').where('level', '=', 'commune').where('path', 'like', '/VN/40/%').where('code', 'not in', [s.commune, s.otherCommune]).orderBy('code', 'desc').executeTakeFirstOrThrow()).code;
    const officerC = await t.login('commune_officer', third);
    expect((await get(`/api/followups/person/${m}`, officerC)).statusCode).toBe(403);
    expect((await send('POST', '/api/followups', officerC, { personId: m, day: '2021-08-12', symptoms: false, channel: 'tracer' })).statusCode).toBe(403);
    const hanoi = await t.login('cdc_officer', '01');
    expect((await get(`/api/followups/person/${m}`, hanoi)).statusCode).toBe(403);
  });
});
