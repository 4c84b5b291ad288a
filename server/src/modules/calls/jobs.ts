// Background work of the calls module: every few minutes the active campaigns' day is prepared (audience synced,
// calls created) and, where jobs run, a dialer per campaign works it inside its window; a watchdog frees calls
// stuck past their lease; the daily report is made at the cut-off hour.
import type { AppContext } from '../../platform/module';
import { inDailyWindow, localTime } from '../../platform/time';
import { realClock } from './clock';
import { closeDay, runCampaignDay } from './dialer';
import { nextDue, releaseStuck } from './lease';
import { hotlineHandler, type HotlineDeps } from './hotline';
import { createCallProviders } from './provider';
import type { TwimlProvider } from './providers/twiml';
import { makeAndSendReports } from './report-mail';
import { dialerDeps, prepareDay, today } from './service';
import type { PromptRenderer } from './types';
import { purgeVoiceMessages } from './voice';
import { purgeInboundSeen } from './providers/twiml-seen';

/** The hotline as the server runs it: voice messages bounded by the config. */
export function hotlineDeps(ctx: AppContext, render: PromptRenderer): HotlineDeps {
  return {
    db: ctx.db,
    events: ctx.events,
    publicUrl: ctx.config.publicUrl,
    timeZone: ctx.config.timeZone,
    clock: realClock(ctx.config.clock),
    render,
    defaultUnit: 'VN',
    voice: { maxMs: ctx.config.callsVoiceMaxSeconds * 1000, silenceMs: ctx.config.callsVoiceSilenceSeconds * 1000 },
  };
}

export const PLAN_JOB = 'calls.plan';
export const WATCHDOG_JOB = 'calls.watchdog';
export const REPORT_JOB = 'calls.daily-report';
export const VOICE_PURGE_JOB = 'calls.voice-purge';

/** Today's calls of every active campaign planned; a day whose window has closed is ended (SMS survey links). */
export async function planActive(ctx: AppContext) {
  const day = today(ctx);
  const now = ctx.config.clock();
  const rows = await ctx.db.selectFrom('call_campaigns').selectAll().where('status', '=', 'active').execute();
  let closed = 0;
  for (const c of rows) {
    if (now >= localTime(day, c.window_end, ctx.config.timeZone)) closed += await closeDay({ ...ctx, publicUrl: ctx.config.publicUrl, smsSender: 'Vigil', clock: realClock(ctx.config.clock) }, c, day);
    else await prepareDay(ctx, c, day);
  }
  return { campaigns: rows.length, closed };
}

export function callJobs(ctx: AppContext, twiml: TwimlProvider | null = null) {
  ctx.jobs.define({ name: PLAN_JOB, cron: '*/10 * * * *', expireInMinutes: 10, handler: () => planActive(ctx) });
  ctx.jobs.define({ name: WATCHDOG_JOB, cron: '* * * * *', handler: () => releaseStuck(ctx.db, ctx.config.clock()) });
  ctx.jobs.define({ name: REPORT_JOB, cron: `0 ${ctx.config.callsReportHour} * * *`, handler: () => makeAndSendReports(ctx, today(ctx), { send: true }) });
  // hotline voice messages are kept VIGIL_CALLS_VOICE_RETENTION_DAYS, handled or not
  ctx.jobs.define({ name: VOICE_PURGE_JOB, cron: '17 * * * *', handler: async () => ({ deleted: await purgeVoiceMessages(ctx.db, ctx.config.clock(), ctx.config.callsVoiceRetentionDays), inboundSeen: await purgeInboundSeen(ctx.db, ctx.config.clock()) }) });

  // the dialers run where jobs are worked (the server), one per campaign in its window
  ctx.jobs.attach(async (_boss, scope) => {
    if (scope !== 'all' || !ctx.config.callsDialer) return async () => undefined;
    const providers = createCallProviders(ctx, twiml);
    const { provider, render } = providers.outbound;
    // the SIP hotline answers on the trunk's user agent (the TwiML one on the module's webhooks)
    if (providers.sipHotline) providers.sipHotline.provider.onInbound(hotlineHandler(hotlineDeps(ctx, providers.sipHotline.render)));
    for (const p of providers.all) await p.start();
    const stop = new AbortController();
    const running = new Map<string, Promise<unknown>>();
    const tick = async () => {
      const now = ctx.config.clock();
      const day = today(ctx);
      const rows = await ctx.db.selectFrom('call_campaigns').selectAll().where('status', '=', 'active').execute();
      for (const c of rows) {
        if (running.has(c.id) || !inDailyWindow(now, { start: c.window_start, end: c.window_end }, ctx.config.timeZone)) continue;
        // the day is planned by calls.plan (every 10 min) and when a trace finishes; a dialer starts only for due calls
        const due = await nextDue(ctx.db, c.id, day);
        if (!due || due.getTime() > now.getTime() + 30_000) continue;
        const run = runCampaignDay(dialerDeps(ctx, provider, realClock(ctx.config.clock), render, stop.signal), c.id, day)
          .catch((err: unknown) => ctx.health.report(err) || ctx.log.error({ err: (err as Error).message, campaign: c.id }, 'calls: dialer failed'))
          .finally(() => running.delete(c.id));
        running.set(c.id, run);
      }
    };
    const timer = setInterval(() => void tick().catch((err: unknown) => ctx.health.report(err)), 30_000);
    void tick().catch((err: unknown) => ctx.health.report(err));
    return async () => {
      clearInterval(timer);
      stop.abort();
      await Promise.allSettled(running.values());
      // the TwiML account belongs to the app (its routes): closed with it
      for (const p of providers.all) if (p !== twiml) await p.close();
    };
  });
}
