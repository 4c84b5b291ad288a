// buildApp(config): the Fastify instance with the platform plugins and every module's routes.
// Production (`vigil start`) and the tests build the app the same way.
import fs from 'node:fs';
import path from 'node:path';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import client from 'prom-client';
import type { Config } from './config';
import type { DatabaseHandle } from './platform/db';
import { Access } from './platform/auth/access';
import { authPlugin } from './platform/auth/plugin';
import { authRoutes } from './platform/auth/routes';
import { httpPlatform, logSerializers } from './platform/http/plugin';
import { Jobs } from './platform/jobs';
import { Events } from './platform/events';
import { KeyRing } from './platform/signing';
import type { AppContext } from './platform/module';
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
  /** Serve the built web app from this folder (default web/dist when it exists). */
  webDist?: string | null;
  keys?: KeyRing;
}

export const WEB_DIST = path.resolve(new URL('../../web/dist', import.meta.url).pathname);

export async function buildApp(config: Config, opts: BuildOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: opts.logger === false ? false : { level: config.logLevel, serializers: logSerializers },
    trustProxy: config.trustProxy,
    bodyLimit: 1024 * 1024,
    // per-request lines only at debug level (the hot path stays quiet; URLs never carry personal data anyway)
    logController: new LogController({ disableRequestLogging: config.logLevel !== 'debug' && config.logLevel !== 'trace' }),
    ajv: { customOptions: { coerceTypes: 'array', removeAdditional: false, useDefaults: true, allErrors: false } },
  });

  const db = opts.database.db;
  const resolver = createJurisdictionResolver(db);
  const access = new Access(resolver);
  const jobs = new Jobs({ url: opts.database.url, enabled: config.jobs, timeZone: config.timeZone, log: app.log });
  const keys = opts.keys ?? (await KeyRing.open(config.signingKeyDir, { clock: config.clock }));
  const events = new Events({
    db,
    jobs,
    url: opts.database.url,
    clock: config.clock,
    retryLimit: config.eventRetryLimit,
    retryDelaySeconds: config.eventRetryDelaySeconds,
    log: app.log,
  });
  const ctx: AppContext = { config, db, pool: opts.database.pool, access, jobs, events, keys, log: app.log };
  app.decorate('vigil', ctx);

  await app.register(rateLimit, { global: false });
  await httpPlatform(app, { db, registry: new client.Registry(), queueSizes: () => jobs.queueSizes() });
  await authPlugin(app, { db, clock: config.clock, publicUrl: config.publicUrl });
  await authRoutes(app, {
    db,
    access,
    clock: config.clock,
    sessionTtlHours: config.sessionTtlHours,
    secureCookies: config.publicUrl.startsWith('https://'),
  });
  platformJobs(ctx);
  for (const m of modules) await m.register?.(app, ctx);

  const webDist = opts.webDist === undefined ? WEB_DIST : opts.webDist;
  if (webDist && fs.existsSync(path.join(webDist, 'index.html'))) {
    await app.register(fastifyStatic, { root: webDist, wildcard: false, index: false });
    const checkinPage = fs.existsSync(path.join(webDist, 'checkin.html')) ? 'checkin.html' : 'index.html';
    const spa = (file: string) => (_req: unknown, reply: { header(k: string, v: string): unknown; sendFile(f: string): unknown }) => {
      reply.header('cache-control', 'no-cache');
      return reply.sendFile(file);
    };
    // QR URLs (/c/<token>) open the light citizen page; everything else the staff app.
    app.get('/c/*', { config: { public: true }, schema: { hide: true } }, spa(checkinPage));
    app.get('/*', { config: { public: true }, schema: { hide: true } }, async (req, reply) => {
      const url = req.url.split('?')[0];
      if (url.startsWith('/api/')) return reply.callNotFound();
      const file = url.slice(1);
      if (file && !file.includes('..') && fs.existsSync(path.join(webDist, file)) && fs.statSync(path.join(webDist, file)).isFile()) {
        if (file.startsWith('assets/')) reply.header('cache-control', 'public, max-age=31536000, immutable');
        return reply.sendFile(file);
      }
      return spa('index.html')(req, reply);
    });
  }

  app.addHook('onClose', async () => {
    await jobs.stop();
  });
  return app;
}
