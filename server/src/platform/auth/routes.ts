import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Db } from '../db/types';
import { forbidden, notFound } from '../http/errors';
import { IdParam, Page } from '../http/schema';
import { recordAudit, searchAudit } from '../audit';
import { Access } from './access';
import { mayGrantRole, ROLES, ROLE_PERMISSIONS, type Permission } from './roles';
import { AuditItem, AuditQuery, CreateTokenBody, CreateUserBody, LoginBody, Me, TokenIdParam, TokenItem, TokenListQuery, UpdateUserBody, UserItem, UserListQuery } from './schema';
import { assertAuthorityOver, createApiToken, createUser, listApiTokens, login, logout, revokeApiTokens, updateUser, type AuthUser } from './service';
import { findUserById } from './queries';
import { SESSION_COOKIE } from './plugin';
import type { UserRow } from './queries';

export interface AuthRoutesOptions {
  db: Db;
  access: Access;
  clock: () => Date;
  sessionTtlHours: number;
  secureCookies: boolean;
}

export async function auditActor(access: Access, user: AuthUser) {
  const unit = await access.resolver.unit(user.jurisdictionCode);
  return { id: user.id, username: user.username, scopePath: unit?.path ?? null };
}

export async function authRoutes(fastify: FastifyInstance, opts: AuthRoutesOptions) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { db, access, clock } = opts;

  const me = async (u: AuthUser): Promise<Me> => {
    const unit = await access.resolver.unit(u.jurisdictionCode);
    return {
      id: u.id,
      username: u.username,
      displayName: u.displayName,
      role: u.role,
      jurisdiction: { code: u.jurisdictionCode, name: unit?.name ?? u.jurisdictionCode, level: unit?.level ?? 'unknown' },
      permissions: [...u.permissions] as Permission[],
      personId: u.personId,
    };
  };

  const userItem = async (r: UserRow): Promise<UserItem> => ({
    id: String(r.id),
    username: r.username,
    displayName: r.display_name,
    role: r.role,
    jurisdiction: { code: r.jurisdiction_code, name: (await access.resolver.unit(r.jurisdiction_code))?.name ?? r.jurisdiction_code },
    disabled: r.disabled,
    lastLoginAt: r.last_login_at?.toISOString() ?? null,
    createdAt: r.created_at.toISOString(),
  });

  app.post(
    '/api/auth/login',
    {
      config: {
        public: true,
        // per address *and* username: a whole CDC office behind one NAT can still sign in at 8 a.m.;
        // guessing is slowed by growing delays per address + username and per address (throttle.ts), never by locking the account.
        rateLimit: {
          max: 10,
          timeWindow: '1 minute',
          hook: 'preHandler',
          keyGenerator: (req) => `${req.ip}|${String((req.body as { username?: unknown })?.username ?? '').toLowerCase()}`,
        },
      },
      schema: { tags: ['auth'], body: LoginBody, response: { 200: Type.Object({ user: Me }) } },
    },
    async (req, reply) => {
      const { user, token, expiresAt } = await login(db, req.body.username, req.body.password, clock(), opts.sessionTtlHours, req.ip);
      reply.setCookie(SESSION_COOKIE, token, {
        path: '/',
        httpOnly: true,
        sameSite: 'lax',
        secure: opts.secureCookies,
        expires: expiresAt,
      });
      return { user: await me(user) };
    },
  );

  app.post('/api/auth/logout', { config: { public: true }, schema: { tags: ['auth'] } }, async (req: FastifyRequest, reply: FastifyReply) => {
    const token = req.cookies[SESSION_COOKIE];
    if (token) await logout(db, token);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.status(204).send();
  });

  app.get('/api/auth/me', { config: { permission: 'authenticated' }, schema: { tags: ['auth'], response: { 200: Type.Object({ user: Me }) } } }, async (req) => ({
    user: await me(req.user!),
  }));

  // assignable: roles the caller may grant (the users form offers only these; the server enforces it anyway)
  app.get('/api/auth/roles', { config: { permission: 'authenticated' }, schema: { tags: ['auth'] } }, async (req) =>
    ROLES.map((role) => ({ role, permissions: ROLE_PERMISSIONS[role], assignable: req.user!.permissions.has('users.manage') && mayGrantRole(req.user!.role, role) })),
  );

  // ── API tokens: scoped, expiring, listed and revoked by their owner or the owner's manager ─────────────────
  const tokenItem = (r: Awaited<ReturnType<typeof listApiTokens>>[number]): TokenItem => ({
    id: String(r.id),
    name: r.name,
    scopes: r.scopes,
    createdAt: r.created_at.toISOString(),
    lastUsedAt: r.last_used_at?.toISOString() ?? null,
    expiresAt: r.expires_at.toISOString(),
    revokedAt: r.revoked_at?.toISOString() ?? null,
    active: !r.revoked_at && r.expires_at > clock(),
  });

  /** The account whose tokens are asked for: one's own, or (users.manage) one inside one's authority. */
  const tokenOwner = async (caller: AuthUser, userId: string | undefined) => {
    const row = await findUserById(db, userId ?? caller.id);
    if (!row) throw notFound('User');
    await assertAuthorityOver(access.resolver, caller, row);
    return row;
  };

  app.post(
    '/api/auth/tokens',
    { config: { permission: 'authenticated' }, schema: { tags: ['auth'], body: CreateTokenBody, response: { 201: Type.Object({ id: Type.String(), token: Type.String(), scopes: Type.Array(Type.String()), expiresAt: Type.String() }) } } },
    async (req, reply) => {
      // a token cannot mint tokens: a leaked token must not outlive its own expiry or revocation
      if (req.authVia === 'token') throw forbidden('API tokens are created from a signed-in session, not with another token');
      const t = await createApiToken(db, req.user!, req.body, clock());
      await recordAudit(db, { actor: await auditActor(access, req.user!), action: 'token.create', subjectType: 'user', subjectId: req.user!.id, ip: req.ip, details: { tokenId: t.id, name: req.body.name, scopes: t.scopes, expiresAt: t.expiresAt.toISOString() } });
      return reply.status(201).send({ id: t.id, token: t.token, scopes: t.scopes, expiresAt: t.expiresAt.toISOString() });
    },
  );

  app.get(
    '/api/auth/tokens',
    { config: { permission: 'authenticated' }, schema: { tags: ['auth'], querystring: TokenListQuery, response: { 200: Type.Object({ items: Type.Array(TokenItem) }) } } },
    async (req) => {
      const owner = await tokenOwner(req.user!, req.query.userId);
      return { items: (await listApiTokens(db, String(owner.id))).map(tokenItem) };
    },
  );

  app.delete('/api/auth/tokens/:id', { config: { permission: 'authenticated' }, schema: { tags: ['auth'], params: TokenIdParam } }, async (req, reply) => {
    const tok = await db.selectFrom('api_tokens').select(['id', 'user_id']).where('id', '=', req.params.id).executeTakeFirst();
    // a token of someone outside one's authority looks like no token at all
    const owner = tok ? await tokenOwner(req.user!, String(tok.user_id)).catch(() => null) : null;
    if (!tok || !owner) throw notFound('API token');
    const n = await revokeApiTokens(db, String(owner.id), String(tok.id), req.user!.id, clock());
    if (n) await recordAudit(db, { actor: await auditActor(access, req.user!), action: 'token.revoke', subjectType: 'user', subjectId: String(owner.id), ip: req.ip, details: { tokenId: String(tok.id) } });
    return reply.status(204).send();
  });

  app.get(
    '/api/users',
    { config: { permission: 'users.manage' }, schema: { tags: ['users'], querystring: UserListQuery, response: { 200: Page(UserItem) } } },
    async (req) => {
      const scope = await access.scopeCodes(req.user!);
      let q = db.selectFrom('users');
      if (scope) q = q.where('jurisdiction_code', 'in', scope);
      if (req.query.role) q = q.where('role', '=', req.query.role);
      if (req.query.q) {
        const like = `%${req.query.q.replace(/[%_\\]/g, '\\$&')}%`;
        q = q.where((eb) => eb.or([eb('username', 'ilike', like), eb('display_name', 'ilike', like)]));
      }
      const [rows, total] = await Promise.all([
        q.selectAll().orderBy('username').limit(req.query.limit).offset(req.query.offset).execute(),
        q.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
      ]);
      return { items: await Promise.all(rows.map(userItem)), total: Number(total.n) };
    },
  );

  app.post(
    '/api/users',
    { config: { permission: 'users.manage' }, schema: { tags: ['users'], body: CreateUserBody, response: { 201: Type.Object({ user: UserItem }) } } },
    async (req, reply) => {
      const row = await createUser(db, access.resolver, req.user!, req.body);
      await recordAudit(db, {
        actor: await auditActor(access, req.user!),
        action: 'user.create',
        subjectType: 'user',
        subjectId: String(row.id),
        ip: req.ip,
        details: { role: row.role, jurisdictionCode: row.jurisdiction_code },
      });
      return reply.status(201).send({ user: await userItem(row) });
    },
  );

  app.patch(
    '/api/users/:id',
    { config: { permission: 'users.manage' }, schema: { tags: ['users'], params: IdParam, body: UpdateUserBody, response: { 200: Type.Object({ user: UserItem }) } } },
    async (req) => {
      const row = await updateUser(db, access.resolver, req.user!, req.params.id, req.body);
      await recordAudit(db, {
        actor: await auditActor(access, req.user!),
        action: 'user.update',
        subjectType: 'user',
        subjectId: req.params.id,
        ip: req.ip,
        details: { fields: Object.keys(req.body).filter((k) => k !== 'password').concat(req.body.password ? ['password(reset)'] : []) },
      });
      return { user: await userItem(row) };
    },
  );

  app.get(
    '/api/audit',
    { config: { permission: 'audit.read' }, schema: { tags: ['audit'], querystring: AuditQuery, response: { 200: Page(AuditItem) } } },
    async (req) => {
      const u = req.user!;
      const scopePath = u.role === 'national_admin' ? null : ((await access.resolver.unit(u.jurisdictionCode))?.path ?? notFoundScope());
      const r = await searchAudit(db, {
        ...req.query,
        from: req.query.from ? new Date(req.query.from) : undefined,
        to: req.query.to ? new Date(req.query.to) : undefined,
        scopePath,
      });
      return {
        total: r.total,
        items: r.items.map((a) => ({
          id: String(a.id),
          at: a.at.toISOString(),
          actor: a.actor_id ? { id: String(a.actor_id), username: a.actor_username ?? '' } : null,
          action: a.action,
          subjectType: a.subject_type,
          subjectId: a.subject_id,
          reason: a.reason,
          details: a.details ?? null,
        })),
      };
    },
  );
}

function notFoundScope(): never {
  throw notFound('Your jurisdiction');
}
