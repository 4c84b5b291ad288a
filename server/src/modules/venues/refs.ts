// Names of venues for other modules' views (a declaration made at a venue shows the venue's name, not its id).
import type { DbOrTx } from '../../platform/db/types';

export interface VenueRef {
  id: string;
  code: string;
  name: string;
  type: string;
  communeCode: string;
}

/** Venues by id (unknown ids are left out). */
export async function venueRefs(db: DbOrTx, ids: readonly string[]): Promise<Map<string, VenueRef>> {
  const unique = [...new Set(ids)];
  if (!unique.length) return new Map();
  const rows = await db.selectFrom('venues').select(['id', 'code', 'name', 'type', 'commune_code']).where('id', 'in', unique).execute();
  return new Map(rows.map((r) => [r.id, { id: r.id, code: r.code, name: r.name, type: r.type, communeCode: r.commune_code }]));
}
