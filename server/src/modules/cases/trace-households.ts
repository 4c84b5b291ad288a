// Household contacts: the members of a source's household count at each level, without a venue.
import { sql } from 'kysely';
import type { DbOrTx } from '../../platform/db/types';

/**
 * Household members of each person: the people they manage (dependants), their managers, and the other
 * dependants of their managers (a family registered under one parent's phone).
 */
export async function householdPairs(db: DbOrTx, personIds: string[]): Promise<{ sourcePersonId: string; personId: string }[]> {
  if (!personIds.length) return [];
  const r = await sql<{ src: string; member: string }>`
    with src as (select unnest(${personIds}::uuid[]) as id)
    select distinct src, member from (
      select s.id as src, l.dependant_id as member from src s join person_links l on l.manager_id = s.id
      union all
      select s.id, l.manager_id from src s join person_links l on l.dependant_id = s.id
      union all
      select s.id, l2.dependant_id from src s join person_links l1 on l1.dependant_id = s.id
        join person_links l2 on l2.manager_id = l1.manager_id
    ) x
    join persons p on p.id = x.member and p.merged_into is null
    where member <> src
  `.execute(db);
  return r.rows.map((x) => ({ sourcePersonId: x.src, personId: x.member }));
}
