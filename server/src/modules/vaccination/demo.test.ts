// The demo campaign in Vinh: seeded once (idempotent), with doses, bookings and an AEFI that the dashboard shows.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testContext, type TestContext } from '../../../test/helpers';
import { vaccinationModule } from './index';

let t: TestContext;
const now = new Date('2021-08-20T04:00:00Z');

beforeAll(async () => {
  t = await testContext({ clock: () => now });
});
afterAll(() => t?.close());

const counts = async () =>
  (await sql<{ c: number; s: number; d: number; b: number; a: number }>`select (select count(*)::int from vaccination_campaigns) as c, (select count(*)::int from vaccination_sites) as s,
    (select count(*)::int from vaccination_doses) as d, (select count(*)::int from vaccination_bookings) as b, (select count(*)::int from vaccination_aefi) as a`.execute(t.db)).rows[0]!;

describe('demo vaccination', () => {
  it('seeds a campaign in Vinh once, with doses of the last weeks, bookings and an AEFI', async () => {
    await vaccinationModule.seedDemo!(t.app.vigil);
    const first = await counts();
    await vaccinationModule.seedDemo!(t.app.vigil);
    expect(await counts()).toEqual(first);
    expect(first.c).toBe(1);
    expect(first.s).toBe(4);
    expect(first.d).toBeGreaterThan(60);
    expect(first.b).toBe(20);
    expect(first.a).toBe(1);
    const vinh = await t.login('district_officer', '412');
    const d = (await t.app.inject({ method: 'GET', url: '/api/vaccination/dashboard', headers: vinh.headers })).json();
    expect(d.bySite).toHaveLength(4);
    expect(d.dropout.dose1).toBeGreaterThan(d.dropout.dose2);
    expect(d.overdue.length).toBeGreaterThan(0);
    const hanoi = await t.login('cdc_officer', '01');
    expect((await t.app.inject({ method: 'GET', url: '/api/vaccination/dashboard', headers: hanoi.headers })).json().bySite).toEqual([]);
  });
});
