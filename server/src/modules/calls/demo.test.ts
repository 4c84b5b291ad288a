// The demo's robot calls: a daily F1/F2 campaign for Vinh with yesterday's and today's calls through the simulated
// provider (completed, symptomatic, no answer, wrong number), follow-ups written; seeding twice adds nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testContext, type TestContext } from '../../../test/helpers';
import { seedDemo } from '../../demo';
import { DEMO_CAMPAIGN } from './demo';

let t: TestContext;
const now = new Date('2021-08-05T04:30:00Z');

beforeAll(async () => {
  t = await testContext({ clock: () => now });
}, 60_000);
afterAll(() => t?.close());

describe('calls demo', () => {
  it('seeds a campaign with two days of calls, once', async () => {
    await seedDemo(t.app);
    await t.events.settled();
    const c = await t.db.selectFrom('call_campaigns').selectAll().where('name', '=', DEMO_CAMPAIGN).executeTakeFirstOrThrow();
    const days = await t.db.selectFrom('call_daily').select(['day', 'status', 'symptomatic']).where('campaign_id', '=', c.id).execute();
    expect(new Set(days.map((d) => d.day))).toEqual(new Set(['2021-08-04', '2021-08-05']));
    const today = days.filter((d) => d.day === '2021-08-05');
    expect(today.map((d) => d.status)).toEqual(expect.arrayContaining(['completed', 'exhausted', 'invalid']));
    expect(today.some((d) => d.symptomatic)).toBe(true);
    const robot = await t.db.selectFrom('follow_ups').select('id').where('channel', '=', 'robot_call').execute();
    expect(robot.length).toBeGreaterThan(2);
    const cdc = await t.login('cdc_officer', '40');
    const report = (await t.app.inject({ method: 'GET', url: '/api/calls/report?unit=412&day=2021-08-05', headers: cdc.headers })).json();
    expect(report).toMatchObject({ symptomatic: 1, wrongNumbers: 1 });
    expect(report.reached).toBeGreaterThan(1);
    // two hotline voice messages from the campaign's people, one still open, both playable
    const voice = (await t.app.inject({ method: 'GET', url: '/api/calls/voice-messages?status=all', headers: cdc.headers })).json().items;
    expect(voice).toHaveLength(2);
    expect(voice.filter((v: { handledAt: string | null }) => !v.handledAt)).toHaveLength(1);
    const audio = await t.app.inject({ method: 'GET', url: `/api/calls/voice-messages/${voice[0].id}/audio`, headers: cdc.headers });
    expect(audio.rawPayload.length).toBeGreaterThan(8000);
    const attempts = (await t.db.selectFrom('call_attempts').select('id').execute()).length;
    for (const m of (await import('../../modules')).modules) await m.seedDemo?.(t.app.vigil);
    expect((await t.db.selectFrom('call_attempts').select('id').execute()).length).toBe(attempts);
    expect((await t.db.selectFrom('call_voice_messages').select('id').execute()).length).toBe(2);
  }, 180_000);
});
