// Many persons at once, for lists and exports of other modules: a constant number of queries per batch, however
// many rows (merged records are followed in batch, one query per hop of the longest merge chain).
import type { DbOrTx } from '../../platform/db/types';
import { cleanNationalId, normalizeName, normalizePhone } from './normalize';
import { findPersonsByIds, searchPersons, type PersonRow } from './queries';

export interface PersonRecordLite {
  /** the live record (differs from the id asked for when that was merged into it) */
  id: string;
  fullName: string;
  birthYear: number | null;
  communeCode: string | null;
  /** full E.164 phone and national ID: personal data; callers mask them unless the user may see them, and audit */
  phone: string | null;
  nationalId: string | null;
}

/** Longest merge chain followed (merges re-point older chains, so real chains are one or two hops). */
const MAX_HOPS = 20;

/**
 * The live records behind `ids` (following merges), keyed by the id asked for; unknown ids are absent.
 * Queries: one, plus one per hop of merge chains present in the batch.
 */
export async function personRecordsLite(db: DbOrTx, ids: string[]): Promise<Map<string, PersonRecordLite>> {
  const out = new Map<string, PersonRecordLite>();
  const unique = [...new Set(ids)];
  if (!unique.length) return out;
  // where each asked id currently points
  const pointer = new Map(unique.map((id) => [id, id]));
  const rows = new Map<string, PersonRow>();
  let wanted = unique;
  for (let round = 0; round <= MAX_HOPS && wanted.length; round++) {
    for (const r of await findPersonsByIds(db, wanted)) rows.set(r.id, r);
    const next = new Set<string>();
    for (const [asked, start] of pointer) {
      let at = start;
      // follow the chain through the records loaded so far
      for (let hop = 0; hop < MAX_HOPS && rows.get(at)?.merged_into && rows.has(rows.get(at)!.merged_into!); hop++) at = rows.get(at)!.merged_into!;
      const r = rows.get(at);
      if (!r) {
        pointer.delete(asked); // unknown id
        continue;
      }
      pointer.set(asked, r.merged_into ?? at);
      if (r.merged_into) next.add(r.merged_into);
    }
    wanted = [...next];
  }
  for (const [asked, at] of pointer) {
    const r = rows.get(at);
    if (!r || r.merged_into) continue;
    out.set(asked, { id: r.id, fullName: r.full_name, birthYear: r.birth_year, communeCode: r.commune_code, phone: r.phone, nationalId: r.national_id });
  }
  return out;
}

/** How a typed person search was read (for the audit row: the kind, never the value). */
export type PersonQueryKind = 'phone' | 'national_id' | 'name';

/**
 * Ids of the live records a typed text names: a phone number (any usual Vietnamese writing), a CCCD/CMND number
 * (9 or 12 digits), else a name (accents and case ignored, part of the name is enough). Not scoped by home area:
 * a person seen at a venue may live anywhere; the caller scopes what it shows about them. Null when the text is
 * none of these (e.g. punctuation only). At most `limit` ids; `total` says how many matched.
 */
export async function personIdsMatching(db: DbOrTx, text: string, limit = 200): Promise<{ kind: PersonQueryKind; ids: string[]; total: number } | null> {
  const q = text.trim();
  const digits = cleanNationalId(q);
  const nationalId = /^(\d{9}|\d{12})$/.test(digits) ? digits : undefined;
  const phone = /^[+0-9\s().-]+$/.test(q) ? normalizePhone(q) : null;
  const nameKey = phone || nationalId ? '' : normalizeName(q);
  if (!phone && !nationalId && !nameKey) return null;
  const r = await searchPersons(db, { scope: null, phone: phone ?? undefined, nationalId, nameKey: nameKey || undefined, limit, offset: 0 });
  return { kind: phone ? 'phone' : nationalId ? 'national_id' : 'name', ids: r.items.map((p) => p.id), total: r.total };
}
