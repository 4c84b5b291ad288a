// The testing demo: sampling points in Vinh, a mass-testing day with pools, a positive pool with retests (one
// positive → a case), turnaround figures on the dashboard; seeding again adds nothing.
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

describe('demo testing', () => {
  it('seeds a mass-testing day once', async () => {
    await seedDemo(t.app);
    await t.events.settled();
    const count = async () => ({
      points: (await t.db.selectFrom('sampling_points').select('id').execute()).length,
      samples: (await t.db.selectFrom('samples').select('id').execute()).length,
      results: (await t.db.selectFrom('test_results').select('id').execute()).length,
    });
    const first = await count();
    expect(first.points).toBe(3);
    expect(first.samples).toBeGreaterThan(20);
    const cdc = await t.login('cdc_officer', '40');
    const d = (await t.app.inject({ method: 'GET', url: '/api/testing/dashboard', headers: cdc.headers })).json();
    expect(d.openRetests).toBe(7); // a pool of 10, three retested this morning
    expect(d.openResamples).toBe(10);
    expect(d.turnaround.p50Hours).toBeGreaterThan(1);
    expect(d.turnaround.p90Hours).toBeGreaterThanOrEqual(d.turnaround.p50Hours);
    expect(d.poolSizes.find((p: { size: number }) => p.size === 10).tubes).toBeGreaterThan(10);
    const fromTest = await t.db.selectFrom('cases').select(['origin', 'trace_status']).where('origin', '=', 'test').execute();
    expect(fromTest).toEqual([{ origin: 'test', trace_status: 'done' }]);
    for (const m of (await import('../../modules')).modules) await m.seedDemo?.(t.app.vigil);
    expect(await count()).toEqual(first);
  }, 180_000); // seeds the whole demo twice, as cases/ and calls/demo.test.ts do: vitest's default 30 s ran out at load 20
});
