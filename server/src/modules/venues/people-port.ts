// What the venues module needs from the people module (implemented in people-adapter.ts over people/index.ts).
import type { DbOrTx } from '../../platform/db/types';
import type { NewPersonValues } from './checkin-insert';

export interface PersonInput {
  fullName: string;
  phone: string | null;
  birthYear: number | null;
  communeCode: string;
  nationalId?: string;
}

export interface PersonBriefLite {
  name: string;
  /** masked (e.g. "•••••••678") unless `unmask.phone` was asked */
  phone: string | null;
  /** null unless `unmask.nationalId` was asked */
  nationalId: string | null;
  birthYear: number | null;
}

/** Which personal details a brief carries in full: only for users allowed to see them, with the read audited. */
export interface Unmask {
  phone?: boolean;
  nationalId?: boolean;
}

export interface PeoplePort {
  normalizePhone(raw: string): string | null;
  /** Finds or creates the person; throws a 400 AppError naming `${prefix}.<field>` on invalid details. */
  /** source 'import' (officers' files) is trusted to match by national ID and fill in records; 'checkin' (typed in by anyone) is not. */
  findOrCreate(db: DbOrTx, input: PersonInput, opts: { prefix: string; source: 'checkin' | 'import'; now: Date }): Promise<{ id: string; created: boolean }>;
  /**
   * Person id in a personal QR (signature checked, ≈ 45 µs) or a phone's device token (also: not revoked,
   * not idle too long), and the QR's own expiry (null: none, or a device token, which is checked on every use);
   * throws SignatureError.
   */
  verifyPersonToken(token: string, now: Date): Promise<{ personId: string; expiresAt: Date | null }>;
  /**
   * The person of a phone's device token when verifyPersonToken would accept it from cache alone (checked before, key
   * not retired, device row cached and neither revoked nor idle, no last-use write due); undefined: ask that instead.
   */
  warmPerson(token: string, nowMs: number): string | undefined;
  /**
   * findOrCreate (source 'checkin') and a new device token for the phone that typed the details, in one transaction
   * (one commit, not two, on a first check-in's hot path).
   */
  findOrCreateWithDevice(db: DbOrTx, input: PersonInput, opts: { prefix: string; now: Date }): Promise<{ id: string; created: boolean; token: string }>;
  /**
   * A first-visit form validated and normalised as findOrCreateWithDevice would (400 AppError naming the field),
   * written later by the check-in batch itself (people_find_or_create_with_device inside its statement).
   */
  validateForm(input: PersonInput, opts: { prefix: string; now: Date }): Promise<NewPersonValues>;
  /** The token of a device row the check-in batch wrote for a form (remembered as live by the registry). */
  deviceIssued(personId: string, deviceId: string, now: Date): string;
  /** A new device token a phone remembers for this person (HMAC'd, cheap to verify on every check-in). */
  deviceToken(personId: string, origin: 'form' | 'household', now: Date): Promise<string>;
  /** The device a device token names (null for a printed personal QR or an invalid token). */
  deviceOf(token: string, now: Date): Promise<string | null>;
  /** Whether a token (or URL ending in one) is a phone's device token: never shown, unlike a printed personal QR. */
  isDeviceToken(token: string): boolean;
  /** The surviving record of a possibly merged person, null when unknown. */
  resolveLiveId(db: DbOrTx, id: string): Promise<string | null>;
  /** Names and phones (masked unless asked) for look-up lists and exports: a constant number of queries per call. */
  briefs(db: DbOrTx, ids: string[], unmask?: Unmask): Promise<Map<string, PersonBriefLite>>;
  /** Live record ids a typed phone number, CCCD/CMND or name names (any home area); null when it is none of these. */
  match(db: DbOrTx, text: string): Promise<{ kind: string; ids: string[]; total: number } | null>;
  /** The live record behind `id` (following merges) and its home commune (for "may this user read them"); null when unknown. */
  liveRecord(db: DbOrTx, id: string): Promise<{ id: string; communeCode: string | null } | null>;
  isManagerOf(db: DbOrTx, managerId: string, dependantId: string): Promise<boolean>;
  /** Live person ids whose personal card carries this short reference (8 hex digits): usually one. */
  byReference(db: DbOrTx, reference: string): Promise<string[]>;
}
