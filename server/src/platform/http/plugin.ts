// Cross-cutting HTTP behaviour: error format, 404s, OpenAPI, /healthz, /metrics, log redaction.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import client from 'prom-client';
import { sql } from 'kysely';
import { AppError, errorBody, type ErrorDetail } from './errors';
import { ErrorResponse } from './schema';
import { RouteLatencyHistogram } from './metrics';
import type { Db } from '../db/types';
import { isPoolWait, isStatementTimeout, type DatabaseHealth } from '../db/health';

interface AjvError {
  instancePath: string;
  message?: string;
  keyword: string;
  params: Record<string, unknown>;
}

function validationDetails(context: string | undefined, errors: AjvError[]): ErrorDetail[] {
  return errors.map((e) => {
    const segs = e.instancePath.split('/').filter(Boolean);
    if (e.keyword === 'required' && typeof e.params.missingProperty === 'string') segs.push(e.params.missingProperty);
    if (e.keyword === 'additionalProperties' && typeof e.params.additionalProperty === 'string')
      segs.push(e.params.additionalProperty);
    const path = [context ?? 'body', ...segs].join('.');
    return { path, message: e.keyword === 'additionalProperties' ? 'is not an allowed field' : (e.message ?? 'is invalid') };
  });
}

/**
 * Where a NUL character (U+0000) sits in a request's text, as an error-detail path ('body.name', 'querystring.q',
 * 'body line 3'), or null. PostgreSQL stores no NUL in text, so every text input is refused here, in one place,
 * before any route sees it: keys and values of JSON bodies, query strings, path parameters and text bodies.
 */
export function findNul(value: unknown, path: string, depth = 0): string | null {
  if (typeof value === 'string') {
    const at = value.indexOf('\u0000');
    if (at < 0) return null;
    return path === 'body' && value.includes('\n') ? `body line ${value.slice(0, at).split('\n').length}` : path;
  }
  if (value === null || typeof value !== 'object' || Buffer.isBuffer(value) || depth > 64) return null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const hit = findNul(value[i], `${path}.${i}`, depth + 1);
      if (hit) return hit;
    }
    return null;
  }
  for (const [k, v] of Object.entries(value)) {
    if (k.includes('\u0000')) return `${path}.${k.replace(/\u0000/g, '\\u0000')}`;
    const hit = findNul(v, `${path}.${k}`, depth + 1);
    if (hit) return hit;
  }
  return null;
}

/**
 * Whether a NUL character sits anywhere in `value` (keys included): the per-request check. It allocates nothing
 * (no path strings, no entry arrays); findNul, which names the place, runs only when this finds one.
 */
export function hasNul(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return value.indexOf('\u0000') !== -1;
  if (value === null || typeof value !== 'object' || depth > 64 || Buffer.isBuffer(value)) return false;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (hasNul(value[i], depth + 1)) return true;
    return false;
  }
  // for…in also walks inherited enumerable keys: never fewer than findNul's Object.entries, so no NUL is missed
  for (const k in value) if (k.indexOf('\u0000') !== -1 || hasNul((value as Record<string, unknown>)[k], depth + 1)) return true;
  return false;
}

export interface HttpPlatformOptions {
  db: Db;
  health: DatabaseHealth;
  registry: client.Registry;
  queueSizes?: () => Promise<Record<string, number>>;
}

export async function httpPlatform(app: FastifyInstance, opts: HttpPlatformOptions) {
  app.addSchema(ErrorResponse);

  // Each route observes its own latency (its path bound here, not read per request through req.routeOptions, a
  // getter that builds an object); registered before any route, so every route gets it.
  // Metrics: a registry per app instance (tests build many apps in one process).
  const httpDuration = new RouteLatencyHistogram(
    'vigil_http_request_duration_seconds',
    'HTTP request latency by route',
    [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    opts.registry,
  );
  app.addHook('onRoute', (route) => {
    const observeRoute = httpDuration.routeObserver(route.url);
    const observe = (req: FastifyRequest, reply: FastifyReply, done: () => void) => {
      observeRoute(req.method, reply.statusCode, reply.elapsedTime / 1000);
      done();
    };
    const own = route.onResponse ? (Array.isArray(route.onResponse) ? route.onResponse : [route.onResponse]) : [];
    route.onResponse = [...own, observe] as typeof route.onResponse;
  });

  const { health } = opts;
  /** 503 while the database is away: the usual error body, Retry-After, and no log line (the watcher logs the outage once). */
  const databaseUnavailable = () =>
    new AppError(503, 'DATABASE_UNAVAILABLE', 'The database is not available right now; nothing was changed. Try again shortly.', undefined, {
      'retry-after': String(health.retryAfterSeconds),
    });
  /** 503 when the database is there but too slow or every connection is busy. */
  const databaseBusy = () => new AppError(503, 'DATABASE_BUSY', 'The database took too long to answer; try again shortly.', undefined, { 'retry-after': '5' });
  const isDatabaseRoute = (url: string) => url.startsWith('/api/') && !url.startsWith('/api/docs');

  // While the database is away, database-backed routes answer at once rather than each waiting for a connection
  // to fail. Registered before the auth plugin, so sessions are not looked up either.
  app.addHook('onRequest', (req, _reply, done) => {
    if (!health.up && isDatabaseRoute(req.url)) return done(databaseUnavailable());
    done();
  });

  app.setErrorHandler((err: FastifyError & { validationContext?: string }, req, reply) => {
    if (health.report(err)) {
      // no pooled connection came free in time while the database answers: busy, not gone
      const busy = isPoolWait(err) && health.up;
      if (busy) req.log.warn({ route: req.routeOptions.url }, 'no free database connection');
      err = (busy ? databaseBusy() : databaseUnavailable()) as unknown as typeof err;
    } else if (isStatementTimeout(err)) {
      req.log.warn({ route: req.routeOptions.url }, 'statement timeout');
      err = databaseBusy() as unknown as typeof err;
    }
    if (err instanceof AppError) {
      if (err.headers) reply.headers(err.headers);
      return reply.status(err.statusCode).send(errorBody(err.code, err.message, err.details));
    }
    if (err.validation) {
      const details = validationDetails(err.validationContext, err.validation as unknown as AjvError[]);
      const message = details.map((d) => `${d.path} ${d.message}`).join('; ');
      return reply.status(400).send(errorBody('VALIDATION', message, details));
    }
    // PostgreSQL refuses NUL characters in text (22021/22P05): the caller's input, not our fault
    if (err.code === '22021' || err.code === '22P05')
      return reply.status(400).send(errorBody('VALIDATION', 'Text must not contain NUL characters', [{ path: 'request', message: 'contains a NUL character' }]));
    const status = err.statusCode ?? 500;
    if (status === 413) return reply.status(413).send(errorBody('PAYLOAD_TOO_LARGE', 'Request body is too large'));
    if (status === 429) return reply.status(429).send(errorBody('RATE_LIMITED', err.message || 'Too many requests, slow down'));
    if (err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || err instanceof SyntaxError)
      return reply.status(400).send(errorBody('INVALID_JSON', 'Request body is not valid JSON', [{ path: 'body', message: 'invalid JSON' }]));
    if (status >= 400 && status < 500) {
      return reply.status(status).send(errorBody(err.code?.replace(/^FST_ERR_/, '') || 'BAD_REQUEST', err.message));
    }
    req.log.error({ err: { type: err.name, message: err.message, stack: err.stack } }, 'request failed');
    return reply.status(500).send(errorBody('INTERNAL', 'Internal server error'));
  });

  // Before any schema validation or handler: one decision for every text input of every route.
  app.addHook('preValidation', (req, _reply, done) => {
    if (!hasNul(req.params) && !hasNul(req.query) && !hasNul(req.body)) return done();
    const hit = findNul(req.params, 'params') ?? findNul(req.query, 'querystring') ?? findNul(req.body, 'body');
    if (!hit) return done(); // only an inherited key had one: findNul (own keys) decides, as before
    done(new AppError(400, 'VALIDATION', `${hit}: must not contain a NUL character (\\u0000)`, [{ path: hit, message: 'must not contain a NUL character (\\u0000)' }]));
  });

  app.setNotFoundHandler((req, reply) => {
    reply.status(404).send(errorBody('NOT_FOUND', `No route ${req.method} ${req.url.split('?')[0]}`));
  });

  await app.register(swagger, {
    openapi: {
      info: { title: 'Vigil API', version: '0.1.0', description: 'Epidemic-response platform API' },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: 'vigil_session' },
          token: { type: 'http', scheme: 'bearer' },
        },
      },
      security: [{ session: [] }, { token: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs' });

  if (opts.queueSizes) {
    const sizes = opts.queueSizes;
    new client.Gauge({
      name: 'vigil_job_queue_depth',
      help: 'Jobs waiting per queue',
      labelNames: ['queue'] as const,
      registers: [opts.registry],
      async collect() {
        const q = await sizes().catch(() => ({}) as Record<string, number>);
        for (const [queue, n] of Object.entries(q)) this.set({ queue }, n);
      },
    });
  }
  client.collectDefaultMetrics({ register: opts.registry, prefix: 'vigil_' });

  // Unmatched requests (404s) here; every route's own in the onRoute hook above, with its path bound once.
  app.addHook('onResponse', (req, reply, done) => {
    if (req.is404) httpDuration.observe(req.method, 'unmatched', reply.statusCode, reply.elapsedTime / 1000);
    done();
  });

  // For load balancers and operators: 200 when the database answers, else 503 saying why and since when.
  app.get('/healthz', { config: { public: true }, schema: { hide: true } }, async (_req, reply) => {
    if (health.up) {
      try {
        await sql`select 1`.execute(opts.db);
        return { status: 'ok', database: 'up' };
      } catch (err) {
        if (!health.report(err)) health.markDown(String((err as Error)?.message ?? err).slice(0, 200));
      }
    }
    const s = health.state;
    reply.header('retry-after', String(health.retryAfterSeconds));
    return reply.status(503).send({ status: 'unavailable', database: s.status, reason: s.reason, since: s.since.toISOString() });
  });

  app.get('/metrics', { config: { public: true }, schema: { hide: true } }, async (_req, reply) => {
    reply.header('content-type', opts.registry.contentType);
    return opts.registry.metrics();
  });
}

/** Pino serializers that keep personal data out of logs: no query strings, no bodies, no headers. */
export const logSerializers = {
  req(req: { method: string; url: string; id?: string }) {
    return { method: req.method, url: req.url.split('?')[0], id: req.id };
  },
  res(res: { statusCode: number }) {
    return { statusCode: res.statusCode };
  },
};
