// Retention of implicit person records (public check-in / declaration) not seen for a while.
import type { Db } from '../../platform/db/types';
import { personsInUse, type PersonInUseCheck } from './hooks';
import { purgeCandidates } from './queries';

// ── retention ────────────────────────────────────────────────────────────────

/**
 * Deletes implicit records (public check-in / declaration) not seen since `before`, without account, household or
 * merge history. Rows still referenced by another module (a foreign key, or reported by one of `inUse`) are skipped.
 */
export async function purgeInactivePersons(db: Db, before: Date, inUse: readonly PersonInUseCheck[], batch = 500): Promise<number> {
  let deleted = 0;
  // keyset over (last_seen_at, id): rows kept because they are in use are not looked at again
  let after: { at: Date; id: string } | null = null;
  for (;;) {
    const page = await purgeCandidates(db, before, batch, after);
    if (!page.length) break;
    after = { at: page[page.length - 1]!.last_seen_at, id: page[page.length - 1]!.id };
    const candidates = page.map((r) => r.id);
    // rows other modules keep without a foreign key (check-ins) keep their person too
    const used = await personsInUse(db, inUse, candidates);
    const ids = candidates.filter((id) => !used.has(id));
    if (!ids.length) continue;
    let n = -1;
    try {
      n = Number((await db.deleteFrom('persons').where('id', 'in', ids).executeTakeFirst()).numDeletedRows);
    } catch {
      // a foreign key from another module: fall through to one-by-one
    }
    if (n >= 0) {
      deleted += n;
      continue;
    }
    // something references some of them: delete one by one, keep the ones still in use
    for (const id of ids) {
      try {
        const r = await db.deleteFrom('persons').where('id', '=', id).executeTakeFirst();
        deleted += Number(r.numDeletedRows);
      } catch {
        // still referenced
      }
    }
  }
  return deleted;
}
