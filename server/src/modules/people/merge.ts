// Merging two records of the same person: which fields the kept record takes, re-pointing the registry's own
// references, the merge history with a snapshot of the merged record, and the `person.merged` event in the same
// transaction (other modules re-point their rows in their subscribers, after commit).
// Takes a Db (or transaction) and plain values; no HTTP types.
import type { DbOrTx } from '../../platform/db/types';
import { conflict, invalidField, notFound } from '../../platform/http/errors';
import type { Events } from '../../platform/events';
import { insertMerge, lockPerson, repointRegistry, touchPerson, updatePersonRow, type PersonRow } from './queries';
import type { MergeField } from './schema';
import { inTransaction } from './service';
import { type PersonValues } from './validate';

export interface MergeInput {
  keptId: string;
  mergedId: string;
  reason: string;
  take?: MergeField[];
  /** fill the kept record's empty fields from the merged one (default true); false for citizens' own links */
  fill?: boolean;
  actor: { id: string; username: string } | null;
  now: Date;
}

const MERGE_COLUMNS: Record<MergeField, (keyof PersonValues)[]> = {
  fullName: ['full_name', 'name_key'],
  birth: ['birth_date', 'birth_year'],
  sex: ['sex'],
  nationalId: ['national_id'],
  phone: ['phone'],
  address: ['address'],
  communeCode: ['commune_code'],
};

/**
 * Merges `mergedId` into `keptId` in one transaction: fills the kept record's empty fields (and the fields in
 * `take`) from the merged one, marks the merged record merged_into = kept (it stays as history), re-points household
 * links, user accounts and earlier merges, and logs the merge with a snapshot of the merged record. Publishes
 * `person.merged` in the same transaction; `repointed` counts the registry's own rows.
 */
export async function mergePersons(db: DbOrTx, events: Events, m: MergeInput) {
  if (m.keptId === m.mergedId) throw invalidField('body.mergeId', 'is the same record');
  return inTransaction(db, async (tx) => {
    // lock in id order so two opposite merges cannot deadlock
    const [first, second] = [m.keptId, m.mergedId].sort();
    const a = await lockPerson(tx, first!);
    const b = await lockPerson(tx, second!);
    const kept = a?.id === m.keptId ? a : b;
    const merged = a?.id === m.mergedId ? a : b;
    if (!kept) throw notFound('Person');
    if (!merged) throw invalidField('body.mergeId', 'is not a known person');
    if (kept.merged_into) throw conflict(`This record was already merged into ${kept.merged_into}`);
    if (merged.merged_into) throw invalidField('body.mergeId', `was already merged into ${merged.merged_into}`);

    const take = new Set(m.take ?? []);
    const patch: Record<string, unknown> = {};
    const fieldsTaken: string[] = [];
    for (const [field, cols] of Object.entries(MERGE_COLUMNS) as [MergeField, (keyof PersonValues)[]][]) {
      const mainCol = cols[0]!;
      const mergedVal = merged[mainCol as keyof PersonRow];
      const keptVal = kept[mainCol as keyof PersonRow];
      const fill = m.fill === false ? false : field === 'birth' ? kept.birth_year === null && merged.birth_year !== null : keptVal === null && mergedVal !== null;
      if ((take.has(field) && mergedVal !== keptVal) || fill) {
        if (take.has(field) && mergedVal === null && field === 'fullName') continue;
        for (const c of cols) patch[c] = merged[c as keyof PersonRow];
        fieldsTaken.push(field);
      }
    }
    // a full birth date from the merged record where the kept one only knows the same year
    if (m.fill !== false && !patch.birth_year && !kept.birth_date && merged.birth_date && merged.birth_year === kept.birth_year) {
      patch.birth_date = merged.birth_date;
      if (!fieldsTaken.includes('birth')) fieldsTaken.push('birth');
    }

    await updatePersonRow(tx, merged.id, { merged_into: kept.id, merged_at: m.now, updated_at: m.now });
    if (Object.keys(patch).length) await updatePersonRow(tx, kept.id, { ...patch, updated_at: m.now });
    if (kept.last_seen_at < merged.last_seen_at) await touchPerson(tx, kept.id, merged.last_seen_at);

    const repointed = await repointRegistry(tx, merged.id, kept.id);
    const counts = { ...repointed };
    await insertMerge(tx, {
      kept_id: kept.id,
      merged_id: merged.id,
      merged_at: m.now,
      merged_by: m.actor?.id ?? null,
      merged_by_username: m.actor?.username ?? null,
      reason: m.reason,
      merged_snapshot: JSON.stringify(snapshotOf(merged)),
      fields_taken: fieldsTaken,
      repointed: JSON.stringify(counts),
    });
    await events.publish(tx, 'person.merged', { keptId: kept.id, mergedId: merged.id, at: m.now.toISOString() });
    return { keptId: kept.id, mergedId: merged.id, fieldsTaken, repointed: counts };
  });
}

export function snapshotOf(p: PersonRow) {
  return {
    fullName: p.full_name,
    birthDate: p.birth_date,
    birthYear: p.birth_year,
    sex: p.sex,
    nationalId: p.national_id,
    phone: p.phone,
    address: p.address,
    communeCode: p.commune_code,
  };
}
