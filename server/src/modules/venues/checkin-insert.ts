// The check-in write: many rows in one statement (group commit), as a named prepared statement on the hot path.
import { CompiledQuery } from 'kysely';
import type pg from 'pg';
import type { DbOrTx } from '../../platform/db/types';
import type { PersonValues } from '../people/index';

export interface NewCheckin {
  clientId: string;
  personId: string;
  venueId: string;
  entranceId: string | null;
  checkinAt: Date;
  autoCheckoutAt: Date;
  /** Explicit check-out (imports). A later check-in of the same person ends the stay without it. */
  checkoutAt: Date | null;
  source: 'qr' | 'gate' | 'import';
  recordedBy: string | null;
  /**
   * A first-visit form: the person is found or created inside the batch's statement (migration 0005, with the
   * people module's own function and rule) and `personId` is ignored. The values are the people module's
   * normalised ones (validatePublicPerson); `now`: the request's time (the record's created/last seen time).
   */
  newPerson?: (NewPersonValues & { now: Date }) | null;
}

/** A first-visit form's normalised values, as the people module stores them (validatePublicPerson). */
export type NewPersonValues = PersonValues;

/** Per input row, in input order: the new row id, or null when the (client id, person) pair already existed. */
export interface InsertedCheckin {
  id: string | null;
  /** The person the row belongs to: the surviving record when the token's person was merged meanwhile. */
  person_id: string;
  /** false: the person is not in the registry (deleted); nothing was written for this row. */
  known: boolean;
  /** Form rows (newPerson): whether the person was created, and the phone's new device row. */
  created?: boolean;
  deviceId?: string | null;
}

/**
 * Inserts many check-ins in ONE statement (the SQL function venues_insert_checkins: unnest of column arrays),
 * skipping client-id duplicates. Person ids of merged records are resolved to the surviving record there (one hop:
 * the people module re-points older merge chains), so the hot path needs no per-request person look-up. Checking in
 * elsewhere ends the previous stay without writing to it (view checkin_stays derives the end). A single statement
 * is atomic; when it returns, PostgreSQL has committed (and with synchronous_commit on, flushed) the rows.
 */
export async function insertCheckins(db: DbOrTx, rows: NewCheckin[]): Promise<InsertedCheckin[]> {
  if (!rows.length) return [];
  // imports and demo data (not the hot path): the partitions of the batch's days are made first, since a failed
  // statement inside the caller's transaction could not simply be run again
  for (const day of distinctDays(rows)) await createCheckinPartitions(db, [day]);
  const forms = rows.some((r) => r.newPerson);
  const r = await db.executeQuery<InsertResultRow>(
    forms ? CompiledQuery.raw(INSERT_PEOPLE_SQL, [...insertParams(rows), ...newPeopleParams(rows)]) : CompiledQuery.raw(INSERT_SQL, insertParams(rows)),
  );
  return insertResults(rows, r.rows);
}

/**
 * insertCheckins as a named prepared statement on the pool (the hot path: parsed and planned once per connection).
 * Same statement, parameters and results.
 */
export async function insertCheckinsPrepared(pool: pg.Pool, rows: NewCheckin[]): Promise<InsertedCheckin[]> {
  if (!rows.length) return [];
  // first visits (forms) in the batch: their people are found or created by the same statement
  const forms = rows.some((r) => r.newPerson);
  const values = forms ? [...insertParams(rows), ...newPeopleParams(rows)] : insertParams(rows);
  const r = await withPartitions(
    async (days) => (await pool.query<{ n: number }>(CREATE_PARTITIONS_SQL, [days[0], days[days.length - 1]])).rows[0]!.n,
    rows,
    () =>
      forms
        ? pool.query<InsertResultRow>({ name: 'venues_insert_checkins_people', text: INSERT_PEOPLE_SQL, values })
        : pool.query<InsertResultRow>({ name: 'venues_insert_checkins', text: INSERT_SQL, values }),
  );
  return insertResults(rows, r.rows);
}
// ── day partitions (migration 0003) ─────────────────────────────────────────

const CREATE_PARTITIONS_SQL = 'select checkins_create_partitions($1::date, $2::date) as n';

/** The UTC day (YYYY-MM-DD) of a time: the partition a check-in at that time goes to. */
export const partitionDay = (t: Date) => t.toISOString().slice(0, 10);

/** Creates the missing partitions for the days from the first to the last of `days` (sorted YYYY-MM-DD). */
export async function createCheckinPartitions(db: DbOrTx, days: string[]): Promise<number> {
  if (!days.length) return 0;
  const r = await db.executeQuery<{ n: number }>(CompiledQuery.raw(CREATE_PARTITIONS_SQL, [days[0], days[days.length - 1]]));
  return r.rows[0]!.n;
}

/** The distinct partition days of some rows, sorted (each is created on its own: a span could create days nobody needs). */
const distinctDays = (rows: NewCheckin[]) => [...new Set(rows.map((r) => partitionDay(r.checkinAt)))].sort();

/** PostgreSQL's refusal of a row whose day has no partition (nothing was written: the statement is atomic). */
export const isMissingPartition = (err: unknown) =>
  (err as { code?: string } | null)?.code === '23514' && /no partition of relation/.test((err as Error).message);

/**
 * Runs an insert; when it fails because a row's day has no partition yet (an import of older check-ins, a gate
 * queue synced days later, a server clock past the partitions made ahead), creates the partitions for the batch's
 * days and runs it once more. The hot path pays nothing for this while partitions exist.
 */
async function withPartitions<T>(create: (days: string[]) => Promise<number>, rows: NewCheckin[], insert: () => Promise<T>): Promise<T> {
  try {
    return await insert();
  } catch (err) {
    if (!isMissingPartition(err)) throw err;
    for (const day of distinctDays(rows)) await create([day]);
    return insert();
  }
}

/** The one statement of both: nine column arrays (insertParams) in, one row per input row out (insertResults). */
const INSERT_SQL = `select n, id::text as id, person_id::text as person_id from venues_insert_checkins(
  $1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::timestamptz[], $6::timestamptz[], $7::timestamptz[], $8::text[], $9::bigint[])`;

/** The batch with first-visit forms (migration 0005): the nine arrays, then the forms' ten (null: not a form row). */
const INSERT_PEOPLE_SQL = `select n, id::text as id, person_id::text as person_id, created, device::text as device from venues_insert_checkins_people(
  $1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::timestamptz[], $6::timestamptz[], $7::timestamptz[], $8::text[], $9::bigint[],
  $10::text[], $11::text[], $12::date[], $13::smallint[], $14::text[], $15::text[], $16::text[], $17::text[], $18::text[], $19::timestamptz[])`;

interface InsertResultRow {
  n: number;
  id: string | null;
  person_id: string | null;
  created?: boolean | null;
  device?: string | null;
}

/** The nine column arrays as PostgreSQL array literals (one text parameter each). */
function insertParams(rows: NewCheckin[]): string[] {
  const col = (f: (r: NewCheckin) => string | null) => pgArray(rows.map(f));
  return [
    col((r) => r.clientId),
    col((r) => (r.newPerson ? null : r.personId)),
    col((r) => r.venueId),
    col((r) => r.entranceId),
    col((r) => r.checkinAt.toISOString()),
    col((r) => r.autoCheckoutAt.toISOString()),
    col((r) => r.checkoutAt?.toISOString() ?? null),
    col((r) => r.source),
    col((r) => r.recordedBy),
  ];
}

/** The forms' ten column arrays (a null element: that row is no form). */
function newPeopleParams(rows: NewCheckin[]): string[] {
  const col = (f: (p: NewPersonValues & { now: Date }) => string | number | null) => pgArray(rows.map((r) => (r.newPerson ? nullable(f(r.newPerson)) : null)));
  return [
    col((p) => p.full_name),
    col((p) => p.name_key),
    col((p) => p.birth_date),
    col((p) => p.birth_year),
    col((p) => p.sex),
    col((p) => p.national_id),
    col((p) => p.phone),
    col((p) => p.address),
    col((p) => p.commune_code),
    col((p) => p.now.toISOString()),
  ];
}

const nullable = (v: string | number | null) => (v === null ? null : String(v));

function insertResults(rows: NewCheckin[], out: InsertResultRow[]): InsertedCheckin[] {
  if (out.length !== rows.length) throw new Error(`venues_insert_checkins returned ${out.length} rows for ${rows.length}`);
  return out.map((x, i) => ({
    id: x.id,
    person_id: x.person_id ?? rows[i]!.personId,
    known: x.person_id !== null,
    ...(rows[i]!.newPerson && { created: x.created === true, deviceId: x.device ?? null }),
  }));
}

const BARE_ELEMENT = /^[A-Za-z0-9_.:+-]+$/;

/**
 * A one-dimensional PostgreSQL array literal. Written here rather than left to pg's generic array encoder because
 * the hot path's elements (uuids, ISO times, short codes) need no quoting, and building the literal directly
 * costs a fraction of escaping every element; anything else is quoted and escaped as PostgreSQL requires.
 */
export function pgArray(values: (string | null)[]): string {
  let out = '{';
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (i) out += ',';
    if (v === null || v === undefined) out += 'NULL';
    else if (BARE_ELEMENT.test(v) && v.toUpperCase() !== 'NULL') out += v;
    else out += `"${v.replace(/[\\"]/g, '\\$&')}"`;
  }
  return `${out}}`;
}
