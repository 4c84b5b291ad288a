// The inbound hotline's logic over the simulated provider: a caller known by caller id takes their campaign's
// survey; an unknown number types a national id; self-reports land in follow-ups and the symptomatic list, and
// today's robot call is no longer needed.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testContext, type TestContext } from '../../../test/helpers';
import { localTime } from '../../platform/time';
import { acceleratedClock } from './clock';
import { hotlineHandler } from './hotline';
import { prepareDay } from './service';
import { silentRenderer } from './sim-render';
import { FEVERISH, SimulatedProvider, WELL } from './simulated';
import { createCampaign, saveScript } from './store';
import { HEALTH_CHECK, monitoredContacts, vinhCommune } from './test-fixtures';

const DAY = '2026-11-20';
const at = localTime(DAY, '19:00', 'Asia/Ho_Chi_Minh');
let t: TestContext;
let provider: SimulatedProvider;
let ids: string[];

beforeAll(async () => {
  t = await testContext({ clock: () => at });
  const commune = await vinhCommune(t.db);
  const scriptId = (await saveScript(t.db, { unitCode: '40', script: HEALTH_CHECK, userId: null })).id;
  ids = await monitoredContacts(t.db, commune, DAY, [
    { name: 'Gọi Đến Sốt', phone: '+84912770001' },
    { name: 'Số Mới', phone: '+84912770002' },
  ]);
  await sql`update persons set national_id = '001234567890' where id = ${ids[1]!}`.execute(t.db);
  const c = await createCampaign(t.db, { name: 'F1/F2', unitCode: commune, scriptId, audience: 'monitoring', alertPhones: ['0912999222'] } as never, null);
  await prepareDay(t.app.vigil, c, DAY);
  const clock = acceleratedClock(at, 3000);
  provider = new SimulatedProvider({ clock });
  provider.onInbound(hotlineHandler({ db: t.db, events: t.events, publicUrl: 'http://vigil.test', timeZone: 'Asia/Ho_Chi_Minh', clock, render: silentRenderer, defaultUnit: 'VN' }));
}, 60_000);
afterAll(() => t?.close());

describe('hotline', () => {
  it('identifies the caller by caller id and records a symptomatic self-report', async () => {
    await provider.callIn('0912770001', FEVERISH);
    const fu = await t.db.selectFrom('follow_ups').selectAll().where('person_id', '=', ids[0]!).executeTakeFirstOrThrow();
    expect(fu).toMatchObject({ day: DAY, channel: 'self', symptoms: true, symptom_list: ['fever'] });
    const flag = await t.db.selectFrom('call_flags').selectAll().where('person_id', '=', ids[0]!).executeTakeFirstOrThrow();
    expect(flag).toMatchObject({ kind: 'symptomatic', source: 'inbound' });
    const cdr = await t.db.selectFrom('call_attempts').selectAll().where('person_id', '=', ids[0]!).executeTakeFirstOrThrow();
    expect(cdr).toMatchObject({ direction: 'inbound', disposition: 'completed', digits: '1 1 2 2 2 1' });
    // the robot does not call them again today
    const daily = await t.db.selectFrom('call_daily').select(['status', 'symptomatic']).where('person_id', '=', ids[0]!).executeTakeFirstOrThrow();
    expect(daily).toEqual({ status: 'completed', symptomatic: true });
  });

  it('asks an unknown number for the national id', async () => {
    await provider.callIn('0987000111', { kind: 'answers', keys: [...'001234567890#', ...WELL.keys!] });
    const fu = await t.db.selectFrom('follow_ups').selectAll().where('person_id', '=', ids[1]!).executeTakeFirstOrThrow();
    expect(fu).toMatchObject({ channel: 'self', symptoms: false });
  });

  it('keeps an unidentified caller’s symptoms under their number', async () => {
    await provider.callIn('0987000222', { kind: 'answers', keys: [...'999999999999#', ...FEVERISH.keys!] });
    const flag = await t.db.selectFrom('call_flags').selectAll().where('phone', '=', '+84987000222').executeTakeFirstOrThrow();
    expect(flag).toMatchObject({ kind: 'symptomatic', person_id: null, unit_code: 'VN', source: 'inbound' });
  });
});
