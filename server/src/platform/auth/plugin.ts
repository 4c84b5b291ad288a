// Authentication (session cookie or bearer API token) and the route guard every /api route passes through.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import cookie from '@fastify/cookie';
import type { Db } from '../db/types';
import { AppError, forbidden, unauthorized } from '../http/errors';
import type { Permission } from './roles';
import { isReadOnlyToken, userForApiToken, userForSession, type AuthUser } from './service';

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
  }
}

export interface AuthPluginOptions {
  db: Db;
  clock: () => Date;
  publicUrl: string;
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export async function authPlugin(app: FastifyInstance, opts: AuthPluginOptions) {
  await app.register(cookie);
  app.decorateRequest('user', null);
  app.decorateRequest('authVia', null);

  // Every /api route must say who may call it: a forgotten declaration is a startup error, not an open door.
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/api/') || route.url.startsWith('/api/docs')) return;
    const cfg = (route.config ?? {}) as { permission?: string; public?: boolean };
    if (!cfg.permission && !cfg.public) throw new Error(`Route ${route.method} ${route.url} declares neither permission nor public`);
  });

  const publicOrigin = new URL(opts.publicUrl).origin;

  const identify = async (req: FastifyRequest) => {
    const header = req.headers.authorization;
    if (header?.startsWith('Bearer ')) {
      req.user = await userForApiToken(opts.db, header.slice(7).trim(), opts.clock());
      if (!req.user) throw unauthorized('Invalid or expired API token');
      req.authVia = 'token';
    } else {
      const token = req.cookies[SESSION_COOKIE];
      if (token) {
        req.user = await userForSession(opts.db, token, opts.clock());
        if (req.user) req.authVia = 'session';
      }
    }
  };

  /** CSRF and the route's permission, once the caller is known. */
  const guard = (req: FastifyRequest) => {
    const cfg = (req.routeOptions.config ?? {}) as { permission?: string; public?: boolean };
    const isApi = req.url.startsWith('/api/') && req.routeOptions.url !== undefined; // unmatched → 404 handler
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
