// Planning and recording at scale, as an operator relies on it: re-planning a day (the 10-minute job, a trace
// finishing, an officer pressing "run") never adds a second call for anyone nor resets calls already made; the
// dialer's outcomes, written in batches, survive failed writes (tried again, no result lost or doubled) and a dialer
// that stops with results it could not write (the watchdog gives the calls back and the people are called again).
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testContext, type LoggedIn, type TestContext } from '../../../test/helpers';
import { localTime } from '../../platform/time';
import { acceleratedClock } from './clock';
import { runCampaignDay } from './dialer';
import { releaseStuck } from './lease';
import { dialerDeps, prepareDay } from './service';
import { silentRenderer } from './sim-render';
import { FEVERISH, SimulatedProvider, WELL } from './simulated';
import { createCampaign, saveScript } from './store';
import { HEALTH_CHECK, monitoredContacts, vinhCommune } from './test-fixtures';

const TZ = 'Asia/Ho_Chi_Minh';
const DAY = '2026-11-20';
const opens = localTime(DAY, '08:00', TZ);
let t: TestContext;
let commune: string;
let communes: string[];
let scriptId: string;
let cdc: LoggedIn;

beforeAll(async () => {
  t = await testContext({ clock: () => opens });
  commune = await vinhCommune(t.db);
  // one commune per test: a campaign calls every F1/F2 of its commune
  communes = (await t.db.selectFrom('admin_units').select('code').where('level', '=', 'commune').where('path', 'like', '/VN/40/%').orderBy('code').limit(4).execute()).map((u) => u.code);
  scriptId = (await saveScript(t.db, { unitCode: '40', script: HEALTH_CHECK, userId: null })).id;
  cdc = await t.login('cdc_officer', '40');
}, 120_000);
afterAll(() => t?.close());

const ctx = () => t.app.vigil;
const phone = (n: number) => `+849130${String(n).padStart(5, '0')}`;
const campaign = (extra: Record<string, unknown> = {}, unitCode = commune) =>
  createCampaign(t.db, { name: `Lô ${Math.random()}`, unitCode, scriptId, audience: 'monitoring', alertPhones: ['0912999000'], ...extra } as never, null);
const planRun = (id: string, day?: string) =>
  t.app.inject({ method: 'POST', url: `/api/calls/campaigns/${id}/run`, headers: cdc.headers, payload: day ? { day } : {} });
const dayRows = (id: string, day = DAY) => t.db.selectFrom('call_daily').selectAll().where('campaign_id', '=', id).where('day', '=', day).orderBy('member_key').execute();

describe('re-planning a day', () => {
  it('adds no duplicates (even two plans at once), keeps calls already made, adds newcomers, cancels leavers', async () => {
    const people = Array.from({ length: 12 }, (_, i) => ({ name: `Kế Hoạch ${i}`, phone: phone(100 + i) }));
    const ids = await monitoredContacts(t.db, commune, DAY, people);
    const c = await campaign();

    // two officers (or the job and an officer) plan the same day at the same moment
    const [a, b] = await Promise.all([planRun(c.id), planRun(c.id)]);
    expect([a.statusCode, b.statusCode]).toEqual([200, 200]);
    expect(a.json().created + b.json().created).toBe(12);
    let rows = await dayRows(c.id);
    expect(rows).toHaveLength(12);
    expect(new Set(rows.map((r) => r.member_key)).size).toBe(12);

    // the day moves on: one completed, one waiting for a retry
    await t.db.updateTable('call_daily').set({ status: 'completed', attempts: 1, completed_at: opens }).where('id', '=', rows[0]!.id).execute();
    const retryAt = new Date(opens.getTime() + 30 * 60_000);
    await t.db.updateTable('call_daily').set({ status: 'retry', attempts: 2, next_at: retryAt }).where('id', '=', rows[1]!.id).execute();

    const again = await planRun(c.id);
    expect(again.json()).toMatchObject({ created: 0, cancelled: 0, members: 12 });
    rows = await dayRows(c.id);
    expect(rows).toHaveLength(12);
    expect(rows[0]).toMatchObject({ status: 'completed', attempts: 1 });
    expect(rows[1]).toMatchObject({ status: 'retry', attempts: 2, next_at: retryAt });

    // a trace brings a newcomer; the re-plan adds exactly that one
    const [newcomer] = await monitoredContacts(t.db, commune, DAY, [{ name: 'Mới Đến', phone: phone(150) }]);
    expect((await planRun(c.id)).json()).toMatchObject({ created: 1, members: 13 });
    expect((await dayRows(c.id)).filter((r) => r.person_id === newcomer)).toHaveLength(1);

    // one of them finished quarantine: out of the audience, the queued call cancelled, no new row
    // (a queued one: rows[0] and rows[1], in key order, were made completed and retry above)
    const leaver = rows[5]!.person_id!;
    await t.db.updateTable('case_contacts').set({ order_end: '2026-11-19' }).where('person_id', '=', leaver).execute();
    expect((await planRun(c.id)).json()).toMatchObject({ created: 0, cancelled: 1, members: 12 });
    rows = await dayRows(c.id);
    expect(rows).toHaveLength(13);
    expect(rows.find((r) => r.person_id === leaver)!.status).toBe('cancelled');
    expect((await planRun(c.id)).json()).toMatchObject({ created: 0, cancelled: 0 });

    // the next day is its own plan
    expect((await planRun(c.id, '2026-11-21')).json()).toMatchObject({ created: 12 });
    expect(await dayRows(c.id)).toHaveLength(13);
  }, 120_000);
});

describe('leases', () => {
  it('calls leased ahead but not started when the window closes go back: no CDR, exhausted with the rest, pacing kept', async () => {
    const people = Array.from({ length: 5 }, (_, i) => ({ name: `Chờ Lượt ${i}`, phone: phone(400 + i) }));
    const ids = await monitoredContacts(t.db, communes[3]!, DAY, people);
    // one call per 100 s, a 5-minute window: three calls can start, the others wait for their turn
    const c = await campaign({ channels: 5, callsPerSecond: 0.01, windowStart: '08:00', windowEnd: '08:05' }, communes[3]);
    await prepareDay(ctx(), c, DAY);
    const clock = acceleratedClock(opens, 1000);
    const provider = new SimulatedProvider({ clock, personas: new Map(people.map((p) => [p.phone, WELL])), maxChannels: 5 });
    const stats = await runCampaignDay(dialerDeps(ctx(), provider, clock, silentRenderer), c.id, DAY);
    expect(stats.windowClosed).toBe(true);
    const cdrs = await t.db.selectFrom('call_attempts').select(['person_id', 'started_at', 'ended_at']).where('campaign_id', '=', c.id).orderBy('started_at').execute();
    expect(cdrs.length).toBe(stats.placed);
    expect(cdrs.length).toBeGreaterThanOrEqual(2);
    expect(cdrs.length).toBeLessThanOrEqual(3);
    for (const a of cdrs) expect(a.ended_at).not.toBeNull();
    for (let i = 1; i < cdrs.length; i++) expect(cdrs[i]!.started_at.getTime() - cdrs[i - 1]!.started_at.getTime()).toBeGreaterThanOrEqual(99_000);
    const rows = await dayRows(c.id);
    const called = new Set(cdrs.map((a) => a.person_id));
    for (const r of rows.filter((x) => !called.has(x.person_id))) expect(r).toMatchObject({ status: 'exhausted', attempts: 0, lease_until: null });
    expect(rows.filter((x) => !called.has(x.person_id))).toHaveLength(5 - cdrs.length);
    expect(rows.every((r) => ids.includes(r.person_id!))).toBe(true);
  }, 120_000);
});

describe('batched outcomes', () => {
  // a real failure of the database inside the outcome's transaction: a trigger on the CDR's end refuses the first
  // `failures` writes (a sequence counts them: it is not rolled back with the transaction that failed)
  async function failWrites(campaignId: string, failures: number) {
    await sql`create sequence if not exists calls_test_fail`.execute(t.db);
    await sql`select setval('calls_test_fail', 1, false)`.execute(t.db);
    await sql.raw(`create or replace function calls_test_fail() returns trigger language plpgsql as $$
      begin
        if nextval('calls_test_fail') <= ${failures} then raise exception 'injected: the database refused the write'; end if;
        return new;
      end $$`).execute(t.db);
    await sql.raw(`drop trigger if exists calls_test_fail on call_attempts`).execute(t.db);
    await sql.raw(`create trigger calls_test_fail before update on call_attempts for each row
      when (new.campaign_id = '${campaignId}' and new.ended_at is not null and old.ended_at is null) execute function calls_test_fail()`).execute(t.db);
  }
  const stopFailing = () => sql.raw(`drop trigger if exists calls_test_fail on call_attempts`).execute(t.db);

  async function audience(unit: string, base: number, n: number) {
    const people = Array.from({ length: n }, (_, i) => ({ name: `Lô Ghi ${base + i}`, phone: phone(base + i) }));
    const ids = await monitoredContacts(t.db, unit, DAY, people);
    const personas = new Map(people.map((p, i) => [p.phone, i % 4 === 0 ? FEVERISH : WELL]));
    return { ids, personas };
  }
  const followUps = (ids: string[]) => t.db.selectFrom('follow_ups').select(['person_id', 'symptoms', 'channel']).where('person_id', 'in', ids).where('day', '=', DAY).execute();

  it('a batch the database refuses is written again: every answer recorded once, nothing reported done before it was', async () => {
    const { ids, personas } = await audience(communes[1]!, 200, 16);
    const c = await campaign({ channels: 16, callsPerSecond: 50 }, communes[1]);
    await prepareDay(ctx(), c, DAY);
    await failWrites(c.id, 3);
    const errors: string[] = [];
    try {
      const clock = acceleratedClock(opens, 3000);
      const provider = new SimulatedProvider({ clock, personas, maxChannels: 16 });
      const stats = await runCampaignDay({ ...dialerDeps(ctx(), provider, clock, silentRenderer), onWriteError: (e) => errors.push((e as Error).message) }, c.id, DAY);
      expect(errors.length).toBeGreaterThanOrEqual(3);
      expect(errors[0]).toMatch(/injected/);
      expect(stats).toMatchObject({ placed: 16, completed: 16, symptomatic: 4, unrecorded: 0, retries: 0 });
    } finally {
      await stopFailing();
    }
    // one call each (a failed write is not a failed call), each a finished CDR, each a follow-up
    const attempts = await t.db.selectFrom('call_attempts').select(['person_id', 'disposition', 'ended_at', 'digits']).where('campaign_id', '=', c.id).execute();
    expect(attempts).toHaveLength(16);
    for (const a of attempts) expect(a).toMatchObject({ disposition: 'completed', ended_at: expect.any(Date) });
    expect((await dayRows(c.id)).map((r) => r.status)).toEqual(Array(16).fill('completed'));
    const fus = await followUps(ids);
    expect(fus).toHaveLength(16);
    expect(fus.filter((f) => f.symptoms)).toHaveLength(4);
    const flags = await t.db.selectFrom('call_flags').select('person_id').where('campaign_id', '=', c.id).where('kind', '=', 'symptomatic').execute();
    expect(flags).toHaveLength(4);
  }, 120_000);

  it('a dialer that stops with results it could not write loses none: the watchdog gives the calls back, the people are called again', async () => {
    const { ids, personas } = await audience(communes[2]!, 300, 8);
    const c = await campaign({ channels: 8, callsPerSecond: 50, maxAttempts: 1 }, communes[2]);
    await prepareDay(ctx(), c, DAY);
    await failWrites(c.id, 1_000_000);
    const stop = new AbortController();
    let first;
    try {
      const clock = acceleratedClock(opens, 3000);
      const provider = new SimulatedProvider({ clock, personas, maxChannels: 8 });
      // the database refuses the results; the dialer is stopped meanwhile (a shutdown, a crash)
      first = await runCampaignDay({ ...dialerDeps(ctx(), provider, clock, silentRenderer, stop.signal), onWriteError: () => stop.abort() }, c.id, DAY);
    } finally {
      await stopFailing();
    }
    expect(first).toMatchObject({ placed: 8, completed: 0, unrecorded: 8 });
    // nothing was reported done: the calls are still open, the people answered (the dashboard saw it)
    expect((await dayRows(c.id)).map((r) => r.status)).toEqual(Array(8).fill('calling'));
    expect(await followUps(ids)).toEqual([]);
    const open = await t.db.selectFrom('call_attempts').select(['answered_at', 'ended_at']).where('campaign_id', '=', c.id).execute();
    expect(open.every((a) => a.answered_at !== null && a.ended_at === null)).toBe(true);

    // the watchdog, once the leases ran out: answered calls whose answers were lost are due again at once and do
    // not use up the day's only attempt (max attempts 1)
    const later = new Date(opens.getTime() + 30 * 60_000);
    expect(await releaseStuck(t.db, later)).toBe(8);
    expect((await dayRows(c.id)).map((r) => [r.status, r.attempts])).toEqual(Array(8).fill(['retry', 0]));

    const clock = acceleratedClock(later, 3000);
    const provider = new SimulatedProvider({ clock, personas, maxChannels: 8 });
    const second = await runCampaignDay(dialerDeps(ctx(), provider, clock, silentRenderer), c.id, DAY);
    expect(second).toMatchObject({ placed: 8, completed: 8, symptomatic: 2, unrecorded: 0 });
    expect((await dayRows(c.id)).map((r) => r.status)).toEqual(Array(8).fill('completed'));
    expect(await followUps(ids)).toHaveLength(8);
    const cdrs = await t.db.selectFrom('call_attempts').select('disposition').where('campaign_id', '=', c.id).orderBy('id').execute();
    expect(cdrs.map((x) => x.disposition).sort()).toEqual([...Array(8).fill('completed'), ...Array(8).fill('failed')]);
  }, 120_000);
});
