// GET /api/followups/tracers: the tracers an officer may give people to (their area overlaps the officer's);
// refusals for attackers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testContext, type LoggedIn, type TestContext } from '../../../test/helpers';

let t: TestContext;
let commune: string;
const get = (url: string, who: LoggedIn | null) => t.app.inject({ method: 'GET', url, headers: who?.headers ?? {} });

beforeAll(async () => {
  t = await testContext();
  commune = (await t.db.selectFrom('admin_units').select('code').where('level', '=', 'commune').where('path', 'like', '/VN/40/%').orderBy('code').executeTakeFirstOrThrow()).code;
  await t.login('contact_tracer', '40'); // a provincial tracer
  await t.login('contact_tracer', commune); // a commune's tracer
  await t.login('contact_tracer', '01'); // Hà Nội's
});
afterAll(async () => {
  await t?.close();
});

describe('tracers of an area', () => {
  it('lists the active tracers whose area overlaps, with their list sizes', async () => {
    const cdc = await t.login('cdc_officer', '40');
    const all = await get('/api/followups/tracers', cdc);
    expect(all.statusCode, all.body).toBe(200);
    expect(all.json().items.map((x: { unitCode: string }) => x.unitCode).sort()).toEqual(['40', commune].sort());
    expect(all.json().items.every((x: { assigned: number }) => x.assigned === 0)).toBe(true);
    const officer = await t.login('commune_officer', commune);
    const mine = await get('/api/followups/tracers', officer);
    expect(mine.json().items.map((x: { unitCode: string }) => x.unitCode).sort()).toEqual(['40', commune].sort()); // the provincial tracer covers the commune
  });

  it('refuses no session, citizens, venue operators, read-only roles and other provinces', async () => {
    expect((await get('/api/followups/tracers', null)).statusCode).toBe(401);
    expect((await get('/api/followups/tracers', await t.login('citizen', '40'))).statusCode).toBe(403);
    expect((await get('/api/followups/tracers', await t.login('venue_operator', '40'))).statusCode).toBe(403);
    const hanoi = await t.login('cdc_officer', '01');
    expect((await get(`/api/followups/tracers?unit=${commune}`, hanoi)).statusCode).toBe(403);
    expect((await get('/api/followups/tracers', hanoi)).json().items.map((x: { unitCode: string }) => x.unitCode)).toEqual(['01']);
    const nul = await get('/api/followups/tracers?unit=40%00', await t.login('cdc_officer', '40'));
    expect(nul.statusCode).toBe(400);
    expect(nul.json().error.details[0].path).toBe('querystring.unit');
    expect((await get('/api/followups/tracers?unit=nope', await t.login('cdc_officer', '40'))).statusCode).toBe(400);
  });
});
