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
  const r = await db.executeQuery<Record<string, unknown>>(
    forms ? CompiledQuery.raw(INSERT_PEOPLE_SQL, [...insertParams(rows), ...newPeopleParams(rows)]) : CompiledQuery.raw(INSERT_SQL, insertParams(rows)),
  );
  // (Kysely reads rows as objects; the columns in the statement's order)
  return insertResults(rows, r.rows.map((o) => Object.values(o) as InsertResultRow));
}

/**
 * insertCheckins as a named prepared statement on the pool (the hot path: parsed and planned once per connection).
 * Same statement, parameters and results.
 */
export async function insertCheckinsPrepared(pool: pg.Pool, rows: NewCheckin[]): Promise<InsertedCheckin[]> {
  if (!rows.length) return [];
  // first visits (forms) in the batch: their people are found or created by the same statement
  const forms = rows.some((r) => r.newPerson);
  const values: (Buffer | string)[] = forms ? [...insertParams(rows), ...newPeopleParams(rows)] : insertParams(rows);
  const r = await withPartitions(
    async (days) => (await pool.query<{ n: number }>(CREATE_PARTITIONS_SQL, [days[0], days[days.length - 1]])).rows[0]!.n,
    rows,
    () =>
      forms
        ? pool.query<InsertResultRow>({ name: 'venues_insert_checkins_people', text: INSERT_PEOPLE_SQL, values, rowMode: 'array' })
        : pool.query<InsertResultRow>({ name: 'venues_insert_checkins', text: INSERT_SQL, values, rowMode: 'array' }),
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

/**
 * The one statement of both: nine column arrays (insertParams) in, one row per input row out, in input order (the
 * function returns them ordered; insertResults). Rows come back as arrays (rowMode), columns by position.
 */
const INSERT_SQL = `select id::text as id, person_id::text as person_id from venues_insert_checkins(
  $1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::timestamptz[], $6::timestamptz[], $7::timestamptz[], $8::text[], $9::bigint[])`;

/** The batch with first-visit forms (migration 0005): the nine arrays, then the forms' ten (null: not a form row). */
const INSERT_PEOPLE_SQL = `select id::text as id, person_id::text as person_id, created, device::text as device from venues_insert_checkins_people(
  $1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::timestamptz[], $6::timestamptz[], $7::timestamptz[], $8::text[], $9::bigint[],
  $10::text[], $11::text[], $12::date[], $13::smallint[], $14::text[], $15::text[], $16::text[], $17::text[], $18::text[], $19::timestamptz[])`;

/** A result row as an array (rowMode 'array'): id, person_id[, created, device]. */
type InsertResultRow = [id: string | null, personId: string | null, created?: boolean | null, device?: string | null];

/**
 * The nine column arrays, each one parameter in PostgreSQL's binary array format (colBinary): the backend copies
 * 16-byte uuids and 8-byte times instead of parsing 36- and 26-character literals (array_in, uuid_in and
 * timestamptz_in were ≈ 11 % of its CPU a warm batch), and no time is formatted here.
 */
export function insertParams(rows: NewCheckin[]): Buffer[] {
  return [
    uuidArray(rows, (r) => r.clientId),
    uuidArray(rows, (r) => (r.newPerson ? null : r.personId)),
    uuidArray(rows, (r) => r.venueId),
    uuidArray(rows, (r) => r.entranceId),
    timeArray(rows, (r) => r.checkinAt),
    timeArray(rows, (r) => r.autoCheckoutAt),
    timeArray(rows, (r) => r.checkoutAt),
    textArray(rows, (r) => r.source),
    int8Array(rows, (r) => r.recordedBy),
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
  const results: InsertedCheckin[] = new Array(out.length);
  for (let i = 0; i < out.length; i++) {
    const [id, personId, created, device] = out[i]!;
    const row = rows[i]!;
    results[i] = row.newPerson
      ? { id, person_id: personId ?? row.personId, known: personId !== null, created: created === true, deviceId: device ?? null }
      : { id, person_id: personId ?? row.personId, known: personId !== null };
  }
  return results;
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

// ── binary array parameters ─────────────────────────────────────────────────
// PostgreSQL's binary array format (array_recv): int32 dimensions (1), int32 has-nulls flag, int32 element type
// oid, int32 length and int32 lower bound (1), then each element as an int32 byte length (-1: NULL) and its bytes
// in the type's binary format (uuid: 16 bytes; timestamptz: int64 µs since 2000-01-01 UTC; text: UTF-8; int8).

const UUID_OID = 2950;
const TIMESTAMPTZ_OID = 1184;
const TEXT_OID = 25;
const INT8_OID = 20;
const HEADER = 20;
/** 2000-01-01T00:00:00Z, PostgreSQL's epoch, in Unix ms */
const PG_EPOCH_MS = 946_684_800_000;
const TWO_32 = 4_294_967_296;

/** A value PostgreSQL's own text input would refuse, with its SQLSTATE (so the batcher isolates the row as it would). */
function invalidInput(type: string, value: unknown): Error {
  return Object.assign(new Error(`invalid input syntax for type ${type}: "${String(value)}"`), { code: '22P02' });
}

/** hex digit value by char code, -1 for anything else */
const HEX = new Int8Array(128).fill(-1);
for (let i = 0; i < 10; i++) HEX[48 + i] = i;
for (let i = 0; i < 6; i++) HEX[65 + i] = HEX[97 + i] = 10 + i;

/** Writes a uuid in its canonical text form (8-4-4-4-12 hex digits, either case) as 16 bytes at `at`. */
function writeUuid(buf: Buffer, at: number, s: string) {
  if (s.length !== 36 || s.charCodeAt(8) !== 45 || s.charCodeAt(13) !== 45 || s.charCodeAt(18) !== 45 || s.charCodeAt(23) !== 45) throw invalidInput('uuid', s);
  let j = 0;
  for (let k = 0; k < 16; k++) {
    if (j === 8 || j === 13 || j === 18 || j === 23) j++;
    const c1 = s.charCodeAt(j);
    const c2 = s.charCodeAt(j + 1);
    const hi = c1 < 128 ? HEX[c1]! : -1;
    const lo = c2 < 128 ? HEX[c2]! : -1;
    if (hi < 0 || lo < 0) throw invalidInput('uuid', s);
    buf[at + k] = (hi << 4) | lo;
    j += 2;
  }
}

/**
 * One column as a binary array: `write` puts a non-null element's bytes at `at` (at most `maxElem` of them) and
 * returns how many it wrote.
 */
function binaryArray<V>(rows: NewCheckin[], oid: number, get: (r: NewCheckin) => V | null, maxElem: number, write: (buf: Buffer, at: number, v: V) => number): Buffer {
  const buf = Buffer.allocUnsafe(HEADER + rows.length * (4 + maxElem));
  let at = HEADER;
  let hasNull = false;
  for (const r of rows) {
    const v = get(r);
    if (v === null || v === undefined) {
      buf.writeInt32BE(-1, at);
      at += 4;
      hasNull = true;
    } else {
      const n = write(buf, at + 4, v);
      buf.writeInt32BE(n, at);
      at += 4 + n;
    }
  }
  buf.writeInt32BE(1, 0); // dimensions
  buf.writeInt32BE(hasNull ? 1 : 0, 4);
  buf.writeInt32BE(oid, 8);
  buf.writeInt32BE(rows.length, 12);
  buf.writeInt32BE(1, 16); // lower bound
  return buf.subarray(0, at);
}

const uuidArray = (rows: NewCheckin[], get: (r: NewCheckin) => string | null) =>
  binaryArray(rows, UUID_OID, get, 16, (buf, at, v) => (writeUuid(buf, at, v), 16));

/** timestamptz: int64 µs since PostgreSQL's epoch (a Date's ms × 1000 stays within 2^53: exact) */
const timeArray = (rows: NewCheckin[], get: (r: NewCheckin) => Date | null) =>
  binaryArray(rows, TIMESTAMPTZ_OID, get, 8, (buf, at, v) => {
    const ms = v.getTime();
    if (!Number.isFinite(ms)) throw Object.assign(new Error('timestamp out of range: invalid date'), { code: '22008' });
    const us = (ms - PG_EPOCH_MS) * 1000;
    const hi = Math.floor(us / TWO_32);
    buf.writeInt32BE(hi, at);
    buf.writeUInt32BE(us - hi * TWO_32, at + 4);
    return 8;
  });

function textArray(rows: NewCheckin[], get: (r: NewCheckin) => string | null): Buffer {
  let max = 0;
  for (const r of rows) max = Math.max(max, Buffer.byteLength(get(r) ?? ''));
  return binaryArray(rows, TEXT_OID, get, max, (buf, at, v) => buf.write(v, at, 'utf8'));
}

const INT8 = /^-?[0-9]{1,19}$/;

const int8Array = (rows: NewCheckin[], get: (r: NewCheckin) => string | null) =>
  binaryArray(rows, INT8_OID, get, 8, (buf, at, v) => {
    if (!INT8.test(v)) throw invalidInput('bigint', v);
    const big = BigInt(v);
    if (big > 9223372036854775807n || big < -9223372036854775808n) throw Object.assign(new Error(`value "${v}" is out of range for type bigint`), { code: '22003' });
    buf.writeBigInt64BE(big, at);
    return 8;
  });
