// Scheduled work: start due campaigns, close finished ones, purge old messages.
import { sql } from 'kysely';
import type { AppContext } from '../../platform/module';
import { finishCampaigns, runCampaign } from './campaigns';

export const CAMPAIGNS_JOB = 'messaging.campaigns';
export const PURGE_JOB = 'messaging.purge';

export function messagingJobs(ctx: AppContext) {
  ctx.jobs.define({
    name: CAMPAIGNS_JOB,
    cron: '* * * * *',
    handler: async () => {
      const now = ctx.config.clock();
      const due = await ctx.db.selectFrom('sms_campaigns').select('id').where('status', '=', 'scheduled').where('scheduled_at', '<=', now).execute();
      let started = 0;
      for (const d of due) if (await ctx.db.transaction().execute((trx) => runCampaign(trx, String(d.id), now))) started++;
      await finishCampaigns(ctx.db, now);
      return { started };
    },
  });
  ctx.jobs.define({
    name: PURGE_JOB,
    cron: '35 3 * * *',
    handler: async () => {
      const before = new Date(ctx.config.clock().getTime() - ctx.config.smsRetentionDays * 86400_000);
      const n = await sql`delete from notifications where created_at < ${before} and status not in ('queued', 'sending')`.execute(ctx.db);
      await sql`delete from sms_receipts where received_at < ${before}`.execute(ctx.db);
      await sql`delete from otp_codes where created_at < ${new Date(ctx.config.clock().getTime() - 2 * 86400_000)}`.execute(ctx.db);
      return { deleted: Number(n.numAffectedRows ?? 0n) };
    },
  });
}
