// One-time codes sent by SMS: sign-up by phone and linking an account to a record. Only a hash of the code is kept
// (keyed by the request id); codes expire; wrong attempts are counted; requests are limited per phone and per
// client address (counted in the table, so a restart or a second server does not reset them).
import crypto from 'node:crypto';
import { sql } from 'kysely';
import type { DbOrTx } from '../../platform/db/types';
import { AppError, tooMany } from '../../platform/http/errors';
import { enqueue } from './centre';
import type { Lang } from './templates';

export const OTP = {
  ttlMinutes: 10,
  maxAttempts: 5,
  perPhone15Min: 3,
  perPhoneDay: 6,
  perIpHour: 20,
} as const;

const hashOf = (id: string, code: string) => crypto.createHash('sha256').update(`${id}:${code}`).digest('hex');

export interface OtpStart {
  purpose: 'signup' | 'link';
  phone: string;
  ip: string | null;
  now: Date;
  lang: Lang;
  userId?: string | null;
  linkRequestId?: string | null;
  /** template variables besides code and minutes */
  vars?: Record<string, string>;
}

/** Creates a code and queues its SMS in `db` (one transaction). Throws 429 past the limits. */
export async function startOtp(db: DbOrTx, s: OtpStart): Promise<{ id: string; expiresAt: Date }> {
  const counts = await sql<{ phone15: string; phoneDay: string; ipHour: string }>`
    select
      count(*) filter (where phone = ${s.phone} and created_at > ${new Date(s.now.getTime() - 15 * 60_000)}) as "phone15",
      count(*) filter (where phone = ${s.phone} and created_at > ${new Date(s.now.getTime() - 86400_000)}) as "phoneDay",
      count(*) filter (where ip = ${s.ip} and created_at > ${new Date(s.now.getTime() - 3600_000)}) as "ipHour"
    from otp_codes where (phone = ${s.phone} or ip = ${s.ip}) and created_at > ${new Date(s.now.getTime() - 86400_000)}`.execute(db);
  const c = counts.rows[0]!;
  if (Number(c.phone15) >= OTP.perPhone15Min || Number(c.phoneDay) >= OTP.perPhoneDay)
    throw tooMany('Too many codes were sent to this phone; try again later', Number(c.phoneDay) >= OTP.perPhoneDay ? 3600 : 900);
  if (s.ip && Number(c.ipHour) >= OTP.perIpHour) throw tooMany('Too many code requests from this address; try again later', 3600);
  const id = crypto.randomUUID();
  const code = String(crypto.randomInt(0, 1_000_000)).padStart(6, '0');
  const expiresAt = new Date(s.now.getTime() + OTP.ttlMinutes * 60_000);
  await db
    .insertInto('otp_codes')
    .values({ id, purpose: s.purpose, phone: s.phone, code_hash: hashOf(id, code), expires_at: expiresAt, consumed_at: null, ip: s.ip, user_id: s.userId ?? null, link_request_id: s.linkRequestId ?? null, created_at: s.now })
    .execute();
  await enqueue(db, {
    purpose: s.purpose === 'signup' ? 'otp.signup' : 'otp.link',
    subject: `otp:${id}`,
    recipients: [{ phone: s.phone, lang: s.lang }],
    vars: { ...s.vars, code, minutes: OTP.ttlMinutes },
  });
  return { id, expiresAt };
}

/**
 * Checks `code` for request `id` and consumes it when right. Each guess takes an attempt first (one atomic UPDATE),
 * so parallel guesses cannot exceed the limit. Call it with the pool, not inside a transaction that may roll back.
 */
export async function verifyOtp(db: DbOrTx, v: { id: string; code: string; purpose: 'signup' | 'link'; now: Date; userId?: string | null }) {
  const path = 'body.code';
  const row = /^[0-9a-f-]{36}$/i.test(v.id) ? await db.selectFrom('otp_codes').selectAll().where('id', '=', v.id).executeTakeFirst() : undefined;
  if (!row || row.purpose !== v.purpose || (v.userId !== undefined && String(row.user_id ?? '') !== String(v.userId ?? '')))
    throw new AppError(404, 'OTP_UNKNOWN', 'Unknown code request; ask a new code', [{ path: 'body.requestId', message: 'is unknown' }]);
  if (row.consumed_at) throw new AppError(409, 'OTP_USED', 'This code was used already; ask a new one', [{ path, message: 'was used' }]);
  if (row.expires_at < v.now) throw new AppError(410, 'OTP_EXPIRED', 'This code has expired; ask a new one', [{ path, message: 'has expired' }]);
  const taken = await db
    .updateTable('otp_codes')
    .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
    .where('id', '=', row.id)
    .where('attempts', '<', OTP.maxAttempts)
    .where('consumed_at', 'is', null)
    .returning('attempts')
    .executeTakeFirst();
  if (!taken) throw new AppError(429, 'OTP_ATTEMPTS', 'Too many wrong codes; ask a new one', [{ path, message: 'too many attempts' }]);
  const given = Buffer.from(hashOf(row.id, v.code.trim()));
  if (!crypto.timingSafeEqual(given, Buffer.from(row.code_hash))) {
    const left = OTP.maxAttempts - taken.attempts;
    throw new AppError(400, 'OTP_WRONG', `Wrong code; ${left} attempt(s) left`, [{ path, message: `is wrong (${left} left)` }]);
  }
  const used = await db.updateTable('otp_codes').set({ consumed_at: v.now }).where('id', '=', row.id).where('consumed_at', 'is', null).returning('id').executeTakeFirst();
  if (!used) throw new AppError(409, 'OTP_USED', 'This code was used already; ask a new one', [{ path, message: 'was used' }]);
  return row;
}
