// Reads of person records for other modules (briefs, contacts, phones of residents); merged ids are followed where said.
import type { DbOrTx } from '../../platform/db/types';
import { maskPhone } from './normalize';
import { findLivePersonById, findPersonById, findPersonsByIds, resolveLiveId } from './queries';

export interface PersonBrief {
  id: string;
  fullName: string;
  birthYear: number | null;
  /** YYYY-MM-DD when the full date is known (age checks use it; the year alone otherwise) */
  birthDate: string | null;
  sex: string | null;
  communeCode: string | null;
  phoneMasked: string | null;
  /** the id asked for when it was merged into `id` since */
  requestedId: string;
}

/** Name, birth year, sex, commune and masked phone of the live record behind `id` (following merges), or null. */
export async function getPersonBrief(db: DbOrTx, id: string): Promise<PersonBrief | null> {
  const p = await findLivePersonById(db, id); // one round trip: it is on the booking and site-day hot paths
  if (!p) return null;
  return {
    id: p.id,
    fullName: p.full_name,
    birthYear: p.birth_year,
    birthDate: p.birth_date ?? null,
    sex: p.sex,
    communeCode: p.commune_code,
    phoneMasked: maskPhone(p.phone),
    requestedId: id,
  };
}

export interface PersonContact {
  id: string;
  fullName: string;
  birthYear: number | null;
  sex: string | null;
  phone: string | null;
  address: string | null;
  communeCode: string | null;
}

/**
 * Name and full contact details of the live record behind `id` (following merges), for officers who must call the
 * person (declaration follow-up, tracing). Personal data: the caller writes the audit row.
 */
export async function getPersonContact(db: DbOrTx, id: string): Promise<PersonContact | null> {
  const live = await resolveLiveId(db, id);
  const p = live ? await findPersonById(db, live) : undefined;
  if (!p) return null;
  return { id: p.id, fullName: p.full_name, birthYear: p.birth_year, sex: p.sex, phone: p.phone, address: p.address, communeCode: p.commune_code };
}

/** Briefs of many records at once (one query plus one per merged id), keyed by the id asked for. */
export async function getPersonBriefs(db: DbOrTx, ids: string[]): Promise<Map<string, PersonBrief>> {
  const out = new Map<string, PersonBrief>();
  const unique = [...new Set(ids)];
  const rows = await findPersonsByIds(db, unique);
  const byId = new Map(rows.map((r) => [r.id, r]));
  for (const id of unique) {
    let p = byId.get(id);
    if (p?.merged_into) {
      const live = await resolveLiveId(db, id);
      p = live ? ((await findPersonById(db, live)) ?? undefined) : undefined;
    }
    if (p)
      out.set(id, { id: p.id, fullName: p.full_name, birthYear: p.birth_year, birthDate: p.birth_date ?? null, sex: p.sex, communeCode: p.commune_code, phoneMasked: maskPhone(p.phone), requestedId: id });
  }
  return out;
}

/** The live record id behind `id` (the same id unless merged), or null when unknown. */
export const resolvePersonId = (db: DbOrTx, id: string) => resolveLiveId(db, id);

/** Name, phone and commune of live records (merged ids are not followed: callers pass live ids), in one query. */
export async function getPersonPhones(db: DbOrTx, ids: string[]): Promise<{ id: string; fullName: string; phone: string | null; communeCode: string | null }[]> {
  const out: { id: string; fullName: string; phone: string | null; communeCode: string | null }[] = [];
  for (let i = 0; i < ids.length; i += 5000) {
    const rows = await db
      .selectFrom('persons')
      .select(['id', 'full_name', 'phone', 'commune_code'])
      .where('id', 'in', ids.slice(i, i + 5000))
      .where('merged_into', 'is', null)
      .execute();
    for (const r of rows) out.push({ id: r.id, fullName: r.full_name, phone: r.phone, communeCode: r.commune_code });
  }
  return out;
}

/** The communes of the live records that carry each phone (E.164), for phones the registry knows. */
export async function communesOfPhones(db: DbOrTx, phones: string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  const unique = [...new Set(phones)];
  for (let i = 0; i < unique.length; i += 5000) {
    const rows = await db
      .selectFrom('persons')
      .select(['phone', 'commune_code'])
      .where('phone', 'in', unique.slice(i, i + 5000))
      .where('merged_into', 'is', null)
      .execute();
    for (const r of rows) out.set(r.phone!, [...(out.get(r.phone!) ?? []), r.commune_code ?? '']);
  }
  return out;
}

/** Live records living in `communeCodes` that have a phone (campaigns to an area). */
export async function residentsWithPhone(db: DbOrTx, communeCodes: string[], limit = 200_000) {
  const rows = await db
    .selectFrom('persons')
    .select(['id', 'full_name', 'phone', 'commune_code'])
    .where('commune_code', 'in', communeCodes.length ? communeCodes : [''])
    .where('merged_into', 'is', null)
    .where('phone', 'is not', null)
    .limit(limit)
    .execute();
  return rows.map((r) => ({ id: r.id, fullName: r.full_name, phone: r.phone, communeCode: r.commune_code }));
}
