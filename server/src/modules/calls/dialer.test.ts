// The dialer with the simulated provider on an accelerated clock pinned to a day: windows, retries by
// disposition, max attempts, idempotent day creation, opt-outs, pacing, and the F1/F2 campaign writing follow-ups.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testContext, type TestContext } from '../../../test/helpers';
import { localTime } from '../../platform/time';
import { acceleratedClock } from './clock';
import { runCampaignDay } from './dialer';
import { planActive } from './jobs';
import { nonReporting } from './lists';
import { dialerDeps, prepareDay } from './service';
import { silentRenderer } from './sim-render';
import { FEVERISH, SimulatedProvider, WELL, type Persona } from './simulated';
import { createCampaign, saveScript } from './store';
import { HEALTH_CHECK, monitoredContacts, vinhCommune } from './test-fixtures';

const TZ = 'Asia/Ho_Chi_Minh';
const DAY = '2026-11-20';
const opens = localTime(DAY, '08:00', TZ);
let t: TestContext;
let commune: string;
let scriptId: string;

let appNow = opens;
beforeAll(async () => {
  t = await testContext({ clock: () => appNow });
  commune = await vinhCommune(t.db);
  scriptId = (await saveScript(t.db, { unitCode: '40', script: HEALTH_CHECK, userId: null })).id;
}, 60_000);
afterAll(() => t?.close());

const phone = (n: number) => `+849120${String(n).padStart(5, '0')}`;
const ctx = () => t.app.vigil;

async function campaign(extra: Record<string, unknown> = {}) {
  return createCampaign(t.db, { name: `F1/F2 ${Math.random()}`, unitCode: commune, scriptId, audience: 'monitoring', alertPhones: ['0912999000'], ...extra } as never, null);
}

async function run(c: { id: string }, personas: Map<string, Persona>, start = opens, extra: { maxChannels?: number; factor?: number } = {}) {
  // fast enough for a day in seconds; a stall of the busy test machine stays a few simulated minutes
  const clock = acceleratedClock(start, extra.factor ?? 3000);
  const provider = new SimulatedProvider({ clock, personas, maxChannels: extra.maxChannels });
  const stats = await runCampaignDay(dialerDeps(ctx(), provider, clock, silentRenderer), c.id, DAY);
  return { stats, provider };
}

const attemptsOf = (personId: string) => t.db.selectFrom('call_attempts').selectAll().where('person_id', '=', personId).orderBy('started_at').execute();
const dailyOf = (personId: string, campaignId: string) => t.db.selectFrom('call_daily').selectAll().where('person_id', '=', personId).where('campaign_id', '=', campaignId).executeTakeFirstOrThrow();

describe('dialer', () => {
  it('runs a day of an F1/F2 campaign: follow-ups written, retries by disposition, wrong numbers, opt-outs, SMS fallback', async () => {
    const base = 100;
    const people = [
      { name: 'An Khỏe', phone: phone(base + 1), persona: WELL },
      { name: 'Bình Sốt', phone: phone(base + 2), persona: FEVERISH },
      { name: 'Cường Bận', phone: phone(base + 3), persona: { ...WELL, from: 2, before: 'busy' } as Persona },
      { name: 'Dũng Vắng', phone: phone(base + 4), persona: { kind: 'no-answer' } as Persona },
      { name: 'Em Sai Số', phone: phone(base + 5), persona: { kind: 'invalid' } as Persona },
      { name: 'Giang Từ Chối', phone: phone(base + 6), persona: WELL },
      { name: 'Hà Cúp Máy', phone: phone(base + 7), persona: { kind: 'hangs-up' } as Persona },
      { name: 'Khánh F2', phone: phone(base + 8), persona: WELL, level: 2 },
    ];
    const ids = await monitoredContacts(t.db, commune, DAY, people);
    const byName = new Map(people.map((p, i) => [p.name, ids[i]!]));
    await t.db.insertInto('sms_opt_outs').values({ phone: phone(base + 6), source: 'sms', reason: 'STOP', unit_code: null, created_by: null, created_by_username: null }).execute();
    const c = await campaign();

    const first = await prepareDay(ctx(), c, DAY);
    expect(first).toMatchObject({ created: 8, members: 8 });
    expect(await prepareDay(ctx(), c, DAY)).toMatchObject({ created: 0, members: 8 }); // idempotent

    const { stats } = await run(c, new Map(people.map((p) => [p.phone, p.persona])));
    expect(stats.windowClosed).toBe(false);

    // well: completed, a robot-call follow-up without symptoms
    const fu = (id: string) => t.db.selectFrom('follow_ups').selectAll().where('person_id', '=', id).where('day', '=', DAY).executeTakeFirst();
    expect(await fu(byName.get('An Khỏe')!)).toMatchObject({ channel: 'robot_call', symptoms: false });
    expect(await fu(byName.get('Khánh F2')!)).toMatchObject({ channel: 'robot_call', symptoms: false });
    // fever: follow-up with the symptom, on the symptomatic list, the area alerted by SMS
    expect(await fu(byName.get('Bình Sốt')!)).toMatchObject({ symptoms: true, symptom_list: ['fever'] });
    const flag = await t.db.selectFrom('call_flags').selectAll().where('person_id', '=', byName.get('Bình Sốt')!).executeTakeFirstOrThrow();
    expect(flag).toMatchObject({ kind: 'symptomatic', day: DAY, unit_code: commune });
    // busy at first: redialled 10 minutes later, then completed
    const busy = await attemptsOf(byName.get('Cường Bận')!);
    expect(busy.map((a) => a.disposition)).toEqual(['busy', 'completed']);
    expect(busy[1]!.started_at.getTime() - busy[0]!.ended_at!.getTime()).toBeGreaterThanOrEqual(10 * 60_000);
    expect(busy[1]).toMatchObject({ sip_code: 200, kind: 'robot', direction: 'outbound' });
    expect(Number(busy[1]!.billsec)).toBeGreaterThan(10);
    expect(busy[1]!.digits).toBe('1 2 2 2 2 1');
    // no answer: three attempts 30+ minutes apart (max attempts), then the survey by SMS
    const none = await attemptsOf(byName.get('Dũng Vắng')!);
    expect(none.map((a) => [a.disposition, a.sip_code])).toEqual([['no-answer', 487], ['no-answer', 487], ['no-answer', 487]]);
    for (let i = 1; i < 3; i++) expect(none[i]!.started_at.getTime() - none[i - 1]!.ended_at!.getTime()).toBeGreaterThanOrEqual(30 * 60_000);
    const noneDay = await dailyOf(byName.get('Dũng Vắng')!, c.id);
    expect(noneDay).toMatchObject({ status: 'exhausted', attempts: 3 });
    expect(noneDay.survey_token).toMatch(/^[A-Za-z0-9_-]{22}$/);
    // invalid number: one attempt, wrong-number list, never redialled
    expect((await attemptsOf(byName.get('Em Sai Số')!)).map((a) => a.sip_code)).toEqual([404]);
    expect(await dailyOf(byName.get('Em Sai Số')!, c.id)).toMatchObject({ status: 'invalid' });
    expect(await t.db.selectFrom('call_flags').select('kind').where('person_id', '=', byName.get('Em Sai Số')!).executeTakeFirstOrThrow()).toEqual({ kind: 'wrong-number' });
    // opted out: never called
    expect(await attemptsOf(byName.get('Giang Từ Chối')!)).toEqual([]);
    expect(await dailyOf(byName.get('Giang Từ Chối')!, c.id)).toMatchObject({ status: 'opted-out' });
    // hangs up mid-prompt: incomplete, retried until max attempts
    const hung = await attemptsOf(byName.get('Hà Cúp Máy')!);
    expect(hung.map((a) => a.disposition)).toEqual(['incomplete', 'incomplete', 'incomplete']);

    // every call inside the window
    const all = await t.db.selectFrom('call_attempts').select('started_at').where('campaign_id', '=', c.id).execute();
    for (const a of all) expect(a.started_at.getTime()).toBeGreaterThanOrEqual(opens.getTime());

    // SMS: the symptomatic alert to the area, the survey link to the unreachable
    await t.events.settled();
    const notes = await t.db.selectFrom('notifications').select(['purpose', 'recipient']).where('purpose', 'like', 'calls.%').execute();
    expect(notes).toEqual(expect.arrayContaining([{ purpose: 'calls.symptomatic', recipient: '+84912999000' }, { purpose: 'calls.survey', recipient: phone(base + 4) }]));

    // the next day: the wrong number is not dialled again
    const next = await prepareDay(ctx(), c, '2026-11-21');
    expect(next.created).toBe(8);
    const nextRow = await t.db.selectFrom('call_daily').select('status').where('person_id', '=', byName.get('Em Sai Số')!).where('day', '=', '2026-11-21').executeTakeFirstOrThrow();
    expect(nextRow.status).toBe('invalid');

    // two days planned without a completed call: non-reporting; whoever answered yesterday is not
    const nr = (await nonReporting(t.db, [commune], '2026-11-21')).map((x) => x.fullName);
    expect(nr).toEqual(expect.arrayContaining(['Dũng Vắng', 'Hà Cúp Máy']));
    expect(nr).not.toContain('An Khỏe');
    expect(nr).not.toContain('Giang Từ Chối');
  }, 120_000);

  it('follows the cases module: a finished trace brings new F1s into today, a new case leaves', async () => {
    const c = await campaign();
    await prepareDay(ctx(), c, DAY);
    const before = await t.db.selectFrom('call_daily').select('id').where('campaign_id', '=', c.id).execute();
    const [newcomer] = await monitoredContacts(t.db, commune, DAY, [{ name: 'Mới Truy Vết', phone: phone(401) }]);
    const contact = await t.db.selectFrom('case_contacts').select('case_id').where('person_id', '=', newcomer!).executeTakeFirstOrThrow();
    await t.db.transaction().execute((trx) => t.events.publish(trx, 'case.traced', { caseId: contact.case_id, communeCode: commune }));
    await t.events.settled();
    const row = await t.db.selectFrom('call_daily').select('status').where('campaign_id', '=', c.id).where('person_id', '=', newcomer!).executeTakeFirstOrThrow();
    expect(row.status).toBe('queued');
    expect((await t.db.selectFrom('call_daily').select('id').where('campaign_id', '=', c.id).execute()).length).toBe(before.length + 1);
    // confirmed as a case: out of every audience, today's call cancelled
    // as the cases module confirms a case: the contact's follow-up ends in the same transaction as the event
    await t.db.transaction().execute(async (trx) => {
      await trx.updateTable('case_contacts').set({ status: 'became_case' }).where('person_id', '=', newcomer!).execute();
      await t.events.publish(trx, 'case.confirmed', { caseId: contact.case_id, code: 'BN-X', personId: newcomer!, communeCode: commune, confirmedAt: opens.toISOString(), origin: 'officer' });
    });
    await t.events.settled();
    const after = await t.db.selectFrom('call_daily').select('status').where('campaign_id', '=', c.id).where('person_id', '=', newcomer!).executeTakeFirstOrThrow();
    expect(after.status).toBe('cancelled');
    const member = await t.db.selectFrom('call_audience').select('active').where('campaign_id', '=', c.id).where('person_id', '=', newcomer!).executeTakeFirstOrThrow();
    expect(member.active).toBe(false);
  }, 60_000);

  it('waits for the window to open and ends the day when it closes: open calls exhausted', async () => {
    const people = [{ name: 'Lan Vắng', phone: phone(201) }];
    const [id] = await monitoredContacts(t.db, commune, DAY, people);
    const c = await campaign({ windowStart: '08:00', windowEnd: '09:00', retryNoAnswerMinutes: 20, maxAttempts: 5 });
    await prepareDay(ctx(), c, DAY);
    const { stats } = await run(c, new Map([[phone(201), { kind: 'no-answer' }]]), localTime(DAY, '07:58', TZ), { factor: 600 });
    const attempts = await attemptsOf(id!);
    expect(attempts[0]!.started_at.getTime()).toBeGreaterThanOrEqual(opens.getTime());
    // 08:00, ~08:21, ~08:42; the next (~09:03) would be past 09:00: no more today
    expect(attempts.map((a) => a.disposition)).toEqual(['no-answer', 'no-answer', 'no-answer']);
    expect(stats.exhausted).toBe(1);
    expect(await dailyOf(id!, c.id)).toMatchObject({ status: 'exhausted' });
  }, 60_000);

  it('plans every active campaign by the job, and ends a day whose window closed without a dialer', async () => {
    const [id] = await monitoredContacts(t.db, commune, DAY, [{ name: 'Không Ai Gọi', phone: phone(501) }]);
    const c = await campaign();
    await planActive(ctx());
    expect(await dailyOf(id!, c.id)).toMatchObject({ status: 'queued', attempts: 0 });
    appNow = localTime(DAY, '17:30', TZ);
    try {
      await planActive(ctx());
    } finally {
      appNow = opens;
    }
    const row = await dailyOf(id!, c.id);
    expect(row.status).toBe('exhausted');
    expect(row.sms_fallback_at).not.toBeNull();
  }, 60_000);

  it('keeps to the campaign channels and calls per second', async () => {
    const people = Array.from({ length: 24 }, (_, i) => ({ name: `Người ${i}`, phone: phone(300 + i) }));
    await monitoredContacts(t.db, commune, DAY, people);
    const c = await campaign({ channels: 3, callsPerSecond: 2 });
    await prepareDay(ctx(), c, DAY);
    const { provider, stats } = await run(c, new Map(people.map((p) => [p.phone, WELL])), opens, { maxChannels: 50 });
    expect(stats.completed).toBeGreaterThanOrEqual(24);
    expect(provider.peak).toBeLessThanOrEqual(3);
    expect(provider.peak).toBe(3);
    const placed = [...provider.placed].sort((a, b) => a - b);
    // any one second holds at most 2 new calls (+1 of burst)
    for (let i = 0; i < placed.length; i++) expect(placed.filter((x) => x >= placed[i]! && x < placed[i]! + 1000).length).toBeLessThanOrEqual(3);
  }, 60_000);
});
