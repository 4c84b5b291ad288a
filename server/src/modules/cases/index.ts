// Module cases: confirmed cases (F0), contacts F1…Fn found from check-ins, venue declarations and households,
// manual and imported contacts, follow-ups, quarantine/isolation places, exposure notices, transmission graph.
import type { FastifyInstance } from 'fastify';
import { migrationsDirOf, type AppContext, type VigilModule } from '../../platform/module';
import type { DbOrTx } from '../../platform/db/types';
import { onPersonInUse, onPersonMerged, type PersonMergedEvent } from '../people';
import { caseJobs } from './events';
import { caseRoutes } from './routes';
import { contactRoutes } from './contact-routes';
import { followUpRoutes } from './followups';
import { graphRoutes } from './graph';
import { noticeRoutes } from './notices';
import { placeRoutes } from './place-routes';
import { personsInCases, repointPerson } from './queries';

async function repointCases(tx: DbOrTx, e: PersonMergedEvent) {
  return repointPerson(tx, e.mergedId, e.keptId);
}

export const casesModule: VigilModule = {
  name: 'cases',
  migrationsDir: migrationsDirOf(import.meta.url),
  async register(app: FastifyInstance, ctx: AppContext) {
    onPersonMerged(repointCases, 'cases');
    onPersonInUse((db, ids) => personsInCases(db, ids), 'cases');
    caseJobs(ctx);
    await caseRoutes(app, ctx);
    await contactRoutes(app, ctx);
    await followUpRoutes(app, ctx);
    await graphRoutes(app, ctx);
    await noticeRoutes(app, ctx);
    await placeRoutes(app, ctx);
  },
};

export { traceForCli, traceText, TraceLookupError, type TraceOutput } from './cli';
export { traceCase, venueContacts, householdPairs, type TracedContact, type TracedExposure, type TraceSource } from './trace';
export { runCaseTrace, infectiousWindow, type CaseSettings } from './service';
export { TRACE_JOB, CLOSE_ORDERS_JOB, PROBE_CAMERAS_JOB, type CaseConfirmedEvent } from './events';

/**
 * What cases expects of the testing module (not built yet): it publishes `test.positive` with this payload in the
 * transaction that records the result; cases subscribes ('cases.from-test') and confirms a case for the person
 * (origin 'test', origin_ref = testId, source from `setting`), unless the person already is an active case.
 */
export interface TestPositiveExpected {
  testId: string;
  personId: string;
  /** when the sample was taken (YYYY-MM-DD, local day): the window anchor when there is no symptom onset */
  sampledOn: string;
  resultAt: string;
  /** commune that follows the person up (else the person's) */
  communeCode?: string | null;
  /** where the sample was taken: a quarantine site means source 'quarantine' */
  setting?: 'community' | 'quarantine' | 'entry';
}
