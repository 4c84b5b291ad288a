// Households: dependants a citizen manages (children, elderly parents) and the managers of a dependant.
import type { DbOrTx } from '../../platform/db/types';
import { conflict, invalidField, notFound } from '../../platform/http/errors';
import { deleteLink, findLink, findPersonById, insertLink, isManager, linksOfDependant, linksOfManager } from './queries';
import type { RelationshipValue } from './schema';
import { inTransaction } from './service';

export interface DependantBrief {
  id: string;
  fullName: string;
  birthYear: number | null;
  sex: string | null;
  communeCode: string | null;
  relationship: string;
}

export async function dependantsOf(db: DbOrTx, personId: string): Promise<DependantBrief[]> {
  const rows = await linksOfManager(db, personId);
  return rows.map((r) => ({
    id: r.id,
    fullName: r.full_name,
    birthYear: r.birth_year,
    sex: r.sex,
    communeCode: r.commune_code,
    relationship: r.relationship,
  }));
}

export const managersOf = (db: DbOrTx, personId: string) => linksOfDependant(db, personId);

/** Does `managerPersonId` manage `personId` (it may act for them: declare, show their QR)? */
export async function isManagerOf(db: DbOrTx, managerPersonId: string, personId: string): Promise<boolean> {
  if (!managerPersonId || !personId || managerPersonId === personId) return false;
  return isManager(db, managerPersonId, personId);
}

// ── households ───────────────────────────────────────────────────────────────

export const MAX_DEPENDANTS = 20;

export async function addDependant(
  db: DbOrTx,
  managerId: string,
  dependantId: string,
  relationship: RelationshipValue,
  by: string | null,
  now: Date,
): Promise<{ created: boolean }> {
  if (managerId === dependantId) throw invalidField('body.dependantId', 'a person cannot be their own dependant');
  return inTransaction(db, async (tx) => {
    const [m, d] = await Promise.all([findPersonById(tx, managerId), findPersonById(tx, dependantId)]);
    if (!m) throw notFound('Person');
    if (!d) throw invalidField('body.dependantId', 'is not a known person');
    if (m.merged_into) throw conflict(`This record was merged into ${m.merged_into}`);
    if (d.merged_into) throw invalidField('body.dependantId', `was merged into ${d.merged_into}; use that record`);
    if (await isManager(tx, dependantId, managerId))
      throw invalidField('body.dependantId', 'already manages this person; a link cannot go both ways');
    const existing = await findLink(tx, managerId, dependantId);
    if (!existing && (await linksOfManager(tx, managerId)).length >= MAX_DEPENDANTS)
      throw conflict(`A person may manage at most ${MAX_DEPENDANTS} dependants`);
    await insertLink(tx, { manager_id: managerId, dependant_id: dependantId, relationship, created_by: by, created_at: now });
    return { created: !existing };
  });
}

export async function removeDependant(db: DbOrTx, managerId: string, dependantId: string): Promise<boolean> {
  const r = await deleteLink(db, managerId, dependantId);
  return Number(r.numDeletedRows) > 0;
}
