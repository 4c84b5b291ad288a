// Name and birth date of a live person record (following merges): what a certificate (EU DCC) prints. Personal data:
// the caller audits its own reads.
import type { DbOrTx } from '../../platform/db/types';
import { findPersonById, resolveLiveId } from './queries';

export interface PersonBirth {
  id: string;
  fullName: string;
  /** YYYY-MM-DD when known */
  birthDate: string | null;
  birthYear: number | null;
}

export async function getPersonBirth(db: DbOrTx, id: string): Promise<PersonBirth | null> {
  const live = await resolveLiveId(db, id);
  const p = live ? await findPersonById(db, live) : null;
  if (!p) return null;
  return { id: p.id, fullName: p.full_name, birthDate: p.birth_date ?? null, birthYear: p.birth_year };
}
