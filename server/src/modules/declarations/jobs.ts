// Retention of health declarations: deleted (with their follow-up notes) once older than
// VIGIL_DECLARATION_RETENTION_DAYS.
import type { AppContext } from '../../platform/module';
import { retentionCutoff } from '../../platform/purge';
import { purgeDeclarations } from './service';

export const PURGE_JOB = 'declarations.purge';

export function declarationJobs(ctx: AppContext) {
  ctx.jobs.define({
    name: PURGE_JOB,
    cron: '20 3 * * *',
    handler: async () => {
      const before = retentionCutoff(ctx.config.clock(), ctx.config.declarationRetentionDays);
      return { deleted: await purgeDeclarations(ctx.db, before), before: before.toISOString() };
    },
  });
}
