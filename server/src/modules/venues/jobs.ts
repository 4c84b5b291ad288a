// Background jobs of the venues module.
import type { AppContext } from '../../platform/module';
import { purgeCheckins } from './checkin-queries';

export const PURGE_CHECKINS_JOB = 'venues.purge-checkins';

/** Check-ins older than checkinRetentionDays are deleted every hour (and by `vigil jobs run venues.purge-checkins`). */
export function venueJobs(ctx: AppContext) {
  ctx.jobs.define({
    name: PURGE_CHECKINS_JOB,
    cron: '23 * * * *',
    handler: async () => {
      const before = new Date(ctx.config.clock().getTime() - ctx.config.checkinRetentionDays * 86400_000);
      const deleted = await purgeCheckins(ctx.db, before);
      return { deleted, before: before.toISOString() };
    },
  });
}
