// Scheduled purges owned by the platform: expired sessions, audit rows past their retention.
import { purgeAudit } from './audit';
import { purgeExpiredSessions } from './auth/service';
import type { AppContext } from './module';
import { retentionCutoff } from './purge';

export function platformJobs(ctx: AppContext) {
  ctx.jobs.define({
    name: 'platform.purge-sessions',
    cron: '17 * * * *',
    handler: async () => ({ deleted: await purgeExpiredSessions(ctx.db, ctx.config.clock()) }),
  });
  ctx.jobs.define({
    name: 'platform.purge-audit',
    cron: '40 3 * * *',
    handler: async () => {
      const before = retentionCutoff(ctx.config.clock(), ctx.config.auditRetentionDays);
      return { deleted: await purgeAudit(ctx.db, before) };
    },
  });
}
