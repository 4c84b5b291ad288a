// Scheduled retention of the registry: implicit records (public check-in / declaration) nobody uses any more.
import type { AppContext } from '../../platform/module';
import { retentionCutoff } from '../../platform/purge';
import { purgeInactivePersons } from './service';

export const PURGE_JOB = 'people.purge-inactive';

/** Implicit records live as long as the longest activity that can reference them, plus a month. */
export function inactiveCutoff(ctx: AppContext): Date {
  const days = Math.max(ctx.config.checkinRetentionDays, ctx.config.declarationRetentionDays) + 30;
  return retentionCutoff(ctx.config.clock(), days);
}

export function peopleJobs(ctx: AppContext) {
  ctx.jobs.define({
    name: PURGE_JOB,
    cron: '50 3 * * *',
    handler: async () => ({ deleted: await purgeInactivePersons(ctx.db, inactiveCutoff(ctx)) }),
  });
}
