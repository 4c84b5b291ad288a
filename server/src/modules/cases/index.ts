// Module cases: confirmed cases (F0), contacts F1…Fn found from check-ins, venue declarations and households,
// manual and imported contacts, follow-ups, quarantine/isolation places, exposure notices, transmission graph.
import type { FastifyInstance } from 'fastify';
import { migrationsDirOf, type AppContext, type VigilModule } from '../../platform/module';
import { caseJobs, caseSubscriptions } from './events';
import { seedCasesDemo } from './demo';
import { caseRoutes } from './routes';
import { contactRoutes } from './contact-routes';
import { followUpRoutes } from './followups';
import { graphRoutes } from './graph';
import { importRoutes } from './import-routes';
import { noticeRoutes } from './notices';
import { placeRoutes } from './place-routes';
import { sourceRoutes } from './sources';

import { caseTiles } from './summary';

export const casesModule: VigilModule = {
  name: 'cases',
  migrationsDir: migrationsDirOf(import.meta.url),
  async register(app: FastifyInstance, ctx: AppContext) {
    caseSubscriptions(ctx);
    caseJobs(ctx);
    await caseRoutes(app, ctx);
    await contactRoutes(app, ctx);
    await followUpRoutes(app, ctx);
    await graphRoutes(app, ctx);
    await noticeRoutes(app, ctx);
    await placeRoutes(app, ctx);
    await importRoutes(app, ctx);
    await sourceRoutes(app, ctx);
  },
  /** Home page: cases confirmed and contacts traced in the caller's area, per day, and contacts under follow-up now. */
  summary: (ctx, q) => caseTiles(ctx.db, q),
  /** Two traced cases in Vinh, one F1 confirmed since (a cluster), a home-isolation case, follow-ups, two places. */
  seedDemo: seedCasesDemo,
};

export { importContacts, contactTemplateXlsx, CONTACT_COLUMNS, type ContactImportResult } from './imports';
export { traceForCli, traceText, TraceLookupError, casesForCli, type TraceOutput } from './cli';
export { traceCase, traceCases, traceCaseFull, traceCasesFull } from './trace';
export { venueContacts, venueContactsQuery } from './trace-venues';
export { splitHits } from './trace-sweep';
export { householdPairs } from './trace-households';
export { countPeopleQuery } from './trace-mass';
export type { IslandRow, MassExposure, TracedContact, TracedExposure, TraceResult, TraceSource } from './trace-types';
export { exposureSources } from './sources';
export { runCaseTrace, infectiousWindow, type CaseSettings } from './service';
export { CLOSE_ORDERS_JOB, PROBE_CAMERAS_JOB, type CaseConfirmed, type CaseTraceRequested, type TestPositive } from './events';
export { recordFollowUp, recordFollowUps, SYMPTOMS, type FollowUpBody, type FollowUpItem } from './followups';
export { contactsUnderMonitoring, contactsUnderMonitoringSql, type MonitoredContact } from './monitored';
export { type CaseTraced } from './events';
/** For messaging's saved-filter campaigns. */
export { exposureNoticeWindow } from './audiences';
/** For the people registry's purge (wired in server/src/modules.ts): persons cases still refer to. */
export { personsInCases } from './queries';

// What cases expects of the testing module (`test.positive`) is declared in events.ts (TestPositive); cases subscribes
// to it as 'cases.from-test'.
