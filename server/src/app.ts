// buildApp(config): the Fastify instance with the platform plugins and every module's routes.
// Production (`vigil start`) and the tests build the app the same way.
import fs from 'node:fs';
import path from 'node:path';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import compress from '@fastify/compress';
import rateLimit from '@fastify/rate-limit';
import client from 'prom-client';
import type { Config } from './config';
import type { DatabaseHandle } from './platform/db';
import { Access } from './platform/auth/access';
import { authPlugin } from './platform/auth/plugin';
import { authRoutes } from './platform/auth/routes';
import { homeRoutes } from './platform/home';
import { httpPlatform, logSerializers } from './platform/http/plugin';
import { serveWeb } from './platform/http/web';
import { Jobs } from './platform/jobs';
import { Events } from './platform/events';
import { KeyRing, VerifyPool } from './platform/signing';
import type { AppContext } from './platform/module';
import type { SummaryQuery } from './platform/home';
import { platformJobs } from './platform/retention';
import { createJurisdictionResolver } from './modules/geo';
import { modules } from './modules';

declare module 'fastify' {
  interface FastifyInstance {
    vigil: AppContext;
  }
}

export interface BuildOptions {
  database: DatabaseHandle;
  /** Override the logger (tests pass false). */
  logger?: boolean;
  /** Where log lines go (default standard output); tests read them to prove what is never logged. */
  logStream?: { write(line: string): void };
  /** Serve the built web app from this folder (default web/dist when it exists). */
  webDist?: string | null;
  keys?: KeyRing;
}

export const WEB_DIST = path.resolve(new URL('../../web/dist', import.meta.url).pathname);

export async function buildApp(config: Config, opts: BuildOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: opts.logger === false ? false : { level: config.logLevel, serializers: logSerializers, ...(opts.logStream ? { stream: opts.logStream } : {}) },
    trustProxy: config.trustProxy,
    bodyLimit: 1024 * 1024,
    // per-request lines only at debug level (the hot path stays quiet; URLs never carry personal data anyway)
    logController: new LogController({ disableRequestLogging: config.logLevel !== 'debug' && config.logLevel !== 'trace' }),
    ajv: { customOptions: { coerceTypes: 'array', removeAdditional: false, useDefaults: true, allErrors: false } },
  });

  const db = opts.database.db;
  const resolver = createJurisdictionResolver(db);
  const access = new Access(resolver);
  const health = opts.database.health;
  health.setLogger(app.log);
  const jobs = new Jobs({ url: opts.database.url, enabled: config.jobs, timeZone: config.timeZone, log: app.log, health });
  const keys = opts.keys ?? (await KeyRing.open(config.signingKeyDir, { clock: config.clock }));
  // no prebuilt sodium-native for this platform (musl, an unusual architecture): same answers, ≈ 2.5x the CPU a check
  if (keys.ed25519.fallbackReason) app.log.warn(`QR signatures (Ed25519) through node:crypto: ${keys.ed25519.fallbackReason}`);
  // first-seen QR codes' signatures checked by worker threads (started with the first such check; ended on close)
  const verifyPool = new VerifyPool({ size: config.signatureWorkers, backend: keys.ed25519.name, log: { info: (m) => app.log.info(m), warn: (m) => app.log.warn(m) } });
  const events = new Events({
    db,
    jobs,
    url: opts.database.url,
    clock: config.clock,
    retryLimit: config.eventRetryLimit,
    retryDelaySeconds: config.eventRetryDelaySeconds,
    log: app.log,
    poolSize: opts.database.pool.options.max,
  });
  const ctx: AppContext = { config, db, pool: opts.database.pool, dbUrl: opts.database.url, access, jobs, events, keys, verifyPool, log: app.log, health };
  app.decorate('vigil', ctx);

  // Per-route limits. An answer within the limit carries no x-ratelimit-* headers (no client reads them; three
  // headers on every check-in's answer cost CPU and bytes); a refused one keeps them, with Retry-After.
  await app.register(rateLimit, { global: false, addHeadersOnExceeding: { 'x-ratelimit-limit': false, 'x-ratelimit-remaining': false, 'x-ratelimit-reset': false } });
  // API answers over 1 kB go out compressed (brotli at a light level, or gzip): lists and forms shrink 5-10x on slow
  // phone networks. Small ones (a check-in's answer) are sent as they are. The web app's files are pre-compressed.
  await app.register(compress, { global: true, threshold: 1024, encodings: ['br', 'gzip'] });
  await httpPlatform(app, { db, health, registry: new client.Registry(), queueSizes: () => jobs.queueSizes() });
  await authPlugin(app, { db, clock: config.clock, publicUrl: config.publicUrl, scopePathOf: async (code) => (await resolver.unit(code))?.path });
  await authRoutes(app, {
    db,
    access,
    clock: config.clock,
    sessionTtlHours: config.sessionTtlHours,
    secureCookies: config.publicUrl.startsWith('https://'),
  });
  platformJobs(ctx);
  for (const m of modules) await m.register?.(app, ctx);
  await homeRoutes(app, {
    access,
    clock: config.clock,
    timeZone: config.timeZone,
    providers: modules.flatMap((m) => (m.summary ? [(q: SummaryQuery) => m.summary!(ctx, q)] : [])),
  });

  const webDist = opts.webDist === undefined ? WEB_DIST : opts.webDist;
  if (webDist && fs.existsSync(path.join(webDist, 'index.html'))) await serveWeb(app, webDist);

  app.addHook('onClose', async () => {
    await jobs.stop();
    await verifyPool.close();
  });
  return app;
}
