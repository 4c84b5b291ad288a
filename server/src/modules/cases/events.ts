// How cases talks to the rest: confirming a case publishes `case.confirmed` in the confirming transaction; the
// tracing job runs after commit. (Until the platform's domain events land, the trace job is enqueued after commit.)
import type { AppContext } from '../../platform/module';
import { probeCameras } from './cameras';
import { dayOf } from './days';
import { closeEndedOrders } from './followups';
import { insertCase, runCaseTrace, type NewCase } from './service';
import type { CaseRow } from './tables';

export const TRACE_JOB = 'cases.trace';
export const CLOSE_ORDERS_JOB = 'cases.close-orders';
export const PROBE_CAMERAS_JOB = 'cases.probe-cameras';

/** Payload of `case.confirmed`. */
export interface CaseConfirmedEvent {
  caseId: string;
  code: string;
  personId: string;
  communeCode: string;
  confirmedAt: string;
}

export async function confirmCase(ctx: AppContext, input: NewCase): Promise<CaseRow> {
  const row = await ctx.db.transaction().execute((tx) => insertCase(tx, ctx.access.resolver, input, ctx.config.clock()));
  await requestTrace(ctx, row.id);
  return row;
}

/** Trace (again) in the background. */
export async function requestTrace(ctx: AppContext, caseId: string) {
  await ctx.jobs.send(TRACE_JOB, { caseId }, { singletonKey: `trace:${caseId}` });
}

export function caseJobs(ctx: AppContext) {
  ctx.jobs.define<{ caseId: string }>({
    name: TRACE_JOB,
    retryLimit: 3,
    expireInMinutes: 30,
    handler: async ({ caseId }) => runCaseTrace(ctx.db, caseId, ctx.config, ctx.config.clock()),
  });
  ctx.jobs.define({
    name: CLOSE_ORDERS_JOB,
    cron: '5 0 * * *',
    handler: () => closeEndedOrders(ctx.db, dayOf(ctx.config.clock(), ctx.config.timeZone)),
  });
  ctx.jobs.define({
    name: PROBE_CAMERAS_JOB,
    cron: '*/5 * * * *',
    expireInMinutes: 10,
    handler: () => probeCameras(ctx.db, ctx.config.cameraProbeTimeoutMs, ctx.config.clock),
  });
}
