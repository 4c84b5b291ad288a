// Module calls (robot calls): call scripts, campaigns over F1/F2 lists or uploaded lists, the dialer (leases,
// pacing, retries by disposition, watchdog), results into the cases module's follow-ups, symptomatic /
// non-reporting / wrong-number lists, the inbound hotline's logic, daily reports. Telephony providers (SIP,
// webhook) sit behind CallProvider (types.ts); the simulated provider (simulated.ts) drives demo, tests, bench.
import type { FastifyInstance } from 'fastify';
import { migrationsDirOf, type AppContext, type VigilModule } from '../../platform/module';
import { withinScope } from '../../platform/auth/jurisdiction';
import { localTime } from '../../platform/time';
import { removePerson } from './audience';
import { callJobs } from './jobs';
import { callRoutes } from './routes';
import { prepareDay, today } from './service';
import { callTiles } from './summary';
import { seedCallsDemo } from './demo';
import { registerDialProvider } from './dial-cli';
import { realClock } from './clock';
import { SimulatedProvider } from './simulated';
import { providerKinds, setTwimlOfApp, twimlFromConfig } from './provider';
import { hotlineHandler } from './hotline';
import { twimlRoutes } from './providers/twiml-routes';
import { sharedInboundSeen } from './providers/twiml-seen';
import { hotlineDeps } from './jobs';
import { Tts } from './tts';
import path from 'node:path';

// `vigil calls dial --provider simulated`: personas by the dialled number's last digits
registerDialProvider('simulated', () => new SimulatedProvider({ clock: realClock() }));

export const callsModule: VigilModule = {
  name: 'calls',
  migrationsDir: migrationsDirOf(import.meta.url),
  async register(app: FastifyInstance, ctx: AppContext) {
    // audiences follow the cases module: a new case leaves every campaign; a finished trace brings its new
    // F1/F2 into today's calls of the campaigns covering their area
    ctx.events.subscribe('case.confirmed', 'calls.leave-on-case', async (e, { trx }) => {
      await removePerson(trx, e.payload.personId, today(ctx));
    });
    ctx.events.subscribe('case.traced', 'calls.join-on-trace', async (e) => {
      const day = today(ctx);
      const now = ctx.config.clock();
      const rows = await ctx.db.selectFrom('call_campaigns').selectAll().where('status', '=', 'active').where('audience_kind', '!=', 'list').execute();
      for (const c of rows)
        if (now < localTime(day, c.window_end, ctx.config.timeZone) && (await withinScope(ctx.access.resolver, c.unit_code, e.payload.communeCode))) await prepareDay(ctx, c, day);
    });
    // a Twilio-style account (VIGIL_CALLS_PROVIDER / VIGIL_CALLS_HOTLINE_PROVIDER = twiml): its webhooks are this
    // app's routes, so its calls live in the process that serves them; the hotline answers wherever they are served
    // inbound CallSids answered are claimed in the database: a replay to another process of this app is refused too
    const twiml = twimlFromConfig(ctx.config, undefined, sharedInboundSeen(ctx.db, ctx.config.clock));
    if (twiml) {
      setTwimlOfApp(ctx, twiml);
      if (providerKinds(ctx.config).hotline === 'twiml') twiml.onInbound(hotlineHandler(hotlineDeps(ctx, new Tts({ cacheDir: path.join(ctx.config.dataDir, 'tts') }).render)));
      await app.register(twimlRoutes(twiml, { perMinute: ctx.config.twilioWebhooksPerMinute }), { prefix: '/api/calls/twiml' });
      app.addHook('onClose', () => twiml.close());
    }
    callJobs(ctx, twiml);
    await callRoutes(app, ctx);
  },
  /** Home page: people reached and symptomatic answers per day in the caller's area. */
  summary: (ctx, q) => callTiles(ctx.db, q),
  /** A daily F1/F2 campaign in Vinh with yesterday's and today's calls through the simulated provider. */
  seedDemo: seedCallsDemo,
};

export { SimulatedProvider, defaultPersona, WELL, FEVERISH, type Persona, type PersonaKind } from './simulated';
export { acceleratedClock, realClock, type CallClock } from './clock';
export { runCampaignDay, type DayStats } from './dialer';
export { checkScript, type ScriptProblem } from './script-check';
export type { CallProvider, CallSession, CallScript, DialResult, Disposition, PromptRenderer, ScriptResult } from './types';
export { runScript, fillText } from './runner';
