// Module messaging: SMS providers (SMPP, HTTP gateway, console), the notification centre (templates vi/en, one
// notice per recipient + purpose + subject, retries, receipts, opt-outs), campaigns, daily figures, and citizens'
// accounts by phone (sign-up and record linking by one-time code).
//
// Other modules ask for notices by publishing `messaging.requested` in their own transaction, never by calling a
// provider:
//   await ctx.events.publish(trx, 'messaging.requested', {
//     purpose: 'contact.warning', subject: `case:${caseId}`,
//     recipients: [{ phone, personId, unitCode }], vars: { sender: 'Sở Y tế Nghệ An', place, date, until, hotline },
//   });
import type { FastifyInstance } from 'fastify';
import { migrationsDirOf, type AppContext, type VigilModule } from '../../platform/module';
import { Dispatcher, enqueue, type NotifyRequest } from './centre';
import { seedMessagingDemo } from './demo';
import { messagingJobs } from './jobs';
import { createProvider } from './providers';
import { messagingRoutes } from './routes';
import { templateRoutes } from './template-routes';

/** Payload of `messaging.requested` (JSON: variables are strings or numbers). */
export type MessagingRequested = Omit<NotifyRequest, 'eventId' | 'campaignId'>;

declare module '../../platform/events' {
  interface DomainEvents {
    'messaging.requested': MessagingRequested;
  }
}

export const messagingModule: VigilModule = {
  name: 'messaging',
  migrationsDir: migrationsDirOf(import.meta.url),
  async register(app: FastifyInstance, ctx: AppContext) {
    await messagingRoutes(app, ctx);
    await templateRoutes(app, ctx);
    messagingJobs(ctx);
    ctx.events.subscribe('messaging.requested', 'messaging.enqueue', async (e, { trx }) => {
      await enqueue(trx, { ...e.payload, eventId: e.id });
    });
    // the dispatcher runs where jobs are worked (the server; tests); it binds to the SMSC only then
    ctx.jobs.attach(async (_boss, scope) => {
      if (scope === 'send') return async () => undefined;
      const provider = createProvider(ctx.config, ctx.config.smsProvider, ctx.log);
      const dispatcher = new Dispatcher({ db: ctx.db, url: ctx.dbUrl, provider, maxAttempts: ctx.config.smsMaxAttempts, retryDelayMs: ctx.config.smsRetryDelaySeconds * 1000, log: ctx.log, health: ctx.health });
      await dispatcher.start();
      messagingRuntime.set(ctx, { dispatcher, provider });
      return async () => {
        await dispatcher.stop();
        await provider.close();
        messagingRuntime.delete(ctx);
      };
    });
  },
  /** Notifications of the last days in Nghệ An (warnings, reminders, codes), one campaign done, one scheduled, an opt-out. */
  seedDemo: seedMessagingDemo,
};

/** The running dispatcher and provider of an app (diagnostics, tests, the benchmark). */
export const messagingRuntime = new WeakMap<AppContext, { dispatcher: Dispatcher; provider: ReturnType<typeof createProvider> }>();

export { drained } from './centre';
/** Which of these phones opted out of campaign notices (robot calls honour the same list). */
export { optedOut } from './queries';
export type { NotifyRecipient, NotifyRequest } from './centre';
export { TEMPLATES } from './templates';
export { splitText, partsOf } from './text';
export { SmppProvider, parseSmppUrl } from './providers/smpp';
export { createProvider } from './providers';
export type { SmsProvider, SendResult } from './providers/types';
export { PURGE_JOB as MESSAGING_PURGE_JOB, CAMPAIGNS_JOB as MESSAGING_CAMPAIGNS_JOB } from './jobs';
export { smsSend, SmsUsageError, type SmsSendOutput } from './cli';
