// Other modules keep references to persons (check-ins, declarations, cases...). When two records are merged,
// each module re-points its own rows in the merge transaction through a handler registered here.
import type { DbOrTx } from '../../platform/db/types';

export interface PersonMergedEvent {
  /** the record that stays */
  keptId: string;
  /** the record merged away (kept as history with merged_into = keptId) */
  mergedId: string;
  at: Date;
}

/** Re-points the module's rows from mergedId to keptId using `tx` (the merge transaction). Returns rows changed. */
export type PersonMergedHandler = (tx: DbOrTx, event: PersonMergedEvent) => Promise<number | Record<string, number> | void>;

const handlers = new Map<string | PersonMergedHandler, { name: string; handler: PersonMergedHandler }>();

/**
 * Register a merge handler. Registering the same function (or the same `name`) again replaces it, so a module may
 * call this from its register() for every app it is built into. Returns a function that unregisters it.
 */
export function onPersonMerged(handler: PersonMergedHandler, name?: string): () => void {
  const key = name ?? handler;
  const label = name ?? (handler.name || `handler${handlers.size + 1}`);
  handlers.set(key, { name: label, handler });
  return () => {
    if (handlers.get(key)?.handler === handler) handlers.delete(key);
  };
}

/** Runs every handler in the merge transaction; a failing handler aborts the merge. */
export async function runMergeHandlers(tx: DbOrTx, event: PersonMergedEvent): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const { name, handler } of handlers.values()) {
    const r = await handler(tx, event);
    if (typeof r === 'number') out[name] = (out[name] ?? 0) + r;
    else if (r) for (const [k, v] of Object.entries(r)) out[k] = (out[k] ?? 0) + v;
  }
  return out;
}

/**
 * Modules whose rows refer to persons without a foreign key (check-ins: the hot write path has none) report which
 * of a set of persons they still use; the registry's retention purge never deletes those. Same registration rules
 * as onPersonMerged (same name or function again replaces it).
 */
export type PersonInUseCheck = (db: DbOrTx, personIds: string[]) => Promise<Iterable<string>>;

const inUseChecks = new Map<string | PersonInUseCheck, PersonInUseCheck>();

export function onPersonInUse(check: PersonInUseCheck, name?: string): () => void {
  const key = name ?? check;
  inUseChecks.set(key, check);
  return () => {
    if (inUseChecks.get(key) === check) inUseChecks.delete(key);
  };
}

/** The ids among `personIds` some module still uses. */
export async function personsInUse(db: DbOrTx, personIds: string[]): Promise<Set<string>> {
  const used = new Set<string>();
  if (!personIds.length) return used;
  for (const check of inUseChecks.values()) for (const id of await check(db, personIds)) used.add(id);
  return used;
}
