// The demo province: cases traced from the venues' demo check-ins, a cluster, follow-ups, places; idempotent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testContext, type TestContext } from '../../../test/helpers';
import { seedDemo } from '../../demo';

let t: TestContext;
const now = new Date('2021-08-05T04:30:00Z');
const DEMO_CLUSTER_PHONES = ['+84912000010', '+84912000011', '+84912000013'];

beforeAll(async () => {
  t = await testContext({ clock: () => now });
});
afterAll(async () => {
  await t?.close();
});

describe('demo cases', () => {
  it('seeds a living province once', async () => {
    await seedDemo(t.app);
    await t.events.settled();
    const count = async () => ({
      // the testing demo's positive retest adds a case of its own (origin 'test')
      cases: (await t.db.selectFrom('cases').select('id').where('origin', '!=', 'test').execute()).length,
      contacts: (await t.db.selectFrom('case_contacts').select('id').execute()).length,
      followUps: (await t.db.selectFrom('follow_ups').select('id').execute()).length,
    });
    const first = await count();
    expect(first.cases).toBe(3);
    // the same cluster on every run (person ids are random; the demo chooses by the demo people's fixed phones):
    // the third case is an F1 of the first
    const cluster = await t.db
      .selectFrom('cases')
      .innerJoin('persons', 'persons.id', 'cases.person_id')
      .select(['cases.id', 'cases.person_id', 'persons.phone'])
      .where('cases.origin', '!=', 'test')
      .orderBy('cases.code')
      .execute();
    expect(cluster.map((c) => c.phone)).toEqual(DEMO_CLUSTER_PHONES);
    const f1OfFirst = await t.db.selectFrom('case_contacts').select('person_id').where('case_id', '=', cluster[0]!.id).where('level', '=', 1).execute();
    expect(f1OfFirst.map((c) => c.person_id)).toContain(cluster[2]!.person_id);
    expect(first.contacts).toBeGreaterThan(3);
    expect(first.followUps).toBeGreaterThan(3);
    const cdc = await t.login('cdc_officer', '40');
    const clusters = (await t.app.inject({ method: 'GET', url: '/api/clusters', headers: cdc.headers })).json().items;
    expect(clusters[0].size).toBeGreaterThanOrEqual(2);
    const tasks = (await t.app.inject({ method: 'GET', url: '/api/case-tasks', headers: cdc.headers })).json().items;
    expect(tasks.length).toBeGreaterThanOrEqual(1);
    const cases = await t.db.selectFrom('cases').select(['trace_status']).execute();
    expect(cases.every((c) => c.trace_status === 'done')).toBe(true);
    for (const m of (await import('../../modules')).modules) await m.seedDemo?.(t.app.vigil);
    expect(await count()).toEqual(first);
  }, 180_000); // seeds the whole demo twice: ≈21 s alone at load 19, past vitest's default 30 s beside another file
});
