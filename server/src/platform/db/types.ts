// The Kysely database type. Each module adds its own tables by declaration merging in its queries.ts:
//   declare module '../../platform/db/types' { interface Database { venues: VenueTable } }
// so platform/ never imports a module and every module sees only the shape it declared.
import type { Kysely, Transaction } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface Database {}

export type Db = Kysely<Database>;
export type Tx = Transaction<Database>;
/** Either the pool-backed instance or a transaction: services accept both. */
export type DbOrTx = Db | Tx;
