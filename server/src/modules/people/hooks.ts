// What the registry tells other modules, and asks them.
// - `person.merged` (a domain event, published in the merge transaction): modules that keep references to persons
//   re-point their own rows from mergedId to keptId in their subscriber, after the merge commits.
// - "which of these persons do you still use?" (an explicit call, wired in server/src/modules.ts): modules whose rows
//   refer to persons without a foreign key (check-ins: the hot write path has none) answer it, and the retention
//   purge never deletes those persons.
import type { DbOrTx } from '../../platform/db/types';

/** Payload of the `person.merged` event. */
export interface PersonMerged {
  /** the record that stays */
  keptId: string;
  /** the record merged away (kept as history with merged_into = keptId) */
  mergedId: string;
  /** ISO 8601 */
  at: string;
}

declare module '../../platform/events' {
  interface DomainEvents {
    'person.merged': PersonMerged;
  }
}

/** The ids among `personIds` that a module still refers to. */
export type PersonInUseCheck = (db: DbOrTx, personIds: string[]) => Promise<Iterable<string>>;

/** The ids among `personIds` any of `checks` still uses. */
export async function personsInUse(db: DbOrTx, checks: readonly PersonInUseCheck[], personIds: string[]): Promise<Set<string>> {
  const used = new Set<string>();
  if (!personIds.length) return used;
  for (const check of checks) for (const id of await check(db, personIds)) used.add(id);
  return used;
}
