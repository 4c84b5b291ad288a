// Demo data: the default scripts for Nghệ An, a daily F1/F2 campaign for TP Vinh (district 412) over the cases
// module's demo contacts, and yesterday's and today's calls through the simulated provider (completed, one with
// fever, one never answering, one wrong number), plus the daily report of yesterday, and two hotline voice messages
// (spoken by espeak-ng when it is installed). Idempotent.
import path from 'node:path';
import type { AppContext } from '../../platform/module';
import { addDays, localTime } from '../../platform/time';
import { acceleratedClock } from './clock';
import { DEFAULT_SCRIPTS } from './default-scripts';
import { makeDailyReports } from './report';
import { prepareAndRun, prepareDay, today } from './service';
import { silentRenderer } from './sim-render';
import { FEVERISH, SimulatedProvider, WELL, type Persona } from './simulated';
import { createCampaign, saveScript } from './store';
import { Tts } from './tts';
import { seedVoiceDemo } from './voice';

export const DEMO_CAMPAIGN = 'Gọi tự động F1/F2 hằng ngày — TP Vinh';

export async function seedCallsDemo(ctx: AppContext) {
  const db = ctx.db;
  if (await db.selectFrom('call_campaigns').select('id').where('name', '=', DEMO_CAMPAIGN).executeTakeFirst()) return;
  if (!(await ctx.access.resolver.unit('412'))) return;
  const ids = new Map<string, string>();
  for (const s of DEFAULT_SCRIPTS) ids.set(s.name, (await saveScript(db, { unitCode: '40', script: s, userId: null })).id);
  const c = await createCampaign(db, { name: DEMO_CAMPAIGN, unitCode: '412', scriptId: ids.get('daily-health-check')!, audience: 'monitoring', alertPhones: ['0912000901'], channels: 10, callsPerSecond: 2 }, null);
  const day = today(ctx);
  for (const d of [addDays(day, -1), day]) {
    // the day's members (synced and planned first; prepareAndRun repeats it, creating nothing), only those called
    // today: a member who left (order ended) keeps a row, and handing them an odd persona left a list empty now and then
    await prepareDay(ctx, c, d);
    const members = await db.selectFrom('call_audience').select('phone').where('campaign_id', '=', c.id).where('active', '=', true).orderBy('member_key').execute();
    const personas = new Map<string, Persona>();
    const odd: Persona[] = [FEVERISH, { kind: 'no-answer' }, { kind: 'invalid' }, { ...WELL, from: 2, before: 'busy' }];
    // by phone, each phone once (people of one household may share a phone: a later one must not undo an odd persona)
    const phones = [...new Set(members.flatMap((m) => (m.phone ? [m.phone] : [])))];
    phones.forEach((phone, i) => personas.set(phone, d === day ? (odd[i] ?? WELL) : i === 1 ? { kind: 'no-answer' } : WELL));
    const clock = acceleratedClock(localTime(d, c.window_start, ctx.config.timeZone), 3000);
    const provider = new SimulatedProvider({ clock, personas, maxChannels: c.channels });
    await prepareAndRun(ctx, c, d, provider, clock, silentRenderer);
  }
  await makeDailyReports(ctx, addDays(day, -1), { send: false });
  await seedVoiceDemo(db, c.id, ctx.config.clock(), new Tts({ cacheDir: path.join(ctx.config.dataDir, 'tts') }).render);
}
