// Reads other modules make of cases (messaging's saved-filter campaigns): an exposure notice's venue and window.
import type { DbOrTx } from '../../platform/db/types';

/** An exposure notice still published: its venue and window. */
export async function exposureNoticeWindow(db: DbOrTx, id: string): Promise<{ venueId: string; from: Date; to: Date } | null> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
  const n = await db.selectFrom('exposure_notices').select(['venue_id', 'from_at', 'to_at']).where('id', '=', id).where('withdrawn_at', 'is', null).executeTakeFirst();
  return n ? { venueId: n.venue_id, from: n.from_at, to: n.to_at } : null;
}
