// The dialer's writes at a province's scale are set-based: a batch of outcomes writes its follow-ups, flags and
// referrals in a fixed number of statements whatever its size (not one person at a time), and the monitoring
// audience's sync is one statement (not chunks of 5,000 rows through the server) — with the same results a person
// at a time gave: follow-ups with the answers, the unwell flagged and referred for a test, on the symptomatic list.
import type { KyselyPlugin } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testContext, type TestContext } from '../../../test/helpers';
import type { Db } from '../../platform/db/types';
import { localTime } from '../../platform/time';
import { syncAudience } from './audience';
import { leaseDue } from './lease';
import { writeOutcomes, type Outcome } from './outcome';
import { planDay } from './plan';
import { createCampaign, saveScript } from './store';
import { HEALTH_CHECK, monitoredContacts } from './test-fixtures';

const TZ = 'Asia/Ho_Chi_Minh';
const DAY = '2026-11-20';
const opens = localTime(DAY, '08:00', TZ);
let t: TestContext;
let communes: string[];
let scriptId: string;

/** The database, counting the statements sent through it. */
function counting(db: Db) {
  const seen = { n: 0 };
  const plugin: KyselyPlugin = {
    transformQuery: (a) => {
      seen.n++;
      return a.node;
    },
    transformResult: async (a) => a.result,
  };
  return { db: db.withPlugin(plugin) as Db, seen };
}

beforeAll(async () => {
  t = await testContext({ clock: () => opens });
  communes = (await t.db.selectFrom('admin_units').select('code').where('level', '=', 'commune').where('path', 'like', '/VN/40/%').orderBy('code').offset(4).limit(3).execute()).map((u) => u.code);
  scriptId = (await saveScript(t.db, { unitCode: '40', script: HEALTH_CHECK, userId: null })).id;
}, 120_000);
afterAll(() => t?.close());

const WELL = { identity: '1', fever: '2', cough: '2', breathing: '2', taste_smell: '2', at_address: '1' };
const SICK = { ...WELL, fever: '1', cough: '1' };

/** `n` contacts in a commune of their own, planned and leased: the outcomes of a batch where every other one is sick. */
async function batch(commune: string, n: number) {
  const ids = await monitoredContacts(t.db, commune, DAY, Array.from({ length: n }, (_, i) => ({ name: `Người ${commune} ${i}`, phone: `+8491${commune.slice(-3)}${String(i).padStart(4, '0')}` })));
  const c = await createCampaign(t.db, { name: `Lô ${commune}`, unitCode: commune, scriptId, audience: 'monitoring', alertPhones: [] } as never, null);
  await syncAudience(t.db, t.app.vigil.access.resolver, c, DAY);
  await planDay(t.db, c, DAY, TZ);
  const leased = await leaseDue(t.db, c.id, DAY, n, opens, 600_000, 'sip');
  const sick = new Set(ids.filter((_, i) => i % 2 === 0));
  const outcomes: Outcome[] = leased.map((l) => {
    const answers = sick.has(l.row.person_id!) ? SICK : WELL;
    return { c, row: l.row, attemptId: l.attemptId, windowEnd: localTime(DAY, '17:00', TZ), end: { disposition: 'completed', sipCode: 200, answeredAt: opens, endedAt: new Date(opens.getTime() + 60_000), script: { outcome: 'completed', answers, set: {}, path: [], endState: 'done' } } };
  });
  return { ids, sick, outcomes, c };
}

describe('set-based writes', () => {
  it("a batch's follow-ups, flags and referrals take as many statements for 4 people as for 24, with the same results", async () => {
    const small = await batch(communes[0]!, 4);
    const large = await batch(communes[1]!, 24);
    const counts: number[] = [];
    for (const b of [small, large]) {
      const { db, seen } = counting(t.db);
      const results = await writeOutcomes({ db, events: t.events, publicUrl: 'http://vigil.test', smsSender: 'Vigil' }, b.outcomes);
      counts.push(seen.n);
      expect(results.every((r) => r.status === 'completed' && r.recorded)).toBe(true);
      const fus = await t.db.selectFrom('follow_ups').select(['person_id', 'day', 'symptoms', 'symptom_list', 'channel', 'note']).where('person_id', 'in', b.ids).execute();
      expect(fus).toHaveLength(b.ids.length);
      for (const f of fus) {
        expect(f).toMatchObject({ day: DAY, channel: 'robot_call', symptoms: b.sick.has(f.person_id) });
        if (b.sick.has(f.person_id)) expect(f.symptom_list).toEqual(['fever', 'cough']);
        expect(f.note).toMatch(/^robot call answers: identity=1, fever=[12]/);
      }
      const flagged = await t.db.selectFrom('case_contacts').select('person_id').where('person_id', 'in', b.ids).where('flagged', '=', true).execute();
      expect(new Set(flagged.map((x) => x.person_id))).toEqual(b.sick);
      const tasks = await t.db.selectFrom('case_tasks').select(['person_id', 'reason', 'kind']).where('person_id', 'in', b.ids).execute();
      expect(new Set(tasks.map((x) => x.person_id))).toEqual(b.sick);
      expect(tasks[0]).toMatchObject({ kind: 'test_referral', reason: 'symptoms: fever, cough' });
      const flags = await t.db.selectFrom('call_flags').select('person_id').where('kind', '=', 'symptomatic').where('person_id', 'in', b.ids).execute();
      expect(new Set(flags.map((x) => x.person_id))).toEqual(b.sick);
    }
    expect(counts[1]).toBe(counts[0]);
  });

  it('written again (a retried batch), nothing doubles', async () => {
    const b = await batch(communes[2]!, 6);
    await writeOutcomes({ db: t.db, events: t.events, publicUrl: 'http://vigil.test', smsSender: 'Vigil' }, b.outcomes);
    await writeOutcomes({ db: t.db, events: t.events, publicUrl: 'http://vigil.test', smsSender: 'Vigil' }, b.outcomes);
    expect(await t.db.selectFrom('follow_ups').select('id').where('person_id', 'in', b.ids).execute()).toHaveLength(6);
    expect(await t.db.selectFrom('case_tasks').select('id').where('person_id', 'in', b.ids).execute()).toHaveLength(3);
    expect(await t.db.selectFrom('call_flags').select('id').where('person_id', 'in', b.ids).execute()).toHaveLength(3);
  });

  it('the audience sync is one statement: joins, details changed, leavers', async () => {
    const commune = communes[0]!;
    const c = (await t.db.selectFrom('call_campaigns').selectAll().where('unit_code', '=', commune).executeTakeFirstOrThrow());
    const members = await t.db.selectFrom('call_audience').select(['person_id', 'phone']).where('campaign_id', '=', c.id).execute();
    const [newcomer] = await monitoredContacts(t.db, commune, DAY, [{ name: 'Mới Vào', phone: '+84912345001' }]);
    await t.db.updateTable('persons').set({ phone: '+84912345002' }).where('id', '=', members[0]!.person_id!).execute();
    await t.db.updateTable('case_contacts').set({ order_end: '2026-11-19' }).where('person_id', '=', members[1]!.person_id!).execute();
    const { db, seen } = counting(t.db);
    const r = await syncAudience(db, t.app.vigil.access.resolver, c, DAY);
    expect(seen.n).toBe(1);
    expect(r).toEqual({ active: members.length, joined: 1, left: 1 });
    const after = await t.db.selectFrom('call_audience').select(['person_id', 'phone', 'active', 'left_at']).where('campaign_id', '=', c.id).execute();
    expect(after.find((a) => a.person_id === newcomer)).toMatchObject({ active: true, phone: '+84912345001' });
    expect(after.find((a) => a.person_id === members[0]!.person_id)).toMatchObject({ active: true, phone: '+84912345002' });
    expect(after.find((a) => a.person_id === members[1]!.person_id)).toMatchObject({ active: false });
    // again: nothing changes, nothing is rewritten
    expect(await syncAudience(t.db, t.app.vigil.access.resolver, c, DAY)).toEqual({ active: members.length, joined: 0, left: 0 });
  });
});
