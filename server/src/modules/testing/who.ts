// Who is in a tube: a scanned personal QR or a phone's device token (proof of the person), the reference printed
// under the card's QR (typed when the QR cannot be read; misses are limited per sampler), or typed details. Typed
// details go through the registry's public matching (people/index.ts findOrCreatePerson with trust 'desk'): only
// a phone + name + birth year match reuses a record, never one a citizen typed in (their neighbour's details in
// their household would catch the neighbour's results), and the matched record is not changed; anything else is a
// new record for officers to merge. An officer's import file is trusted ('staff': matched by national ID first, sample-import.ts
// through people's findOrCreatePeople), as the cases and venues imports are.
import type { DbOrTx } from '../../platform/db/types';
import { AppError } from '../../platform/http/errors';
import type { AppContext } from '../../platform/module';
import { verify, SignatureError } from '../../platform/signing';
import { LruCache } from '../../platform/cache';
import { bareToken, deviceRegistry, findOrCreatePerson, isPersonDeviceToken, PERSONAL_QR_TYPE, personIdOf, personIdsByReference, resolvePersonId } from '../people';
import type { SamplePerson } from './schema';

export interface Resolved {
  personId: string;
  created: boolean;
}

/** The person a scanned token names (live record, following merges); 400 naming `path` when it is not valid. */
export async function personOfToken(ctx: AppContext, db: DbOrTx, token: string, now: Date, path: string): Promise<string> {
  const bare = bareToken(token);
  let id: string;
  try {
    if (isPersonDeviceToken(bare)) id = (await deviceRegistry(ctx).verify(bare, now)).personId;
    else id = personIdOf(verify(ctx.keys, bare, { expectedType: PERSONAL_QR_TYPE, now }));
  } catch (err) {
    if (err instanceof SignatureError) throw new AppError(400, 'INVALID_TOKEN', `${path}: is not a valid personal QR or device token (${err.reason})`, [{ path, message: `not a valid personal QR (${err.reason})` }]);
    throw err;
  }
  const live = await resolvePersonId(db, id);
  if (!live) throw new AppError(400, 'UNKNOWN_PERSON', `${path}: names no person in the registry`, [{ path, message: 'names no person in the registry' }]);
  return live;
}

/**
 * Card references that match nobody, per sampler and window: a typo now and then is fine; guessing references to
 * learn who exists is stopped, and the sampler is asked to scan the QR codes (as at a venue's gate).
 */
export const REF_MISSES_ALLOWED = 20;
const refMisses = new WeakMap<AppContext, LruCache<string, number>>();

/**
 * The person whose card (or citizen page) shows this reference, the first 8 characters of their id printed under
 * the QR: 404 when none, 409 when several (then the QR must be scanned), 429 after too many misses.
 */
export async function personOfReference(ctx: AppContext, db: DbOrTx, reference: string, userId: string | null, path: string): Promise<string> {
  let misses = refMisses.get(ctx);
  if (!misses) refMisses.set(ctx, (misses = new LruCache<string, number>(10_000, 10 * 60_000)));
  const who = userId ?? 'cli';
  if ((misses.get(who) ?? 0) >= REF_MISSES_ALLOWED)
    throw new AppError(429, 'PERSON_REF_LIMIT', `${path}: too many card references that match nobody; scan the QR codes`, [{ path, message: 'too many unknown card references' }]);
  const ids = await personIdsByReference(db, reference);
  if (!ids.length) {
    misses.set(who, (misses.get(who) ?? 0) + 1);
    throw new AppError(404, 'PERSON_REF_UNKNOWN', `${path}: no personal card has the reference ${reference.toUpperCase()}`, [{ path, message: 'unknown card reference' }]);
  }
  if (ids.length > 1)
    throw new AppError(409, 'PERSON_REF_AMBIGUOUS', `${path}: several people have cards with the reference ${reference.toUpperCase()}; scan the QR code`, [{ path, message: 'ambiguous card reference' }]);
  return ids[0]!;
}

/** One person of a submission; `defaultCommune` is the home commune a new record gets when none is typed. */
export async function resolveSamplePerson(ctx: AppContext, db: DbOrTx, p: SamplePerson, defaultCommune: string, now: Date, path: string, userId: string | null = null): Promise<Resolved> {
  if ([p.token, p.reference, p.fullName || p.phone || p.nationalId].filter(Boolean).length > 1)
    throw new AppError(400, 'VALIDATION', `${path}: give one of a token, a card reference or typed details`, [{ path, message: 'one of token, reference or typed details' }]);
  if (p.token) return { personId: await personOfToken(ctx, db, p.token, now, `${path}.token`), created: false };
  if (p.reference) return { personId: await personOfReference(ctx, db, p.reference, userId, `${path}.reference`), created: false };
  if (!p.fullName) throw new AppError(400, 'VALIDATION', `${path}.fullName: is required without a token`, [{ path: `${path}.fullName`, message: 'is required without a token' }]);
  if (!p.phone && !p.nationalId)
    throw new AppError(400, 'VALIDATION', `${path}.phone: a phone number or a national ID is required with typed details`, [{ path: `${path}.phone`, message: 'phone or national ID required' }]);
  const r = await findOrCreatePerson(
    db,
    { fullName: p.fullName, phone: p.phone ?? null, birthYear: p.birthYear ?? null, nationalId: p.nationalId ?? null, communeCode: p.communeCode ?? defaultCommune },
    { resolver: ctx.access.resolver, now, source: 'officer', prefix: path, requirePhone: !p.nationalId, trust: 'desk' },
  );
  return { personId: r.id, created: r.created };
}
