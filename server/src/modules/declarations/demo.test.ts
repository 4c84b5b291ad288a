import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { testContext, type LoggedIn, type TestContext } from '../../../test/helpers';
import { declarationsModule } from './index';

let t: TestContext;
const now = new Date('2021-08-05T04:30:00Z'); // 11:30 in Vietnam
let cdc: LoggedIn;
let hanoi: LoggedIn;

const get = (url: string, who: LoggedIn) => t.app.inject({ method: 'GET', url, headers: who.headers });

async function counts() {
  const one = async (table: 'declarations' | 'declaration_actions' | 'persons') =>
    Number((await t.db.selectFrom(table).select(sql<string>`count(*)`.as('n')).executeTakeFirstOrThrow()).n);
  return { declarations: await one('declarations'), actions: await one('declaration_actions'), persons: await one('persons') };
}

beforeAll(async () => {
  t = await testContext({ clock: () => now });
  await t.createUser({ username: 'cdc.nghean', role: 'cdc_officer', jurisdictionCode: '40' });
  cdc = await t.login('cdc_officer', '40');
  hanoi = await t.login('cdc_officer', '01');
});
afterAll(async () => {
  await t?.close();
});

describe('demo declarations', () => {
  it('seeds about 60 declarations in Vinh once (idempotent, deterministic)', async () => {
    expect((await counts()).declarations).toBe(0);
    await declarationsModule.seedDemo!(t.app.vigil);
    const first = await counts();
    await declarationsModule.seedDemo!(t.app.vigil);
    expect(await counts()).toEqual(first);
    expect(first).toMatchObject({ declarations: 60, actions: 5, persons: 40 });
    // the four children are their parents' dependants (once, though the seed ran twice)
    const links = await t.db.selectFrom('person_links').select(['relationship']).execute();
    expect(links.map((l) => l.relationship)).toEqual(['child', 'child', 'child', 'child']);

    const rows = await t.db.selectFrom('declarations').selectAll().execute();
    const vinh = new Set((await t.db.selectFrom('admin_units').select('code').where('parent_code', '=', '412').execute()).map((u) => u.code));
    expect(rows.every((r) => vinh.has(r.responsible_unit_code))).toBe(true);
    // the last three days, daytime in Vietnam, none in the future
    for (const r of rows) {
      expect(r.submitted_at.getTime()).toBeLessThanOrEqual(now.getTime());
      expect(now.getTime() - r.submitted_at.getTime()).toBeLessThan(3 * 86400_000);
      const hour = Number(new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Ho_Chi_Minh', hour: '2-digit', hourCycle: 'h23' }).format(r.submitted_at));
      expect(hour).toBeGreaterThanOrEqual(7);
      expect(hour).toBeLessThan(21);
    }
    expect(rows.filter((r) => r.kind === 'entry')).toHaveLength(3);
    expect(rows.filter((r) => r.declarant_person_id !== r.subject_person_id)).toHaveLength(4);
    const flagged = rows.filter((r) => r.flagged);
    expect(flagged).toHaveLength(10);
    const hitKeys = new Set(flagged.flatMap((r) => (r.risk_hits as { key: string }[]).map((h) => h.key)));
    for (const k of ['fever_and_cough', 'contact_f0', 'red_zone_travel']) expect(hitKeys).toContain(k);
    expect(flagged.map((r) => r.status).sort()).toEqual(['called', 'cleared', 'open', 'open', 'open', 'open', 'open', 'open', 'open', 'referred']);

    const actions = await t.db.selectFrom('declaration_actions').selectAll().execute();
    expect(new Set(actions.map((a) => a.by_username))).toEqual(new Set(['cdc.nghean']));
    expect(actions.every((a) => a.at.getTime() <= now.getTime())).toBe(true);
  });

  it('the Nghệ An CDC work list and dashboard show the seeded rows; Hà Nội sees none', async () => {
    const work = await get('/api/declarations/worklist?limit=200', cdc);
    expect(work.statusCode, work.body).toBe(200);
    const items = work.json().items as { flagged: boolean; status: string; hits: unknown[] }[];
    expect(work.json().total).toBe(9); // active: open, called, referred
    expect(items.every((i) => i.flagged && i.hits.length > 0 && i.status !== 'cleared')).toBe(true);
    expect((await get('/api/declarations/worklist?status=all&limit=200', cdc)).json().total).toBe(10);
    expect((await get('/api/declarations?limit=200', cdc)).json().total).toBe(60);

    const dash = await get('/api/declarations/dashboard', cdc);
    expect(dash.statusCode, dash.body).toBe(200);
    const db = await t.db
      .selectFrom('declarations')
      .select([
        sql<number>`count(*)::int`.as('declarations'),
        sql<number>`count(*) filter (where flagged)::int`.as('flagged'),
        sql<number>`count(*) filter (where flagged and status <> 'cleared')::int`.as('open'),
        sql<number>`count(*) filter (where status = 'called')::int`.as('called'),
        sql<number>`count(*) filter (where status = 'referred')::int`.as('referred'),
        sql<number>`count(*) filter (where status = 'cleared')::int`.as('cleared'),
      ])
      .executeTakeFirstOrThrow();
    expect(dash.json().totals).toEqual(db);
    expect(db).toEqual({ declarations: 60, flagged: 10, open: 9, called: 1, referred: 1, cleared: 1 });
    const byUnit = dash.json().byUnit as { unit: { code: string }; declarations: number }[];
    expect(byUnit).toEqual([expect.objectContaining({ unit: expect.objectContaining({ code: '412' }), declarations: 60 })]);
    const days = (dash.json().byDay as { declarations: number }[]).filter((d) => d.declarations > 0);
    expect(days.length).toBeGreaterThanOrEqual(3);

    const hw = await get('/api/declarations/worklist?status=all&limit=200', hanoi);
    expect(hw.statusCode).toBe(200);
    expect(hw.json()).toMatchObject({ items: [], total: 0 });
    expect((await get('/api/declarations?limit=200', hanoi)).json().total).toBe(0);
    expect((await get('/api/declarations/dashboard', hanoi)).json().totals).toEqual({ declarations: 0, flagged: 0, open: 0, called: 0, referred: 0, cleared: 0 });
  });

  it("seeds configuration owned by Nghệ An: a provincial rule and a district's switch-off, shown to Nghệ An only", async () => {
    const rules = (await get('/api/declarations/rules', cdc)).json().items as { key: string; owner: { code: string } | null; switchOffs: { unit: { code: string } }[] }[];
    expect(rules.find((r) => r.key === 'nghean_fatigue_diarrhea')).toMatchObject({ owner: { code: '40' } });
    expect(rules.find((r) => r.key === 'loss_of_taste_smell')!.switchOffs).toHaveLength(1);
    const hanoiRules = (await get('/api/declarations/rules', hanoi)).json().items as typeof rules;
    expect(hanoiRules.find((r) => r.key === 'nghean_fatigue_diarrhea')).toBeUndefined();
    expect(hanoiRules.find((r) => r.key === 'loss_of_taste_smell')!.switchOffs).toEqual([]);
  });
});
