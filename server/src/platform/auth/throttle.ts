// Login throttling (README "Security → Sign-in throttling"). Wrong passwords are counted per client address +
// username and per client address across usernames, never per account alone: a stranger who knows a username can
// slow down only their own guesses, not lock the owner out.
//
//   key             free failures   then each failure blocks the key for   a failure is forgotten after
//   address+user    3               1 s, 2 s, 4 s … doubling, at most 15 min   1 h without failures (one by one)
//   address         20              1 s, 2 s, 4 s … doubling, at most 1 h      3 min without failures (one by one)
//
// A request on a blocked key is refused (429 + Retry-After) before the password is looked at, so a refused request
// is not a guess. A successful sign-in clears its address+user key (not the address key: one valid account must not
// reset a sprayer's counter). State lives in the database (table login_throttle) so several servers share it.
import type { DbOrTx } from '../db/types';
import { tooMany } from '../http/errors';

export interface ThrottleRule {
  free: number;
  maxDelayMs: number;
  /** one failure is forgotten per this much time without a new one */
  leakMs: number;
}

export const USER_RULE: ThrottleRule = { free: 3, maxDelayMs: 15 * 60_000, leakMs: 60 * 60_000 };
export const ADDRESS_RULE: ThrottleRule = { free: 20, maxDelayMs: 60 * 60_000, leakMs: 3 * 60_000 };

const userKey = (ip: string, username: string) => `u:${ip}|${username.toLowerCase()}`;
const addressKey = (ip: string) => `a:${ip}`;

/** The delay after the `failures`-th failure in a row. */
export function delayAfter(rule: ThrottleRule, failures: number): number {
  if (failures <= rule.free) return 0;
  return Math.min(1000 * 2 ** Math.min(failures - rule.free - 1, 30), rule.maxDelayMs);
}

/** Failures still counted `elapsedMs` after the last one. */
const decayed = (rule: ThrottleRule, failures: number, elapsedMs: number) => Math.max(0, failures - Math.floor(elapsedMs / rule.leakMs));

/** Throws 429 with Retry-After when this address (or this address for this username) must wait. */
export async function checkLoginThrottle(db: DbOrTx, ip: string, username: string, now: Date) {
  const rows = await db.selectFrom('login_throttle').select(['key', 'blocked_until']).where('key', 'in', [userKey(ip, username), addressKey(ip)]).execute();
  const until = Math.max(0, ...rows.map((r) => r.blocked_until?.getTime() ?? 0));
  if (until > now.getTime()) throw tooMany('Too many failed sign-ins from your address; wait and try again', Math.ceil((until - now.getTime()) / 1000));
}

/** Counts a failed sign-in on both keys and blocks them for their growing delay. */
export async function recordLoginFailure(db: DbOrTx, ip: string, username: string, now: Date) {
  for (const [key, rule] of [
    [userKey(ip, username), USER_RULE],
    [addressKey(ip), ADDRESS_RULE],
  ] as const) {
    const cur = await db.selectFrom('login_throttle').select(['failures', 'last_failure_at']).where('key', '=', key).executeTakeFirst();
    const failures = (cur ? decayed(rule, cur.failures, now.getTime() - cur.last_failure_at.getTime()) : 0) + 1;
    const delay = delayAfter(rule, failures);
    const blockedUntil = delay ? new Date(now.getTime() + delay) : null;
    await db
      .insertInto('login_throttle')
      .values({ key, failures, last_failure_at: now, blocked_until: blockedUntil })
      .onConflict((oc) => oc.column('key').doUpdateSet({ failures, last_failure_at: now, blocked_until: blockedUntil }))
      .execute();
  }
}

export async function clearUserThrottle(db: DbOrTx, ip: string, username: string) {
  await db.deleteFrom('login_throttle').where('key', '=', userKey(ip, username)).execute();
}

/** Rows quiet for a week: their failures have long been forgotten (run with the session purge). */
export async function purgeLoginThrottle(db: DbOrTx, now: Date) {
  const r = await db
    .deleteFrom('login_throttle')
    .where('last_failure_at', '<', new Date(now.getTime() - 7 * 86400_000))
    .where((eb) => eb.or([eb('blocked_until', 'is', null), eb('blocked_until', '<', now)]))
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}
