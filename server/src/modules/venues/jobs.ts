// Background jobs of the venues module: check-in retention and the day partitions it drops.
import type { AppContext } from '../../platform/module';
import { retentionCutoff } from '../../platform/purge';
import { createCheckinPartitions, partitionDay } from './checkin-insert';
import { purgeCheckins } from './checkin-queries';
import { purgeVenueChanges } from './queries';

export const PURGE_CHECKINS_JOB = 'venues.purge-checkins';
export const CHECKIN_PARTITIONS_JOB = 'venues.checkin-partitions';
/** Day partitions kept ready ahead of today (the insert path creates any other day it needs on demand). */
export const PARTITION_DAYS_AHEAD = 7;

/**
 * Retention: every hour, the day partitions whose whole day is older than checkinRetentionDays are dropped (a
 * check-in is kept at least that long and less than a day more); `vigil jobs run venues.purge-checkins` runs it now.
 * The venue change feed (entrances.ts) keeps a day. Partitions for today and the next PARTITION_DAYS_AHEAD days are created every day, and at start-up.
 */
export function venueJobs(ctx: AppContext) {
  ctx.jobs.define({
    name: PURGE_CHECKINS_JOB,
    cron: '23 * * * *',
    handler: async () => {
      const before = retentionCutoff(ctx.config.clock(), ctx.config.checkinRetentionDays);
      const { deleted, partitions } = await purgeCheckins(ctx.db, before);
      const venueChanges = await purgeVenueChanges(ctx.db);
      return { deleted, partitions, before: before.toISOString(), venueChanges };
    },
  });
  ctx.jobs.define({
    name: CHECKIN_PARTITIONS_JOB,
    cron: '7 */6 * * *',
    handler: async () => ({ created: await createPartitionsAhead(ctx) }),
  });
}

/** Creates the partitions of today (UTC) and the next PARTITION_DAYS_AHEAD days that do not exist yet. */
export function createPartitionsAhead(ctx: Pick<AppContext, 'db' | 'config'>): Promise<number> {
  const now = ctx.config.clock().getTime();
  return createCheckinPartitions(ctx.db, [partitionDay(new Date(now)), partitionDay(new Date(now + PARTITION_DAYS_AHEAD * 86_400_000))]);
}
