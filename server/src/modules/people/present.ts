// Shapes registry rows into API responses (shared by the officer and citizen routes).
import type { DbOrTx } from '../../platform/db/types';
import type { JurisdictionResolver } from '../../platform/auth/jurisdiction';
import { maskNationalId, maskPhone } from './normalize';
import { findPersonById, linksOfDependant, linksOfManager, mergesOf, userOfPerson, type PersonRow } from './queries';
import type { MergeHistoryItem, PersonDetail, PersonLink, PersonListItem, SelfPerson, UnitBrief } from './schema';

export type UnitLabeler = (code: string | null) => Promise<UnitBrief | null>;

/** Resolves unit codes to { code, name, label: "Xã A, Huyện B, Tỉnh C" }, caching within one request. */
export function unitLabeler(resolver: JurisdictionResolver): UnitLabeler {
  const cache = new Map<string, Promise<UnitBrief | null>>();
  const one = async (code: string) => {
    const u = await resolver.unit(code);
    if (!u) return null;
    const chain = u.path.split('/').filter(Boolean);
    const names: string[] = [];
    for (const c of chain.slice(1).reverse()) {
      const a = c === u.code ? u : await resolver.unit(c);
      if (a) names.push(a.name);
    }
    return { code: u.code, name: u.name, label: names.join(', ') || u.name };
  };
  return (code) => {
    if (!code) return Promise.resolve(null);
    let p = cache.get(code);
    if (!p) cache.set(code, (p = one(code)));
    return p;
  };
}

export async function toListItem(p: PersonRow, units: UnitLabeler): Promise<PersonListItem> {
  return {
    id: p.id,
    fullName: p.full_name,
    birthYear: p.birth_year,
    sex: p.sex,
    phoneMasked: maskPhone(p.phone),
    nationalIdMasked: maskNationalId(p.national_id),
    commune: await units(p.commune_code),
    mergedInto: p.merged_into,
    createdAt: p.created_at.toISOString(),
  };
}

function toLink(r: { id: string; full_name: string; birth_year: number | null; sex: string | null; relationship: string; created_at: Date }): PersonLink {
  return { id: r.id, fullName: r.full_name, birthYear: r.birth_year, sex: r.sex, relationship: r.relationship, since: r.created_at.toISOString() };
}

export async function toDetail(db: DbOrTx, p: PersonRow, units: UnitLabeler): Promise<PersonDetail> {
  const [managers, dependants, merges, user] = await Promise.all([
    linksOfDependant(db, p.id),
    linksOfManager(db, p.id),
    mergesOf(db, p.id),
    userOfPerson(db, p.id),
  ]);
  return {
    ...(await toSelfPerson(p, units)),
    source: p.source,
    mergedInto: p.merged_into,
    mergedAt: p.merged_at?.toISOString() ?? null,
    createdAt: p.created_at.toISOString(),
    updatedAt: p.updated_at.toISOString(),
    hasAccount: !!user,
    managers: managers.map(toLink),
    dependants: dependants.map(toLink),
    merges: merges.map(
      (m): MergeHistoryItem => ({
        id: String(m.id),
        mergedId: m.merged_id,
        mergedAt: m.merged_at.toISOString(),
        mergedBy: m.merged_by_username,
        reason: m.reason,
        fieldsTaken: m.fields_taken,
        repointed: (m.repointed ?? {}) as Record<string, number>,
        snapshot: m.merged_snapshot as MergeHistoryItem['snapshot'],
      }),
    ),
  };
}

export async function toSelfPerson(p: PersonRow, units: UnitLabeler): Promise<SelfPerson> {
  return {
    id: p.id,
    fullName: p.full_name,
    birthDate: p.birth_date,
    birthYear: p.birth_year,
    sex: p.sex,
    nationalId: p.national_id,
    phone: p.phone,
    address: p.address,
    commune: await units(p.commune_code),
  };
}

export async function loadPerson(db: DbOrTx, id: string): Promise<PersonRow | undefined> {
  return findPersonById(db, id);
}
