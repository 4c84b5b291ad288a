// Identity rules: sign-in (throttled, see throttle.ts), sessions, API tokens (scoped, expiring), user management within a jurisdiction.
import crypto from 'node:crypto';
import type { DbOrTx } from '../db/types';
import { AppError, conflict, forbidden, invalidField, notFound, unauthorized } from '../http/errors';
import { checkLoginThrottle, clearUserThrottle, recordLoginFailure } from './throttle';
import { dummyHash, hashPassword, passwordProblem, verifyPassword } from './password';
import { findSessionUser, findTokenUser, findUserById, findUserByUsername, type UserRow } from './queries';
import { isRole, mayGrantRole, ROLE_PERMISSIONS, type Permission, type Role } from './roles';
import { withinScope, type JurisdictionResolver } from './jurisdiction';
import { forgetSession, forgetUserSessions } from './session-registry';

export interface AuthUser {
  id: string;
  username: string;
  displayName: string;
  role: Role;
  jurisdictionCode: string;
  personId: string | null;
  permissions: ReadonlySet<Permission>;
  /** Signed in with an API token: its scopes (permissions above are already narrowed to them). */
  tokenScopes?: readonly string[];
}

export const sha256 = (s: string) => crypto.createHash('sha256').update(s).digest('hex');

export function toAuthUser(row: UserRow): AuthUser {
  const role = isRole(row.role) ? row.role : 'citizen';
  return {
    id: String(row.id),
    username: row.username,
    displayName: row.display_name,
    role,
    jurisdictionCode: row.jurisdiction_code,
    personId: row.person_id,
    permissions: new Set(ROLE_PERMISSIONS[role]),
  };
}

/**
 * Password sign-in. Throttled per client address + username and per address (throttle.ts), never per account
 * alone: a stranger who knows a username cannot lock its owner out.
 */
export async function login(
  db: DbOrTx,
  username: string,
  password: string,
  now: Date,
  ttlHours: number,
  ip = 'unknown',
): Promise<{ user: AuthUser; token: string; expiresAt: Date }> {
  await checkLoginThrottle(db, ip, username, now);
  const row = await findUserByUsername(db, username);
  const ok = await verifyPassword(password, row?.password_hash ?? (await dummyHash())); // same cost either way
  if (!row || !ok || row.disabled) {
    if (!ok) await recordLoginFailure(db, ip, username, now);
    throw unauthorized('Wrong username or password');
  }
  const token = crypto.randomBytes(32).toString('base64url');
  const expiresAt = new Date(now.getTime() + ttlHours * 3600_000);
  await db.insertInto('sessions').values({ id: sha256(token), user_id: row.id, expires_at: expiresAt, created_at: now, last_seen_at: now }).execute();
  await db.updateTable('users').set({ failed_logins: 0, locked_until: null, last_login_at: now }).where('id', '=', row.id).execute();
  await clearUserThrottle(db, ip, username);
  return { user: toAuthUser(row), token, expiresAt };
}

export async function logout(db: DbOrTx, token: string) {
  await db.deleteFrom('sessions').where('id', '=', sha256(token)).execute();
  forgetSession(sha256(token)); // this process's caches at once; the others through the change feed (session-cache.ts)
}

export async function userForApiToken(db: DbOrTx, token: string, now: Date): Promise<AuthUser | null> {
  const row = await findTokenUser(db, sha256(token), now);
  if (!row || row.disabled) return null;
  if (!row.last_used_at || now.getTime() - row.last_used_at.getTime() > 60_000) {
    await db.updateTable('api_tokens').set({ last_used_at: now }).where('id', '=', row.token_id).execute();
  }
  const user = toAuthUser(row);
  return { ...user, permissions: tokenPermissions(user.permissions, row.scopes), tokenScopes: row.scopes };
}

/** API tokens: at most this many days; 90 when not said. */
export const TOKEN_DEFAULT_DAYS = 90;
export const TOKEN_MAX_DAYS = 365;

/** What a token may do: the owner's permissions (today's, not those at creation) within its scopes. */
export function tokenPermissions(owner: ReadonlySet<Permission>, scopes: readonly string[]): ReadonlySet<Permission> {
  return new Set([...owner].filter((p) => scopes.includes(p) || (scopes.includes('read') && p.endsWith('.read'))));
}

/** A token with only read permissions: it may not change anything (no POST/PUT/PATCH/DELETE on signed-in routes). */
export const isReadOnlyToken = (scopes: readonly string[]) => scopes.every((s) => s === 'read' || s.endsWith('.read'));

export async function createApiToken(db: DbOrTx, owner: AuthUser, t: { name: string; scopes: string[]; expiresInDays?: number }, now: Date) {
  const scopes = [...new Set(t.scopes)];
  scopes.forEach((s, i) => {
    if (s !== 'read' && !owner.permissions.has(s as Permission)) throw invalidField(`body.scopes.${i}`, `"${s}" is not a permission of yours`);
  });
  const days = t.expiresInDays ?? TOKEN_DEFAULT_DAYS;
  const expiresAt = new Date(now.getTime() + days * 86400_000);
  const token = `vgl_${crypto.randomBytes(30).toString('base64url')}`;
  const row = await db
    .insertInto('api_tokens')
    .values({ user_id: owner.id, name: t.name, token_hash: sha256(token), scopes, expires_at: expiresAt, created_at: now, last_used_at: null, revoked_at: null, revoked_by: null })
    .returning(['id', 'created_at'])
    .executeTakeFirstOrThrow();
  return { id: String(row.id), token, scopes, expiresAt, createdAt: row.created_at };
}

export const listApiTokens = (db: DbOrTx, userId: string) =>
  db
    .selectFrom('api_tokens')
    .select(['id', 'user_id', 'name', 'scopes', 'created_at', 'last_used_at', 'expires_at', 'revoked_at'])
    .where('user_id', '=', userId)
    .orderBy('created_at', 'desc')
    .limit(200)
    .execute();

/** Revokes one token (returns its owner id), or every live token of a user (`tokenId` null). */
export async function revokeApiTokens(db: DbOrTx, userId: string, tokenId: string | null, by: string | null, now: Date) {
  let q = db.updateTable('api_tokens').set({ revoked_at: now, revoked_by: by }).where('user_id', '=', userId).where('revoked_at', 'is', null);
  if (tokenId) q = q.where('id', '=', tokenId);
  return Number((await q.executeTakeFirst()).numUpdatedRows);
}

/** May `manager` manage `target` (tokens, role, status)? Their own account, or inside their area and below their role. */
export async function assertAuthorityOver(resolver: JurisdictionResolver, manager: AuthUser, target: UserRow) {
  if (manager.id === String(target.id)) return;
  if (
    !manager.permissions.has('users.manage') ||
    !(await withinScope(resolver, manager.jurisdictionCode, target.jurisdiction_code)) ||
    !isRole(target.role) ||
    !mayGrantRole(manager.role, target.role)
  )
    throw forbidden('That user is outside your authority');
}

export async function purgeExpiredSessions(db: DbOrTx, now: Date) {
  const r = await db.deleteFrom('sessions').where('expires_at', '<', now).executeTakeFirst();
  // the session change feed (session-cache.ts) is read every second: a day of it is plenty
  await db.deleteFrom('session_changes').where('changed_at', '<', new Date(now.getTime() - 86400_000)).execute();
  return Number(r.numDeletedRows);
}

export interface NewUser {
  username: string;
  displayName: string;
  password: string;
  role: string;
  jurisdictionCode: string;
  personId?: string | null;
}

async function checkGrant(resolver: JurisdictionResolver, manager: AuthUser | null, role: string, jurisdictionCode: string) {
  if (!isRole(role)) throw invalidField('body.role', `unknown role "${role}"`);
  const unit = await resolver.unit(jurisdictionCode);
  if (!unit) throw invalidField('body.jurisdictionCode', `unknown administrative unit "${jurisdictionCode}"`);
  if (manager) {
    if (!mayGrantRole(manager.role, role)) throw forbidden(`Your role may not grant the role ${role}`);
    if (!(await withinScope(resolver, manager.jurisdictionCode, jurisdictionCode)))
      throw forbidden('That jurisdiction is outside your own');
  }
}

/** manager=null: the CLI / demo seeding acting as the operator of the installation. */
export async function createUser(db: DbOrTx, resolver: JurisdictionResolver, manager: AuthUser | null, u: NewUser) {
  if (!/^[a-zA-Z0-9._@-]{3,64}$/.test(u.username))
    throw invalidField('body.username', 'must be 3–64 letters, digits or . _ @ -');
  const problem = passwordProblem(u.password);
  if (problem) throw invalidField('body.password', problem);
  await checkGrant(resolver, manager, u.role, u.jurisdictionCode);
  if (await findUserByUsername(db, u.username)) throw conflict(`Username "${u.username}" is taken`, [{ path: 'body.username', message: 'is taken' }]);
  const row = await db
    .insertInto('users')
    .values({
      username: u.username,
      display_name: u.displayName,
      password_hash: await hashPassword(u.password),
      role: u.role,
      jurisdiction_code: u.jurisdictionCode,
      person_id: u.personId ?? null,
      locked_until: null,
      last_login_at: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return row;
}

export interface UserPatch {
  displayName?: string;
  role?: string;
  jurisdictionCode?: string;
  disabled?: boolean;
  password?: string;
}

export async function updateUser(db: DbOrTx, resolver: JurisdictionResolver, manager: AuthUser | null, id: string, patch: UserPatch) {
  const row = await findUserById(db, id);
  if (!row) throw notFound('User');
  if (manager) {
    if (manager.id === id) {
      // one's own name and password, yes; one's own role, jurisdiction or status, no
      if (patch.role !== undefined || patch.disabled !== undefined || patch.jurisdictionCode !== undefined)
        throw forbidden('You cannot change your own role, jurisdiction or status');
    } else await assertAuthorityOver(resolver, manager, row); // inside the manager's jurisdiction, of a role they may grant
  }
  if (patch.role !== undefined || patch.jurisdictionCode !== undefined)
    await checkGrant(resolver, manager, patch.role ?? row.role, patch.jurisdictionCode ?? row.jurisdiction_code);
  if (patch.password !== undefined) {
    const problem = passwordProblem(patch.password);
    if (problem) throw invalidField('body.password', problem);
  }
  const updated = await db
    .updateTable('users')
    .set({
      ...(patch.displayName !== undefined && { display_name: patch.displayName }),
      ...(patch.role !== undefined && { role: patch.role }),
      ...(patch.jurisdictionCode !== undefined && { jurisdiction_code: patch.jurisdictionCode }),
      ...(patch.disabled !== undefined && { disabled: patch.disabled }),
      ...(patch.password !== undefined && { password_hash: await hashPassword(patch.password), failed_logins: 0, locked_until: null }),
      updated_at: new Date(),
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  forgetUserSessions(id); // role, area, status: this process's cached sessions at once, the others through the feed
  // a new password or a disabled account ends every way in: sessions and API tokens
  if (patch.disabled || patch.password !== undefined) {
    await db.deleteFrom('sessions').where('user_id', '=', id).execute();
    await revokeApiTokens(db, id, null, manager?.id ?? null, new Date());
  }
  return updated;
}

export { AppError };
