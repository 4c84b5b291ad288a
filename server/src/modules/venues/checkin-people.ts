// The people of a check-in: personal QR tokens (signature verified once, then cached) and phones' device tokens
// (asked of the people module's device registry every time: its own cache applies a revocation at once), the
// first-visit form (find or create the person), and card
// references typed at a gate (counted per user so guessing who exists is stopped). Used by CheckinEngine.
import { AppError, invalidField } from '../../platform/http/errors';
import { SignatureError, tokenKeyUsable } from '../../platform/signing';
import { LruCache, SharedRuns } from '../../platform/cache';
import type { CheckinEngineOptions } from './checkins';
import type { CheckinPerson, PersonRef } from './schema';
import type { NewPersonValues } from './checkin-insert';
import { NO_EXPIRY } from './tokens';

/**
 * A person of a check-in item. `form`: a first-visit form, validated, whose person the check-in batch finds or
 * creates in its own statement (personId and token are filled in from the batch's answer).
 */
export type ResolvedPerson = CheckinPerson & { form?: NewPersonValues & { now: Date } };

/**
 * How long a verified personal QR (Ed25519) is trusted by token string without checking its signature again (a
 * retired key is still refused at once). Device tokens are not kept here (see above).
 */
export const PERSON_TOKEN_TTL_MS = 60_000;

/** A verified personal QR's person and its expiry (ms; Infinity: none). */
interface CheckedPersonToken {
  id: string;
  expiresAt: number;
}

const checkedPersonToken = (v: { personId: string; expiresAt: Date | null }): CheckedPersonToken => ({ id: v.personId, expiresAt: v.expiresAt?.getTime() ?? Infinity });
/**
 * Card references that match nobody, per gate user and window: a typo now and then is fine; guessing references to
 * learn who exists (and their names) is stopped, and the user is asked to scan the QR codes instead.
 */
export const REF_MISSES_ALLOWED = 20;
const REF_MISS_WINDOW_MS = 10 * 60_000;

export class CheckinPeople {
  /**
   * token → person id of verified personal QR tokens and the QR's expiry (ms; Infinity: none): the signature checked
   * once; key retirement and expiry judged on every use.
   */
  private readonly personTokens: LruCache<string, CheckedPersonToken>;
  /** Signed personal QR codes being checked (by token), so concurrent uses and a prefetch share one check. */
  private readonly verifying = new SharedRuns<string, CheckedPersonToken>();
  /** user id → card references of theirs that matched nobody lately (REF_MISSES_ALLOWED) */
  private readonly refMisses = new LruCache<string, number>(10_000, REF_MISS_WINDOW_MS);

  constructor(private readonly o: CheckinEngineOptions) {
    this.personTokens = new LruCache<string, CheckedPersonToken>(200_000, PERSON_TOKEN_TTL_MS, () => o.clock().getTime());
  }

  invalidatePerson(personId: string) {
    this.personTokens.deleteWhere((p) => p.id === personId);
  }


  /**
   * Person id of a personal QR token. Verified once per token string, then served from the cache (a retired key
   * is still refused). With `resolve`, merged records are followed to the surviving one (the hot insert path does
   * that in its SQL instead).
   */
  async personOfToken(token: string, path: string, resolve = false): Promise<string> {
    const nowMs = this.o.clock().getTime();
    let id = this.cachedPersonOfToken(token, nowMs);
    if (id === undefined) {
      try {
        const checked = await this.verifyOnce(token);
        // (a shared check judges no expiry: each use at its own time, also one that joined a check begun later)
        if (nowMs >= checked.expiresAt) throw new SignatureError('expired');
        id = checked.id;
      } catch (err) {
        this.personTokens.delete(token);
        if (err instanceof SignatureError) {
          if (err.reason === 'wrong_type')
            throw new AppError(400, 'PERSON_TOKEN_INVALID', `${path}: is not a personal QR code (is it a venue poster?)`, [{ path, message: 'is not a personal QR code' }]);
          if (err.reason === 'retired_key' || err.reason === 'expired')
            throw new AppError(410, 'PERSON_TOKEN_EXPIRED', `${path}: has been revoked; fill in the form again`, [{ path, message: 'has been revoked' }]);
          throw new AppError(400, 'PERSON_TOKEN_INVALID', `${path}: is not a valid personal QR code (altered or forged)`, [{ path, message: 'is not a valid personal QR code' }]);
        }
        throw err;
      }
    }
    if (!resolve) return id;
    const live = await this.o.people.resolveLiveId(this.o.db, id);
    if (!live) throw personUnknown(path);
    return live;
  }

  /**
   * Starts checking a personal QR's signature (a signature worker's round trip, platform/signing verifyAsync) while the
   * caller checks the poster, so a first check-in waits for one round trip, not two. Signed personal QR codes only:
   * their check has no side effect (a device token's may write its last use, so it waits for the poster's answer).
   * The answer and its errors are taken by personOfToken, in the pipeline's order.
   */
  prefetch(token: string | undefined) {
    // without signature workers the check would run right here, on the event loop, before the poster's: a forged poster
    // would cost every personal QR's signature too (no round trip to overlap): then checked in the pipeline's order
    if (!this.o.verifyPool?.size) return;
    if (!token || this.o.people.isDeviceToken(token) || this.cachedPersonOfToken(token, this.o.clock().getTime()) !== undefined) return;
    void this.verifyOnce(token);
  }

  /**
   * verifyPersonToken; concurrent checks of one signed personal QR share one, run at NO_EXPIRY (the caller judges the
   * expiry at its own time). Device tokens are checked each time, at the current time (idleness, revocation).
   */
  private verifyOnce(token: string): Promise<CheckedPersonToken> {
    if (this.o.people.isDeviceToken(token)) return this.o.people.verifyPersonToken(token, this.o.clock()).then(checkedPersonToken);
    return this.verifying.run(token, () =>
      this.o.people.verifyPersonToken(token, NO_EXPIRY).then((v) => {
        const checked = checkedPersonToken(v);
        this.personTokens.set(token, checked); // (a prefetch's answer is there when the pipeline asks for it)
        return checked;
      }),
    );
  }

  /**
   * A token verified before whose key is still usable and that has not expired since (no await on the hot path);
   * undefined otherwise (then verified again: refused as revoked or expired).
   */
  private cachedPersonOfToken(token: string, nowMs: number): string | undefined {
    const seen = this.personTokens.get(token);
    if (seen === undefined || nowMs >= seen.expiresAt) return undefined;
    return tokenKeyUsable(this.o.keys, token) ? seen.id : undefined;
  }

  /**
   * Whether a form's commune code names a commune: asked of the process's administrative units (the jurisdiction
   * resolver: every unit in one read, refreshed every 30 s and at once after an import of units), which the form's
   * validation reads next anyway — no statement per commune, and a commune imported a moment ago is known at once.
   */
  private async communeOk(code: string): Promise<boolean> {
    return (await this.o.access.resolver.unit(code))?.level === 'commune';
  }

  /**
   * `defer`: a form's person is found or created by the check-in batch (same rule, in the batch's statement) rather
   * than by a statement of its own now; the caller fills in personId and token from the batch's answer.
   */
  async person(ref: PersonRef, path: string, now: Date, resolve = false, defer = false): Promise<ResolvedPerson> {
    if (ref.token) {
      const known = resolve ? undefined : this.cachedPersonOfToken(ref.token, now.getTime());
      const personId = known ?? (await this.personOfToken(ref.token, `${path}.token`, resolve));
      return { personId, token: ref.token, name: null, created: false };
    }
    const missing = (['fullName', 'phone', 'birthYear', 'communeCode'] as const).filter((k) => ref[k] === undefined || ref[k] === '');
    if (missing.length)
      throw new AppError(
        400,
        'VALIDATION',
        `${path}: give either token or ${missing.join(', ')}`,
        missing.map((k) => ({ path: `${path}.${k}`, message: 'is required' })),
      );
    const fullName = ref.fullName!.replace(/\s+/g, ' ').trim();
    if (fullName.length < 2 || /[0-9<>]/.test(fullName)) throw invalidField(`${path}.fullName`, 'must be a person’s name');
    const phone = this.o.people.normalizePhone(ref.phone!);
    if (!phone) throw invalidField(`${path}.phone`, 'is not a valid phone number');
    const year = now.getUTCFullYear();
    if (ref.birthYear! > year || ref.birthYear! < year - 120) throw invalidField(`${path}.birthYear`, `must be between ${year - 120} and ${year}`);
    if (!(await this.communeOk(ref.communeCode!))) throw invalidField(`${path}.communeCode`, `is not a known commune code`);
    const input = { fullName, phone, birthYear: ref.birthYear!, communeCode: ref.communeCode!, nationalId: ref.nationalId || undefined };
    if (defer) {
      const values = await this.o.people.validateForm(input, { prefix: path, now });
      return { personId: '', token: '', name: fullName, created: false, form: { ...values, now } };
    }
    const { id, created, token } = await this.o.people.findOrCreateWithDevice(this.o.db, input, { prefix: path, now });
    return { personId: id, token, name: fullName, created };
  }

  /**
   * The person whose card carries this reference (typed at a gate, staff only). No token goes back: the card's QR
   * token is not known from its reference, and a phone's device token is not for staff.
   */
  async personOfReference(reference: string, path: string, userId: string): Promise<CheckinPerson> {
    // counted before the look-up (a batch's items are looked up concurrently) and given back on a match
    const misses = this.refMisses.get(userId) ?? 0;
    if (misses >= REF_MISSES_ALLOWED)
      throw new AppError(429, 'PERSON_REF_LIMIT', `${path}: too many card references that match nobody; scan the QR codes`, [{ path, message: 'too many unknown card references' }]);
    this.refMisses.set(userId, misses + 1);
    const ids = await this.o.people.byReference(this.o.db, reference);
    if (ids.length) this.refMisses.set(userId, Math.max(0, (this.refMisses.get(userId) ?? 1) - 1));
    if (!ids.length) throw new AppError(404, 'PERSON_REF_UNKNOWN', `${path}: no personal card has the reference ${reference.toUpperCase()}`, [{ path, message: 'unknown card reference' }]);
    if (ids.length > 1)
      throw new AppError(409, 'PERSON_REF_AMBIGUOUS', `${path}: several people have cards with the reference ${reference.toUpperCase()}; scan the QR code`, [{ path, message: 'ambiguous card reference' }]);
    return { personId: ids[0]!, token: '', name: null, created: false };
  }
}

export function personUnknown(path: string) {
  return new AppError(404, 'PERSON_UNKNOWN', `${path}: this person is no longer registered; fill in the form again`, [{ path, message: 'unknown person' }]);
}
