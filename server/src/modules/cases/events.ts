// How cases talks to the rest through domain events:
// - confirming a case publishes `case.confirmed` in the confirming transaction; the subscriber `cases.trace` runs
//   the tracing engine after commit (a rolled-back confirmation traces nothing);
// - asking for a trace again (the case page's button, a changed window) publishes `case.trace-requested`;
// - `test.positive` from the testing module (not built yet) confirms a case (subscriber `cases.from-test`).
// The trace handler writes through the app's pool, not the delivery transaction, so the case page sees
// "running" while it works; it is idempotent (contacts and exposures are upserted), so a retried delivery is safe.
import type { AppContext } from '../../platform/module';
import type { DbOrTx } from '../../platform/db/types';
import { probeCameras } from './cameras';
import { dayOf } from './days';
import { closeEndedOrders } from './followups';
import { repointPerson } from './queries';
import { insertCase, runCaseTrace, type NewCase } from './service';
import type { CaseRow } from './tables';
import type { WarningOptions } from './warnings';
import { withdrawPositive } from './withdraw';

export const CLOSE_ORDERS_JOB = 'cases.close-orders';
export const PROBE_CAMERAS_JOB = 'cases.probe-cameras';

/** Payload of `case.confirmed`. */
export interface CaseConfirmed {
  caseId: string;
  code: string;
  personId: string;
  communeCode: string;
  /** ISO 8601 */
  confirmedAt: string;
  origin: 'officer' | 'test' | 'contact';
}

/** Payload of `case.traced`: a trace of the case finished; its contacts (new F1/F2 under monitoring) are stored. */
export interface CaseTraced {
  caseId: string;
  communeCode: string;
}

/** Payload of `case.trace-requested`. */
export interface CaseTraceRequested {
  caseId: string;
}

/**
 * What cases expects of the testing module: it publishes `test.positive` with this payload in the transaction that
 * records the result; cases confirms a case for the person (origin 'test'), unless they already are an active case.
 */
export interface TestPositive {
  testId: string;
  personId: string;
  /** local day the sample was taken (YYYY-MM-DD): the window's anchor when there is no symptom onset */
  sampledOn: string;
  /** ISO 8601 */
  resultAt: string;
  /** the commune that follows the person up (else the person's own) */
  communeCode?: string | null;
  /** a sample taken in quarantine makes the case's source 'quarantine'; at entry 'imported' */
  setting?: 'community' | 'quarantine' | 'entry';
}

declare module '../../platform/events' {
  interface DomainEvents {
    'case.confirmed': CaseConfirmed;
    'case.trace-requested': CaseTraceRequested;
    'case.traced': CaseTraced;
    'test.positive': TestPositive;
  }
}

/** Confirm a case and publish `case.confirmed` in one transaction. */
export async function confirmCase(ctx: AppContext, input: NewCase, db: DbOrTx = ctx.db): Promise<CaseRow> {
  const run = async (tx: DbOrTx) => {
    const row = await insertCase(tx, ctx.access.resolver, input, ctx.config.clock());
    await ctx.events.publish(tx, 'case.confirmed', {
      caseId: row.id,
      code: row.code,
      personId: row.person_id,
      communeCode: row.commune_code,
      confirmedAt: row.confirmed_at.toISOString(),
      origin: row.origin as CaseConfirmed['origin'],
    });
    return row;
  };
  return 'isTransaction' in db && db.isTransaction ? run(db) : ctx.db.transaction().execute(run);
}

/** How tracing warns new contacts by SMS (warnings.ts). */
export const warningOptions = (ctx: AppContext): WarningOptions => ({ events: ctx.events, resolver: ctx.access.resolver, hotline: ctx.config.healthHotline, timeZone: ctx.config.timeZone });

/** Trace (again) in the background. */
export async function requestTrace(ctx: AppContext, caseId: string) {
  await ctx.events.publish(ctx.db, 'case.trace-requested', { caseId });
}

export function caseSubscriptions(ctx: AppContext) {
  // after a trace, `case.traced` tells other modules (calls: the daily campaign of the area) that contacts changed
  const trace = async (caseId: string) => {
    await runCaseTrace(ctx.db, caseId, ctx.config, ctx.config.clock(), warningOptions(ctx));
    const c = await ctx.db.selectFrom('cases').select(['id', 'commune_code']).where('id', '=', caseId).executeTakeFirst();
    if (c) await ctx.events.publish(ctx.db, 'case.traced', { caseId: c.id, communeCode: c.commune_code });
  };
  ctx.events.subscribe('case.confirmed', 'cases.trace', async (e) => {
    await trace(e.payload.caseId);
  });
  ctx.events.subscribe('case.trace-requested', 'cases.retrace', async (e) => {
    await trace(e.payload.caseId);
  });
  ctx.events.subscribe('test.positive', 'cases.from-test', async (e, { trx }) => {
    const p = e.payload;
    const open = await trx.selectFrom('cases').select('id').where('person_id', '=', p.personId).where('status', '=', 'active').executeTakeFirst();
    if (open) return;
    await confirmCase(
      ctx,
      {
        personId: p.personId,
        communeCode: p.communeCode ?? null,
        confirmedAt: new Date(p.resultAt),
        testDate: p.sampledOn,
        source: p.setting === 'quarantine' ? 'quarantine' : p.setting === 'entry' ? 'imported' : 'community',
        origin: 'test',
        originRef: p.testId,
        traceLevels: ctx.config.traceLevels,
      },
      trx,
    );
  });
  // a positive corrected to negative (testing's `test.positive-withdrawn`): its case is discarded or flagged
  ctx.events.subscribe('test.positive-withdrawn', 'cases.test-withdrawn', async (e, { trx }) => {
    await withdrawPositive(trx, warningOptions(ctx), e.payload, ctx.config.clock());
  });
  // merged persons: cases' rows follow the record that stays
  ctx.events.subscribe('person.merged', 'cases.repoint', async (e, { trx }) => {
    await repointPerson(trx, e.payload.mergedId, e.payload.keptId);
  });
}

export function caseJobs(ctx: AppContext) {
  ctx.jobs.define({
    name: CLOSE_ORDERS_JOB,
    cron: '5 0 * * *',
    handler: () => closeEndedOrders(ctx.db, dayOf(ctx.config.clock(), ctx.config.timeZone)),
  });
  ctx.jobs.define({
    name: PROBE_CAMERAS_JOB,
    cron: '*/5 * * * *',
    expireInMinutes: 10,
    handler: () => probeCameras(ctx.db, ctx.config.cameraProbeTimeoutMs, ctx.config.clock, { allowPrivate: ctx.config.cameraAllowPrivate, allowNets: ctx.config.cameraAllowNets, self: { host: ctx.config.host, port: ctx.config.port } }),
  });
}
