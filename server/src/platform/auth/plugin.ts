// Authentication (session cookie or bearer API token) and the route guard every /api route passes through.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import cookie from '@fastify/cookie';
import type { Db } from '../db/types';
import { AppError, forbidden, unauthorized } from '../http/errors';
import { recordAudit } from '../audit';
import type { Permission } from './roles';
import { isReadOnlyToken, sha256, userForApiToken, type AuthUser } from './service';
import { SessionCache } from './session-cache';
import { sharedChangeFeed } from '../change-feed';

export const SESSION_COOKIE = 'vigil_session';

declare module 'fastify' {
  interface FastifyRequest {
    user: AuthUser | null;
    authVia: 'session' | 'token' | null;
  }
  interface FastifyContextConfig {
    /** Required permission; 'authenticated' = any signed-in user. */
    permission?: Permission | 'authenticated';
    /** No sign-in needed (citizen check-in, login, health). */
    public?: boolean;
    /**
     * How a route whose answer carries personal fields (PERSONAL_FIELDS in its response schema) is audited; without
     * it such a route is a startup error. 'handler': the handler writes its own audit row (reviewed); 'self': the
     * answer is the caller's own data (their record, household, their phone's people); { action }: the platform writes
     * one row per successful answer (actor, action, route, status, row count).
     */
    audit?: 'handler' | 'self' | { action: string; subjectType?: string };
  }
}

/** Field names that make an answer personal data. */
export const PERSONAL_FIELDS = new Set(['fullName', 'birthDate', 'nationalId', 'nationalIdMasked', 'phone', 'phoneMasked', 'personName']);

/** The personal field names anywhere in a (TypeBox / JSON) schema. */
export function personalFieldsOf(schema: unknown, out = new Set<string>(), depth = 0): Set<string> {
  if (!schema || typeof schema !== 'object' || depth > 20) return out;
  const s = schema as Record<string, unknown>;
  if (s.properties && typeof s.properties === 'object')
    for (const [k, v] of Object.entries(s.properties as Record<string, unknown>)) {
      if (PERSONAL_FIELDS.has(k)) out.add(k);
      personalFieldsOf(v, out, depth + 1);
    }
  for (const k of ['items', 'anyOf', 'allOf', 'oneOf', 'additionalProperties']) {
    const v = s[k];
    if (Array.isArray(v)) v.forEach((x) => personalFieldsOf(x, out, depth + 1));
    else personalFieldsOf(v, out, depth + 1);
  }
  return out;
}

export interface AuthPluginOptions {
  db: Db;
  clock: () => Date;
  publicUrl: string;
  /** materialized path of a jurisdiction (audit rows carry the actor's, so scoped auditors see their staff) */
  scopePathOf?: (code: string) => Promise<string | null | undefined>;
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export async function authPlugin(app: FastifyInstance, opts: AuthPluginOptions) {
  await app.register(cookie);
  app.decorateRequest('user', null);
  app.decorateRequest('authVia', null);

  // { audit: { action } } routes: one audit row per successful answer, written before the answer leaves (a hook of
  // those routes only: the other routes, the check-in hot path among them, do not pay for it)
  const auditAnswer = async (req: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    const { action, subjectType } = (req.routeOptions.config as { audit: { action: string; subjectType?: string } }).audit;
    if (reply.statusCode >= 300 || !req.user) return payload;
    let rows: number | null = null;
    if (typeof payload === 'string' && payload.length < 5_000_000) {
      try {
        const body = JSON.parse(payload) as { items?: unknown[] };
        rows = Array.isArray(body.items) ? body.items.length : null;
      } catch {
        rows = null;
      }
    }
    await recordAudit(opts.db, {
      actor: { id: req.user.id, username: req.user.username, scopePath: (await opts.scopePathOf?.(req.user.jurisdictionCode)) ?? null },
      action,
      subjectType: subjectType ?? 'person',
      ip: req.ip,
      at: opts.clock(),
      details: { route: `${req.method} ${req.routeOptions.url}`, status: reply.statusCode, rows },
    });
    return payload;
  };

  // Every /api route must say who may call it: a forgotten declaration is a startup error, not an open door.
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/api/') || route.url.startsWith('/api/docs')) return;
    const cfg = (route.config ?? {}) as { permission?: string; public?: boolean; audit?: unknown };
    if (!cfg.permission && !cfg.public) throw new Error(`Route ${route.method} ${route.url} declares neither permission nor public`);
    // an answer with personal fields must say how it is audited: a forgotten audit is a startup error too
    const response = (route.schema as { response?: Record<string, unknown> } | undefined)?.response ?? {};
    const personal = new Set<string>();
    for (const [code, schema] of Object.entries(response)) if (/^2/.test(code)) personalFieldsOf(schema, personal);
    if (personal.size && !cfg.audit)
      throw new Error(`Route ${route.method} ${route.url} answers personal fields (${[...personal].join(', ')}) but declares no audit (config.audit)`);
    if (cfg.audit && typeof cfg.audit === 'object') {
      const own = route.onSend ? (Array.isArray(route.onSend) ? route.onSend : [route.onSend]) : [];
      route.onSend = [...own, auditAnswer] as typeof route.onSend;
    }
  });


  const publicOrigin = new URL(opts.publicUrl).origin;
  // sessions from memory while the change feed is fresh (session-cache.ts)
  const sessions = new SessionCache(opts.db, undefined, sharedChangeFeed({ db: opts.db, config: { clock: opts.clock } }));
  app.addHook('onClose', async () => sessions.close());

  const identify = async (req: FastifyRequest) => {
    const header = req.headers.authorization;
    if (header?.startsWith('Bearer ')) {
      req.user = await userForApiToken(opts.db, header.slice(7).trim(), opts.clock());
      if (!req.user) throw unauthorized('Invalid or expired API token');
      req.authVia = 'token';
    } else {
      const token = req.cookies[SESSION_COOKIE];
      if (token) {
        req.user = await sessions.user(sha256(token), opts.clock());
        if (req.user) req.authVia = 'session';
      }
    }
  };

  /** CSRF and the route's permission, once the caller is known. */
  const guard = (req: FastifyRequest) => {
    const route = req.routeOptions; // a getter building a new object: read once
    const cfg = (route.config ?? {}) as { permission?: string; public?: boolean };
    const isApi = req.url.startsWith('/api/') && route.url !== undefined; // unmatched → 404 handler
    // CSRF: a cookie-authenticated state change must come from our own pages: they send X-Requested-With
    // (cross-site forms cannot set it; cross-site fetch with it needs CORS, which we do not grant).
    if (isApi && UNSAFE.has(req.method) && (req.authVia === 'session' || req.url.startsWith('/api/auth/login'))) {
      const xrw = req.headers['x-requested-with'];
      const origin = req.headers.origin;
      if (xrw !== 'vigil' && origin !== publicOrigin) throw new AppError(403, 'CSRF', 'Missing X-Requested-With header');
    }
    if (!isApi || cfg.public || req.url.startsWith('/api/docs')) return; // the API description is public
    if (!req.user) throw unauthorized();
    // a read-only API token changes nothing, whatever the route's own checks would allow
    if (req.authVia === 'token' && UNSAFE.has(req.method) && isReadOnlyToken(req.user.tokenScopes ?? []))
      throw new AppError(403, 'TOKEN_SCOPE', 'This API token is read-only', [{ path: 'headers.authorization', message: 'read-only token' }]);
    if (cfg.permission && cfg.permission !== 'authenticated' && !req.user.permissions.has(cfg.permission as Permission))
      throw forbidden();
  };

  // Callback style, so an anonymous request (every citizen check-in) passes without a promise round trip.
  app.addHook('onRequest', (req, _reply, done) => {
    if (req.headers.authorization === undefined && req.cookies[SESSION_COOKIE] === undefined) {
      try {
        guard(req);
      } catch (err) {
        return done(err as Error);
      }
      return done();
    }
    identify(req)
      .then(() => guard(req))
      .then(() => done(), (err: Error) => done(err));
  });
}
