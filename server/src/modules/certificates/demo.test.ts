// Demo data: residents of Vinh get two-dose certificates that verify; seeding again adds nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testContext, type TestContext } from '../../../test/helpers';
import { certificatesModule } from './index';
import { testingModule } from '../testing';
import { person } from './test-fixtures';

let t: TestContext;
beforeAll(async () => {
  t = await testContext();
});
afterAll(() => t?.close());

describe('certificates demo', () => {
  it('issues verifiable certificates for three residents of Vinh, once', async () => {
    const ward = await t.db.selectFrom('admin_units').select('code').where('parent_code', '=', '412').orderBy('code').executeTakeFirstOrThrow();
    for (const name of ['Hồ Văn Một', 'Hồ Thị Hai', 'Hồ Văn Ba', 'Hồ Thị Bốn']) await person(t, name, ward.code);
    await certificatesModule.seedDemo!(t.app.vigil);
    await certificatesModule.seedDemo!(t.app.vigil);
    const rows = await t.db.selectFrom('dcc_certificates').select(['hc1', 'person_id']).execute();
    expect(rows).toHaveLength(6);
    expect(new Set(rows.map((r) => r.person_id)).size).toBe(3);
    for (const r of rows) {
      const v = await t.app.inject({ method: 'POST', url: '/api/certificates/verify', payload: { hc1: r.hc1 } });
      expect(v.json().valid).toBe(true);
    }
  });

  it("certifies (up to) two of the testing demo's individual negative RT-PCR tubes, once", async () => {
    // the testing demo samples residents of Vinh with a phone (pools of 10: two pools at least)
    const ward = await t.db.selectFrom('admin_units').select('code').where('parent_code', '=', '412').orderBy('code').executeTakeFirstOrThrow();
    for (let i = 0; i < 24; i++) await person(t, `Cư Dân Số ${i + 1}`, ward.code);
    await testingModule.seedDemo!(t.app.vigil);
    await certificatesModule.seedDemo!(t.app.vigil);
    await certificatesModule.seedDemo!(t.app.vigil);
    const rows = await t.db.selectFrom('dcc_certificates').select(['hc1', 'source_id']).where('kind', '=', 't').execute();
    const individualNegatives = await t.db.selectFrom('samples').select('id').where('pool_size', '=', 1).where('result', '=', 'negative').where('test_type', '=', 'rt-pcr').execute();
    expect(individualNegatives.length).toBeGreaterThan(0);
    expect(rows).toHaveLength(Math.min(2, individualNegatives.length));
    for (const r of rows) {
      const v = (await t.app.inject({ method: 'POST', url: '/api/certificates/verify', payload: { hc1: r.hc1 } })).json();
      expect([v.checks.signature, v.checks.schema, v.payload.t[0].tr]).toEqual([true, true, '260415000']);
    }
  });
});
