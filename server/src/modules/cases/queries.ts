// SQL of the cases module that others' hooks need: persons referred to, re-pointing merged persons.
import { sql } from 'kysely';
import type { DbOrTx } from '../../platform/db/types';
import './tables';

/** Persons among `ids` that cases, contacts, follow-ups or place stays refer to (the registry keeps them). */
export async function personsInCases(db: DbOrTx, ids: string[]): Promise<string[]> {
  if (!ids.length) return [];
  const r = await sql<{ id: string }>`
    select person_id as id from cases where person_id = any(${ids}::uuid[])
    union select person_id from case_contacts where person_id = any(${ids}::uuid[])
    union select person_id from follow_ups where person_id = any(${ids}::uuid[])
    union select person_id from place_stays where person_id = any(${ids}::uuid[])`.execute(db);
  return r.rows.map((x) => x.id);
}

/** Merge: the merged record's rows follow the record that stays (a contact row already held by it is dropped). */
export async function repointPerson(tx: DbOrTx, mergedId: string, keptId: string): Promise<Record<string, number>> {
  const n = (r: { numUpdatedRows?: bigint; numDeletedRows?: bigint }[] | { numUpdatedRows?: bigint }) =>
    Number((Array.isArray(r) ? r[0] : r)?.numUpdatedRows ?? 0);
  const cases = await tx.updateTable('cases').set({ person_id: keptId }).where('person_id', '=', mergedId).executeTakeFirst();
  await sql`delete from case_contacts m using case_contacts k
            where m.person_id = ${mergedId} and k.person_id = ${keptId} and k.case_id = m.case_id`.execute(tx);
  const contacts = await tx.updateTable('case_contacts').set({ person_id: keptId }).where('person_id', '=', mergedId).executeTakeFirst();
  await tx.updateTable('case_contacts').set({ via_person_id: keptId }).where('via_person_id', '=', mergedId).execute();
  await tx.updateTable('contact_exposures').set({ source_person_id: keptId }).where('source_person_id', '=', mergedId).execute();
  await sql`delete from follow_ups m using follow_ups k where m.person_id = ${mergedId} and k.person_id = ${keptId} and k.day = m.day`.execute(tx);
  const fu = await tx.updateTable('follow_ups').set({ person_id: keptId }).where('person_id', '=', mergedId).executeTakeFirst();
  await tx.updateTable('case_tasks').set({ person_id: keptId }).where('person_id', '=', mergedId).where('status', '<>', 'open').execute();
  await tx.updateTable('case_tasks').set({ status: 'cancelled' }).where('person_id', '=', mergedId).where('status', '=', 'open').execute();
  const stays = await tx.updateTable('place_stays').set({ person_id: keptId }).where('person_id', '=', mergedId).where('discharged_on', 'is not', null).executeTakeFirst();
  return { cases: n(cases), case_contacts: n(contacts), follow_ups: n(fu), place_stays: n(stays) };
}
