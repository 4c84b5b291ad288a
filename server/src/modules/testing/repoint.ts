// A merged person's testing rows move to the record that stays (subscriber of `person.merged`). Where both records
// are in the same tube (or have the same task), the kept record's row stays and the merged one's goes.
import { sql } from 'kysely';
import type { DbOrTx } from '../../platform/db/types';

export async function repointPerson(db: DbOrTx, mergedId: string, keptId: string) {
  await sql`delete from sample_members m where m.person_id = ${mergedId}
            and exists (select 1 from sample_members k where k.sample_id = m.sample_id and k.person_id = ${keptId})`.execute(db);
  await sql`update sample_members set person_id = ${keptId} where person_id = ${mergedId}`.execute(db);
  await sql`delete from testing_tasks t where t.person_id = ${mergedId}
            and exists (select 1 from testing_tasks k where k.kind = t.kind and k.sample_id = t.sample_id and k.person_id = ${keptId})`.execute(db);
  await sql`update testing_tasks set person_id = ${keptId} where person_id = ${mergedId}`.execute(db);
  await sql`delete from test_notices n where n.person_id = ${mergedId}
            and exists (select 1 from test_notices k where k.result_id = n.result_id and k.person_id = ${keptId})`.execute(db);
  await sql`update test_notices set person_id = ${keptId} where person_id = ${mergedId}`.execute(db);
}
