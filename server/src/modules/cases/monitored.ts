// Reads for the calls module (robot calls): who is under monitoring on a day, and whether a person still is.
import { sql, type RawBuilder } from 'kysely';
import type { DbOrTx } from '../../platform/db/types';

export interface MonitoredContact {
  personId: string;
  /** lowest level the person is a contact at (1 = F1) */
  level: number;
  unitCode: string;
}

/**
 * Contacts under monitoring at the given levels inside `units` (null = everywhere), whose order covers `day` (null =
 * any order still running). Used by calls' daily campaigns and messaging's saved-filter campaigns.
 */
export async function contactsUnderMonitoring(db: DbOrTx, units: string[] | null, day: string | null, levels: number[]): Promise<MonitoredContact[]> {
  const r = await sql<{ person_id: string; level: number; unit_code: string }>`
    select distinct on (person_id) person_id, level, unit_code from case_contacts
    where status = 'monitoring' and (${day}::date is null or (order_start <= ${day}::date and order_end >= ${day}::date))
      and level = any(${levels.length ? levels : [1, 2]}::int[])
      and (${units}::text[] is null or unit_code = any(${units}::text[]))
    order by person_id, level`.execute(db);
  return r.rows.map((x) => ({ personId: x.person_id, level: Number(x.level), unitCode: x.unit_code }));
}

/**
 * The same contacts as a relation `(person_id, level, unit_code)` to join in SQL (calls' audience sync of a
 * million people is one statement, not a million rows through the server); the cases module keeps the knowledge of
 * its table.
 */
export function contactsUnderMonitoringSql(units: string[] | null, day: string | null, levels: number[]): RawBuilder<{ person_id: string; level: number; unit_code: string }> {
  return sql<{ person_id: string; level: number; unit_code: string }>`(
    select distinct on (person_id) person_id, level, unit_code from case_contacts
    where status = 'monitoring' and (${day}::date is null or (order_start <= ${day}::date and order_end >= ${day}::date))
      and level = any(${levels.length ? levels : [1, 2]}::int[])
      and (${units}::text[] is null or unit_code = any(${units}::text[]))
    order by person_id, level)`;
}
