// The short reference printed under the QR of a personal card ("Mã tham chiếu", the first 8 hex digits of the
// person's id), for gate staff to type when the QR cannot be read (creased, wet, faded). It names a person only
// together with the gate's own checks (signed-in staff of that venue, their rate limit, the audit of who was shown).
import { sql } from 'kysely';
import type { DbOrTx } from '../../platform/db/types';
import { resolvePersonId } from './reads';

export const REFERENCE_RE = /^[0-9a-f]{8}$/i;

/** The reference printed on a person's card (the card route prints the same: id.slice(0, 8).toUpperCase()). */
export const cardReference = (personId: string) => personId.slice(0, 8).toUpperCase();

/**
 * The live records whose card carries `reference` (a merged record's card leads to the record that stayed). Usually
 * one; two when ids happen to share their first 8 digits (then the QR itself must be scanned), none when unknown.
 */
export async function personIdsByReference(db: DbOrTx, reference: string): Promise<string[]> {
  if (!REFERENCE_RE.test(reference)) return [];
  const ref = reference.toLowerCase();
  // a range on the primary key: every uuid starting with these 8 digits
  const rows = await db
    .selectFrom('persons')
    .select('id')
    .where('id', '>=', sql<string>`${`${ref}-0000-0000-0000-000000000000`}::uuid`)
    .where('id', '<=', sql<string>`${`${ref}-ffff-ffff-ffff-ffffffffffff`}::uuid`)
    .limit(5)
    .execute();
  const live = new Set<string>();
  for (const r of rows) {
    const id = await resolvePersonId(db, r.id);
    if (id) live.add(id);
  }
  return [...live];
}
