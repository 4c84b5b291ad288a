// What the venues module needs from the people module (implemented in people-adapter.ts over people/index.ts).
import type { DbOrTx } from '../../platform/db/types';

export interface PersonInput {
  fullName: string;
  phone: string | null;
  birthYear: number | null;
  communeCode: string;
  nationalId?: string;
}

export interface PersonBriefLite {
  name: string;
  /** masked for lists, e.g. "091****678" */
  phone: string | null;
  nationalId: string | null;
  birthYear: number | null;
}

export interface PeoplePort {
  normalizePhone(raw: string): string | null;
  /** Finds or creates the person; throws a 400 AppError naming `${prefix}.<field>` on invalid details. */
  /** source 'import' (officers' files) is trusted to match by national ID and fill in records; 'checkin' (typed in by anyone) is not. */
  findOrCreate(db: DbOrTx, input: PersonInput, opts: { prefix: string; source: 'checkin' | 'import'; now: Date }): Promise<{ id: string; created: boolean }>;
  /** Person id in a personal QR (signature checked off the event loop) or a phone's device token; throws SignatureError. */
  verifyPersonToken(token: string, now: Date): Promise<string>;
  /** The token a phone remembers for this person (HMAC'd, cheap to verify on every check-in). */
  deviceToken(personId: string): string;
  /** Whether a token (or URL ending in one) is a phone's device token: never shown, unlike a printed personal QR. */
  isDeviceToken(token: string): boolean;
  /** The surviving record of a possibly merged person, null when unknown. */
  resolveLiveId(db: DbOrTx, id: string): Promise<string | null>;
  /** Names and (masked) phones for look-up lists and exports. */
  briefs(db: DbOrTx, ids: string[]): Promise<Map<string, PersonBriefLite>>;
  isManagerOf(db: DbOrTx, managerId: string, dependantId: string): Promise<boolean>;
  /** Live person ids whose personal card carries this short reference (8 hex digits): usually one. */
  byReference(db: DbOrTx, reference: string): Promise<string[]>;
}
