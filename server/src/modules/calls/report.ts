// The daily report per jurisdiction (the provinces' routine: "summarised in a daily report to the steering
// committee"): calls made, people reached, symptomatic, non-reporting, wrong numbers, SMS links, tracers' manual
// calls. Made at the cut-off hour (VIGIL_CALLS_REPORT_HOUR), stored, sent by SMS to the campaigns' alert phones and
// by e-mail (with the Excel file) to each province's steering committee (report-mail.ts).
import { sql } from 'kysely';
import type { DbOrTx } from '../../platform/db/types';
import type { AppContext } from '../../platform/module';
import { localDayWindow } from '../../platform/time';
import { nonReporting } from './lists';

export interface DailyFigures {
  unitCode: string;
  day: string;
  callsMade: number;
  manualCalls: number;
  planned: number;
  reached: number;
  symptomatic: number;
  nonReporting: number;
  wrongNumbers: number;
  smsLinks: number;
  byUnit: { unitCode: string; planned: number; reached: number; symptomatic: number; callsMade: number }[];
}

export async function dailyFigures(db: DbOrTx, scope: string[] | null, unitCode: string, day: string, timeZone: string): Promise<DailyFigures> {
  const w = localDayWindow(day, day, timeZone);
  const inScope = (col: string) => sql`(${scope}::text[] is null or ${sql.ref(col)} = any(${scope}::text[]))`;
  const calls = await sql<{ unit_code: string; robot: number; manual: number }>`
    select unit_code, count(*) filter (where kind = 'robot')::int as robot, count(*) filter (where kind = 'manual')::int as manual
    from call_attempts where started_at >= ${w.from} and started_at < ${w.to} and ${inScope('unit_code')} group by unit_code`.execute(db);
  const daily = await sql<{ unit_code: string; planned: number; reached: number; sms: number }>`
    select unit_code, count(*) filter (where status not in ('cancelled'))::int as planned,
      count(*) filter (where status = 'completed')::int as reached, count(*) filter (where sms_fallback_at is not null)::int as sms
    from call_daily where day = ${day}::date and ${inScope('unit_code')} group by unit_code`.execute(db);
  const flags = await sql<{ unit_code: string; kind: string; n: number }>`
    select unit_code, kind, count(*)::int as n from call_flags where day = ${day}::date and ${inScope('unit_code')} group by unit_code, kind`.execute(db);
  const nr = await nonReporting(db, scope, day, 100_000);
  const units = new Map<string, DailyFigures['byUnit'][number]>();
  const u = (code: string) => units.get(code) ?? units.set(code, { unitCode: code, planned: 0, reached: 0, symptomatic: 0, callsMade: 0 }).get(code)!;
  for (const r of calls.rows) u(r.unit_code).callsMade += r.robot;
  for (const r of daily.rows) Object.assign(u(r.unit_code), { planned: r.planned, reached: r.reached });
  for (const r of flags.rows) if (r.kind === 'symptomatic') u(r.unit_code).symptomatic += r.n;
  const sum = <T>(rows: T[], f: (r: T) => number) => rows.reduce((a, r) => a + f(r), 0);
  return {
    unitCode,
    day,
    callsMade: sum(calls.rows, (r) => r.robot),
    manualCalls: sum(calls.rows, (r) => r.manual),
    planned: sum(daily.rows, (r) => r.planned),
    reached: sum(daily.rows, (r) => r.reached),
    symptomatic: sum(flags.rows.filter((r) => r.kind === 'symptomatic'), (r) => r.n),
    wrongNumbers: sum(flags.rows.filter((r) => r.kind === 'wrong-number'), (r) => r.n),
    smsLinks: sum(daily.rows, (r) => r.sms),
    nonReporting: nr.length,
    byUnit: [...units.values()].sort((a, b) => a.unitCode.localeCompare(b.unitCode)),
  };
}

/** Reports of `day` for every unit that runs an active campaign: stored (replacing the day's earlier one), sent. */
export async function makeDailyReports(ctx: AppContext, day: string, o: { send: boolean }) {
  const units = await ctx.db.selectFrom('call_campaigns').select('unit_code').distinct().where('status', '=', 'active').execute();
  const now = ctx.config.clock();
  for (const { unit_code } of units) {
    const scope = await ctx.access.resolver.subtreeCodes(unit_code);
    const f = await dailyFigures(ctx.db, scope, unit_code, day, ctx.config.timeZone);
    await ctx.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('call_reports')
        .values({ unit_code, day, figures: JSON.stringify(f), created_at: now })
        .onConflict((oc) => oc.columns(['unit_code', 'day']).doUpdateSet({ figures: JSON.stringify(f), created_at: now }))
        .execute();
      if (!o.send) return;
      const phones = await trx.selectFrom('call_campaigns').select('alert_phones').where('unit_code', '=', unit_code).where('status', '=', 'active').execute();
      const to = [...new Set(phones.flatMap((p) => p.alert_phones))];
      if (!to.length) return;
      await ctx.events.publish(trx, 'messaging.requested', {
        purpose: 'calls.report',
        subject: `calls-report:${unit_code}:${day}`,
        recipients: to.map((phone) => ({ phone, unitCode: unit_code })),
        vars: { unit: unit_code, date: day, made: f.callsMade, reached: f.reached, symptomatic: f.symptomatic, nonReporting: f.nonReporting, link: `${ctx.config.publicUrl}/calls/report?unit=${unit_code}&day=${day}` },
      });
      await trx.updateTable('call_reports').set({ sent_at: now }).where('unit_code', '=', unit_code).where('day', '=', day).execute();
    });
  }
  return { units: units.length };
}
