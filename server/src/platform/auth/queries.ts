import type { ColumnType, Generated, Selectable } from 'kysely';
import type { DbOrTx } from '../db/types';

export interface UserTable {
  id: Generated<string>;
  username: string;
  display_name: string;
  password_hash: string;
  role: string;
  jurisdiction_code: string;
  person_id: string | null;
  disabled: Generated<boolean>;
  failed_logins: Generated<number>;
  locked_until: Date | null;
  last_login_at: Date | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}
export interface SessionTable {
  id: string;
  user_id: string;
  created_at: Generated<Date>;
  last_seen_at: Generated<Date>;
  expires_at: Date;
}
export interface ApiTokenTable {
  id: Generated<string>;
  user_id: string;
  name: string;
  token_hash: string;
  created_at: Generated<Date>;
  last_used_at: Date | null;
  expires_at: Date;
  revoked_at: Date | null;
  revoked_by: string | null;
  /** 'read' and/or permission names (see tokenPermissions) */
  scopes: Generated<string[]>;
}
/** The session change feed (platform migration 0003, written by triggers; read by session-cache.ts). */
export interface SessionChangeTable {
  session_id: string | null;
  user_id: string | null;
  changed_at: Generated<Date>;
}
export interface LoginThrottleTable {
  key: string;
  failures: Generated<number>;
  last_failure_at: Date;
  blocked_until: Date | null;
}

declare module '../db/types' {
  interface Database {
    users: UserTable;
    sessions: SessionTable;
    api_tokens: ApiTokenTable;
    login_throttle: LoginThrottleTable;
    session_changes: SessionChangeTable;
  }
}

export type UserRow = Selectable<UserTable>;
export type { ColumnType };

export const findUserByUsername = (db: DbOrTx, username: string) =>
  db.selectFrom('users').selectAll().where((eb) => eb(eb.fn('lower', ['username']), '=', username.toLowerCase())).executeTakeFirst();

export const findUserById = (db: DbOrTx, id: string) =>
  db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();

export const findSessionUser = (db: DbOrTx, sessionId: string, now: Date) =>
  db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .selectAll('users')
    .select(['sessions.expires_at', 'sessions.last_seen_at'])
    .where('sessions.id', '=', sessionId)
    .where('sessions.expires_at', '>', now)
    .executeTakeFirst();

export const findTokenUser = (db: DbOrTx, tokenHash: string, now: Date) =>
  db
    .selectFrom('api_tokens')
    .innerJoin('users', 'users.id', 'api_tokens.user_id')
    .selectAll('users')
    .select(['api_tokens.id as token_id', 'api_tokens.last_used_at', 'api_tokens.scopes'])
    .where('api_tokens.token_hash', '=', tokenHash)
    .where('api_tokens.revoked_at', 'is', null)
    .where('api_tokens.expires_at', '>', now)
    .executeTakeFirst();
