// Putting the pieces together for an app: the dialer's dependencies from the app context, preparing a campaign's
// day (audience sync + plan), and running it with a provider on a clock.
import type { AppContext } from '../../platform/module';
import { localDay } from '../../platform/time';
import { syncAudience } from './audience';
import type { CallClock } from './clock';
import { runCampaignDay, type DayStats, type DialerDeps } from './dialer';
import { planDay, type PlanResult } from './plan';
import type { CampaignRow } from './tables';
import type { CallProvider, PromptRenderer } from './types';

export function dialerDeps(ctx: AppContext, provider: CallProvider, clock: CallClock, render: PromptRenderer, signal?: AbortSignal): DialerDeps {
  return { db: ctx.db, events: ctx.events, publicUrl: ctx.config.publicUrl, smsSender: 'Vigil', timeZone: ctx.config.timeZone, provider, clock, render, signal };
}

export async function campaignRow(ctx: AppContext, id: string): Promise<CampaignRow | undefined> {
  return ctx.db.selectFrom('call_campaigns').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Members synced from cases (or the list) and the day's calls created; safe to repeat. */
export async function prepareDay(ctx: AppContext, c: CampaignRow, day: string): Promise<PlanResult & { members: number }> {
  const a = await syncAudience(ctx.db, ctx.access.resolver, c, day);
  const p = await planDay(ctx.db, c, day, ctx.config.timeZone);
  return { ...p, members: a.active };
}

export async function prepareAndRun(ctx: AppContext, c: CampaignRow, day: string, provider: CallProvider, clock: CallClock, render: PromptRenderer): Promise<DayStats & { planned: PlanResult & { members: number } }> {
  const planned = await prepareDay(ctx, c, day);
  const stats = await runCampaignDay(dialerDeps(ctx, provider, clock, render), c.id, day);
  return { ...stats, planned };
}

export const today = (ctx: AppContext) => localDay(ctx.config.clock(), ctx.config.timeZone);
