// Reads other modules make of cases (messaging's saved-filter campaigns): the F1/F2 of a commune under monitoring,
// an exposure notice's venue and window.
import type { DbOrTx } from '../../platform/db/types';

/** People under monitoring as contacts (the given levels) followed up in `communeCode`. */
export async function contactsUnderMonitoring(db: DbOrTx, communeCode: string, levels: number[]): Promise<string[]> {
  const rows = await db
    .selectFrom('case_contacts')
    .select('person_id')
    .distinct()
    .where('unit_code', '=', communeCode)
    .where('status', '=', 'monitoring')
    .where('level', 'in', levels.length ? levels : [1, 2])
    .execute();
  return rows.map((r) => r.person_id);
}

/** An exposure notice still published: its venue and window. */
export async function exposureNoticeWindow(db: DbOrTx, id: string): Promise<{ venueId: string; from: Date; to: Date } | null> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
  const n = await db.selectFrom('exposure_notices').select(['venue_id', 'from_at', 'to_at']).where('id', '=', id).where('withdrawn_at', 'is', null).executeTakeFirst();
  return n ? { venueId: n.venue_id, from: n.from_at, to: n.to_at } : null;
}
