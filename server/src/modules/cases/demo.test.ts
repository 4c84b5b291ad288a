// The demo province: cases traced from the venues' demo check-ins, a cluster, follow-ups, places; idempotent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testContext, type TestContext } from '../../../test/helpers';
import { seedDemo } from '../../demo';

let t: TestContext;
const now = new Date('2021-08-05T04:30:00Z');

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
  });
});
