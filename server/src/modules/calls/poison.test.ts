// Poison calls: a call that brings its dialer down whenever it is answered. The watchdog gives an answered call whose
// dialer died back at once without counting the attempt (the person's answers were lost with it) — without a cap the
// same call was placed first after every restart and took the dialer down again, forever. After POISON_LIMIT such
// losses it is failed with its reason, shown to the supervisor, and never placed again; a call whose handling merely
// throws inside the dialer is a failed attempt and the dialer goes on with the others.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testContext, type TestContext } from '../../../test/helpers';
import { localTime } from '../../platform/time';
import { acceleratedClock } from './clock';
import { runCampaignDay } from './dialer';
import { leaseDue, POISON_LIMIT, releaseStuck } from './lease';
import { dialerDeps, prepareDay } from './service';
import { silentRenderer } from './sim-render';
import { SimulatedProvider, WELL } from './simulated';
import { createCampaign, saveScript } from './store';
import { HEALTH_CHECK, monitoredContacts, vinhCommune } from './test-fixtures';
import type { CallProvider } from './types';

const TZ = 'Asia/Ho_Chi_Minh';
const DAY = '2026-11-20';
const opens = localTime(DAY, '08:00', TZ);
let t: TestContext;
let commune: string;
let scriptId: string;

beforeAll(async () => {
  t = await testContext({ clock: () => opens });
  commune = await vinhCommune(t.db);
  scriptId = (await saveScript(t.db, { unitCode: '40', script: HEALTH_CHECK, userId: null })).id;
}, 60_000);
afterAll(() => t?.close());

const daily = (personId: string) => t.db.selectFrom('call_daily').selectAll().where('person_id', '=', personId).executeTakeFirstOrThrow();

describe('poison calls', () => {
  it(`an answered call lost with its dialer ${POISON_LIMIT} times is failed with its reason, shown to the supervisor, and not placed again`, async () => {
    const [poison, well] = await monitoredContacts(t.db, commune, DAY, [
      { name: 'Máy Gây Lỗi', phone: '+84912600001' },
      { name: 'Người Khỏe', phone: '+84912600002' },
    ]);
    const c = await createCampaign(t.db, { name: 'F1/F2 poison', unitCode: commune, scriptId, audience: 'monitoring', alertPhones: [], maxAttempts: 3 } as never, null);
    await prepareDay(t.app.vigil, c, DAY);
    await sql`update call_daily set next_at = ${opens} where person_id = ${poison}`.execute(t.db);
    await sql`update call_daily set next_at = ${new Date(opens.getTime() + 3_600_000)} where person_id = ${well}`.execute(t.db);

    // each time: a dialer leases the call (due first), it is answered, and the process dies with it
    let now = opens;
    for (let crash = 1; crash <= POISON_LIMIT; crash++) {
      const leased = await leaseDue(t.db, c.id, DAY, 1, now, 60_000, 'sip');
      expect(leased.map((l) => l.row.person_id)).toEqual([poison]);
      await t.db.updateTable('call_attempts').set({ answered_at: now }).where('id', '=', leased[0]!.attemptId).execute();
      now = new Date(now.getTime() + 61_000);
      expect(await releaseStuck(t.db, now)).toBe(1);
      const row = await daily(poison!);
      expect(row.crashes).toBe(crash);
      if (crash < POISON_LIMIT) expect(row).toMatchObject({ status: 'retry', attempts: 0, failed_reason: null });
      else expect(row).toMatchObject({ status: 'failed', failed_reason: 'dialer-lost-answered', attempts: 1 });
    }

    // the next dialer places the others only
    const clock = acceleratedClock(now, 3000);
    const provider = new SimulatedProvider({ clock, personas: new Map([['+84912600002', WELL]]) });
    const stats = await runCampaignDay(dialerDeps(t.app.vigil, provider, clock, silentRenderer), c.id, DAY);
    expect(stats).toMatchObject({ placed: 1, completed: 1 });
    expect((await daily(well!)).status).toBe('completed');
    expect((await daily(poison!)).status).toBe('failed');

    // the supervisor sees it: the day's figures and the call with its reason
    const sup = await t.login('call_supervisor', '40');
    const camp = await t.app.inject({ method: 'GET', url: `/api/calls/campaigns/${c.id}`, headers: sup.headers });
    expect(camp.json().counts).toMatchObject({ stopped: 1, completed: 1 });
    const calls = await t.app.inject({ method: 'GET', url: `/api/calls/campaigns/${c.id}/calls?day=${DAY}`, headers: sup.headers });
    const item = calls.json<{ items: { personId: string; status: string; failedReason: string | null }[] }>().items.find((x) => x.personId === poison);
    expect(item).toMatchObject({ status: 'failed', failedReason: 'dialer-lost-answered' });
    // later watchdog runs and the day's close leave it as it is
    expect(await releaseStuck(t.db, new Date(now.getTime() + 3_600_000))).toBe(0);
    expect((await daily(poison!)).status).toBe('failed');
  });

  it('a call whose handling throws inside the dialer is a failed attempt with the error; the dialer finishes the others', async () => {
    const [bad, good] = await monitoredContacts(t.db, commune, DAY, [
      { name: 'Lỗi Khi Cúp', phone: '+84912600011' },
      { name: 'Bình Thường', phone: '+84912600012' },
    ]);
    const c = await createCampaign(t.db, { name: 'F1/F2 throws', unitCode: commune, scriptId, audience: 'monitoring', alertPhones: [], maxAttempts: 2 } as never, null);
    await prepareDay(t.app.vigil, c, DAY);
    const clock = acceleratedClock(opens, 3000);
    const sim = new SimulatedProvider({ clock, personas: new Map([['+84912600011', WELL], ['+84912600012', WELL]]) });
    // the far end of this number makes the session fail on hang-up (a provider's bug this call triggers)
    const provider: CallProvider = {
      name: 'flaky',
      maxChannels: 10,
      start: () => sim.start(),
      close: () => sim.close(),
      onInbound: (h) => sim.onInbound(h),
      dial: async (to, o) => {
        const r = await sim.dial(to, o);
        if (to === '+84912600011' && r.session) {
          const s = r.session;
          const hangup = s.hangup.bind(s);
          s.hangup = async () => {
            await hangup();
            throw new Error('session torn down twice');
          };
        }
        return r;
      },
    };
    const stats = await runCampaignDay(dialerDeps(t.app.vigil, provider, clock, silentRenderer), c.id, DAY);
    expect((await daily(good!)).status).toBe('completed');
    const row = await daily(bad!);
    expect(row).toMatchObject({ status: 'exhausted', attempts: 2, last_disposition: 'failed' });
    const cdrs = await t.db.selectFrom('call_attempts').select(['disposition', 'reason']).where('person_id', '=', bad!).execute();
    expect(cdrs).toEqual([
      { disposition: 'failed', reason: 'dialer error: session torn down twice' },
      { disposition: 'failed', reason: 'dialer error: session torn down twice' },
    ]);
    expect(stats.unrecorded).toBe(0);
  });
});
