// Scheduled retention of the registry: implicit records (public check-in / declaration) nobody uses any more.
import type { AppContext } from '../../platform/module';
import type { PersonInUseCheck } from './hooks';
import { retentionCutoff } from '../../platform/purge';
import { purgeInactivePersons } from './retention';
import { deviceRegistry } from './devices';

export const PURGE_JOB = 'people.purge-inactive';

/** Implicit records live as long as the longest activity that can reference them, plus a month. */
export function inactiveCutoff(ctx: AppContext): Date {
  const days = Math.max(ctx.config.checkinRetentionDays, ctx.config.declarationRetentionDays) + 30;
  return retentionCutoff(ctx.config.clock(), days);
}

export function peopleJobs(ctx: AppContext, inUse: readonly PersonInUseCheck[]) {
  ctx.jobs.define({
    name: PURGE_JOB,
    cron: '50 3 * * *',
    handler: async () => {
      // device tokens revoked or idle past VIGIL_DEVICE_TOKEN_IDLE_DAYS can never work again
      await deviceRegistry(ctx).purge(ctx.config.clock());
      return { deleted: await purgeInactivePersons(ctx.db, inactiveCutoff(ctx), inUse) };
    },
  });
}
