// Scheduled purges owned by the platform: expired sessions and old sign-in throttle rows, audit rows past their retention.
import { purgeAudit } from './audit';
import { purgeExpiredSessions } from './auth/service';
import { sql } from 'kysely';
import { purgeLoginThrottle } from './auth/throttle';
import type { AppContext } from './module';
import { retentionCutoff } from './purge';

export function platformJobs(ctx: AppContext) {
  ctx.jobs.define({
    name: 'platform.purge-sessions',
    cron: '17 * * * *',
    // expired sessions, and sign-in throttle rows quiet for a week
    handler: async () => ({ deleted: await purgeExpiredSessions(ctx.db, ctx.config.clock()), throttleRows: await purgeLoginThrottle(ctx.db, ctx.config.clock()) }),
  });
  ctx.jobs.define({
    name: 'platform.purge-audit',
    cron: '40 3 * * *',
    handler: async () => {
      const before = retentionCutoff(ctx.config.clock(), ctx.config.auditRetentionDays);
      return { deleted: await purgeAudit(ctx.db, before) };
    },
  });
  ctx.jobs.define({
    name: 'platform.purge-event-deliveries',
    cron: '25 4 * * *',
    handler: async () => {
      const before = new Date(ctx.config.clock().getTime() - 30 * 86400_000);
      const r = await sql`delete from event_deliveries where delivered_at < ${before}`.execute(ctx.db);
      return { deleted: Number(r.numAffectedRows ?? 0) };
    },
  });
}
