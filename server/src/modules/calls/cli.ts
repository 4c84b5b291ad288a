// CLI of the calls module: `vigil calls campaign run <id> [--date]` (plans the day and dials it: through the SIP
// trunk today, or through the simulated provider on an accelerated clock for any day — a rehearsal) and
// `vigil calls report <date>` (makes, stores and sends the daily reports; optionally writes the files).
import fs from 'node:fs';
import path from 'node:path';
import type { AppContext } from '../../platform/module';
import { localTime } from '../../platform/time';
import { acceleratedClock, realClock } from './clock';
import type { DayStats } from './dialer';
import { createCallProvider, providerKinds } from './provider';
import { dailyFigures, type DailyFigures } from './report';
import { makeAndSendReports } from './report-mail';
import { reportPdf, reportXlsx } from './report-files';
import { campaignRow, prepareAndRun, today } from './service';
import { silentRenderer } from './sim-render';
import { SimulatedProvider } from './simulated';

export class CallsUsageError extends Error {}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function campaignRunCli(ctx: AppContext, id: string, o: { date?: string; provider?: 'simulated' | 'configured'; speed?: number }) {
  if (!UUID.test(id)) throw new CallsUsageError(`campaign id: "${id}" is not a campaign id (a UUID)`);
  if (o.date && (!DAY.test(o.date) || Number.isNaN(Date.parse(o.date)))) throw new CallsUsageError(`--date: "${o.date}" is not a day (YYYY-MM-DD)`);
  const c = await campaignRow(ctx, id);
  if (!c) throw new CallsUsageError(`no campaign ${id}`);
  if (c.status !== 'active') throw new CallsUsageError(`campaign ${id} is ${c.status}`);
  const day = o.date ?? today(ctx);
  const outbound = providerKinds(ctx.config).outbound;
  const simulated = o.provider === 'simulated' || outbound === 'simulated';
  if (!simulated && outbound === 'twiml')
    throw new CallsUsageError("--provider configured: the TwiML account's calls are driven by webhooks to the running server, whose dialer places them inside the window (use --provider simulated to rehearse)");
  if (!simulated && day !== today(ctx)) throw new CallsUsageError('--date: real calls are placed today only (use --provider simulated to rehearse another day)');
  if (simulated) {
    // from the window's opening (or now, if later today), a day in about a minute
    const opens = localTime(day, c.window_start, ctx.config.timeZone);
    const start = new Date(Math.max(opens.getTime(), day === today(ctx) ? ctx.config.clock().getTime() : 0));
    const clock = acceleratedClock(start, o.speed ?? 600);
    const provider = new SimulatedProvider({ clock, maxChannels: c.channels });
    return prepareAndRun(ctx, c, day, provider, clock, silentRenderer);
  }
  const { provider, render } = createCallProvider(ctx);
  await provider.start();
  try {
    return await prepareAndRun(ctx, c, day, provider, realClock(ctx.config.clock), render);
  } finally {
    await provider.close();
  }
}

export const runText = (r: DayStats & { planned: { created: number; members: number } }) =>
  `members ${r.planned.members}, calls created ${r.planned.created}; placed ${r.placed}, completed ${r.completed} (symptomatic ${r.symptomatic}), wrong numbers ${r.invalid}, unreached ${r.exhausted} (SMS survey sent)${r.windowClosed ? '; the call window closed' : ''}\n`;

export async function reportCli(ctx: AppContext, day: string, o: { out?: string; send?: boolean }): Promise<DailyFigures[]> {
  if (!DAY.test(day) || Number.isNaN(Date.parse(day))) throw new CallsUsageError(`date: "${day}" is not a day (YYYY-MM-DD)`);
  await makeAndSendReports(ctx, day, { send: o.send ?? true });
  const rows = await ctx.db.selectFrom('call_reports').select('unit_code').where('day', '=', day).execute();
  const out: DailyFigures[] = [];
  for (const { unit_code } of rows) {
    const f = await dailyFigures(ctx.db, await ctx.access.resolver.subtreeCodes(unit_code), unit_code, day, ctx.config.timeZone);
    out.push(f);
    if (!o.out) continue;
    const names = new Map<string, string>();
    for (const code of [unit_code, ...f.byUnit.map((u) => u.unitCode)]) names.set(code, (await ctx.access.resolver.unit(code))?.name ?? code);
    fs.mkdirSync(o.out, { recursive: true });
    fs.writeFileSync(path.join(o.out, `vigil-calls-${unit_code}-${day}.xlsx`), await reportXlsx(f, names.get(unit_code)!));
    fs.writeFileSync(path.join(o.out, `vigil-calls-${unit_code}-${day}.pdf`), await reportPdf(f, names.get(unit_code)!, names));
  }
  return out;
}

export const reportText = (fs_: DailyFigures[]) =>
  fs_.length ? fs_.map((f) => `${f.unitCode} ${f.day}: calls ${f.callsMade} (manual ${f.manualCalls}), people ${f.planned}, reached ${f.reached}, symptomatic ${f.symptomatic}, non-reporting ${f.nonReporting}, wrong numbers ${f.wrongNumbers}, SMS surveys ${f.smsLinks}`).join('\n') + '\n' : 'no active campaign: no report\n';
