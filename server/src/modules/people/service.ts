// Writing person records: create, update, and find-or-create (matching a typed-in person to an existing record).
// Validation lives in validate.ts, households in households.ts, reads for other modules in reads.ts, retention in
// retention.ts, merging duplicate records in merge.ts. Takes a Db (or transaction) and plain values; no HTTP types.
import { sql } from 'kysely';
import type { Db, DbOrTx } from '../../platform/db/types';
import type { JurisdictionResolver } from '../../platform/auth/jurisdiction';
import { AppError, conflict, notFound } from '../../platform/http/errors';
import { duplicateReason, type Sex } from './normalize';
import { activeByNationalId, activeByPhoneName, insertPerson, lockPerson, touchPerson, updatePersonRow, type PersonPatchRow, type PersonRow } from './queries';
import { FIELD_COLUMNS, type PersonInput, type PersonSource, type PersonValues, type ValidateOptions, validatePerson } from './validate';

/** Runs `fn` in a transaction, or directly when `db` already is one. */
export function inTransaction<T>(db: DbOrTx, fn: (tx: DbOrTx) => Promise<T>): Promise<T> {
  if (db.isTransaction) return fn(db);
  return (db as Db).transaction().execute(fn);
}

async function ensureNationalIdFree(db: DbOrTx, nationalId: string | null, exceptId: string | null, path: string) {
  if (!nationalId) return;
  const same = (await activeByNationalId(db, nationalId)).filter((r) => r.id !== exceptId);
  if (same.length) {
    throw conflict(`${path}: is already registered to another person (${same[0]!.id}); merge the records instead`, [
      { path, message: `is already registered to person ${same[0]!.id}` },
    ]);
  }
}

export interface CreateOptions {
  resolver: JurisdictionResolver;
  now: Date;
  source: PersonSource;
  prefix?: string;
  require?: ValidateOptions['require'];
  /**
   * An ID number another record already has: 'refuse' (409, officers: merge instead) or 'allow' (citizens typing
   * their own details: the new record is kept and both show up as possible duplicates for officers to merge; the
   * answer does not tell the citizen that someone else holds the number).
   */
  nationalIdClash?: 'refuse' | 'allow';
}

export async function createPerson(db: DbOrTx, input: PersonInput, opts: CreateOptions): Promise<string> {
  const v = await validatePerson(input, { resolver: opts.resolver, now: opts.now, prefix: opts.prefix, require: opts.require });
  return inTransaction(db, async (tx) => {
    if (v.national_id) await lockKey(tx, `nid:${v.national_id}`);
    if (opts.nationalIdClash !== 'allow') await ensureNationalIdFree(tx, v.national_id, null, `${opts.prefix ?? 'body'}.nationalId`);
    const row = await insertPerson(tx, { ...v, source: opts.source, created_at: opts.now, updated_at: opts.now, last_seen_at: opts.now });
    return row.id;
  });
}

/** Updates a person; returns the names of the fields whose value changed (for the audit row). */
export async function updatePerson(
  db: DbOrTx,
  id: string,
  input: PersonInput,
  opts: {
    resolver: JurisdictionResolver;
    now: Date;
    prefix?: string;
    require?: ValidateOptions['require'];
    nationalIdClash?: 'refuse' | 'allow';
    /** fields this caller may not change on this record (403 naming them); given as a function of the stored row */
    lockedFields?: (current: PersonRow) => string[];
  },
): Promise<string[]> {
  return inTransaction(db, async (tx) => {
    const cur = await lockPerson(tx, id);
    if (!cur) throw notFound('Person');
    if (cur.merged_into) throw conflict(`This record was merged into ${cur.merged_into}; edit that record instead`);
    const v = await validatePerson(input, { resolver: opts.resolver, now: opts.now, prefix: opts.prefix, current: cur, require: opts.require });
    const changed: string[] = [];
    for (const [field, col] of Object.entries(FIELD_COLUMNS)) {
      if ((cur as unknown as Record<string, unknown>)[col] !== v[col]) changed.push(field);
    }
    if (!changed.length) return [];
    const locked = opts.lockedFields?.(cur) ?? [];
    const refused = changed.filter((f) => locked.includes(f));
    if (refused.length)
      throw new AppError(
        403,
        'RECORD_LOCKED',
        `${refused.map((f) => `${opts.prefix ?? 'body'}.${f}`).join(', ')}: only your commune health station can change this on a registry record`,
        refused.map((f) => ({ path: `${opts.prefix ?? 'body'}.${f}`, message: 'is kept by the health station' })),
      );
    if (changed.includes('nationalId') && v.national_id && opts.nationalIdClash !== 'allow') {
      await lockKey(tx, `nid:${v.national_id}`);
      await ensureNationalIdFree(tx, v.national_id, id, `${opts.prefix ?? 'body'}.nationalId`);
    }
    await updatePersonRow(tx, id, { ...v, updated_at: opts.now });
    return changed;
  });
}

/** Serialises concurrent writers of the same natural key (phone, national ID) for the rest of the transaction. */
async function lockKey(tx: DbOrTx, key: string) {
  await sql`select pg_advisory_xact_lock(hashtextextended(${key}, 7411))`.execute(tx);
}

export interface FindOrCreateInput {
  fullName: string;
  phone?: string | null;
  birthYear?: number | null;
  birthDate?: string | null;
  communeCode?: string | null;
  nationalId?: string | null;
  sex?: Sex | null;
  address?: string | null;
}

export interface FindOrCreateOptions {
  /** validates the commune code (ctx.access.resolver) */
  resolver: JurisdictionResolver;
  now: Date;
  /** where the record comes from when it is created: 'checkin', 'declaration', 'citizen', 'import' ... */
  source: PersonSource;
  /** prefix of field paths in errors, default 'body' (e.g. 'body.person') */
  prefix?: string;
  /** require a phone number (default true: the public paths identify people by phone) */
  requirePhone?: boolean;
  /**
   * Who vouches for the details. 'public' (the default: anonymous forms, citizens' own accounts): anyone can type
   * anything, so a record is matched only by phone + name + birth year all agreeing (never by an ID number alone,
   * which others may know), and a matched record is not changed. 'staff' (imports by officers, demo data): matched
   * by national ID first, and missing fields are filled in. 'desk' (staff typing what the person in front of them
   * says, e.g. at a sampling point; and anonymous health declarations): matched as public input, but never to a
   * record a citizen typed in — that is staff
   * input too (staffMayMatch): whoever typed a neighbour's name, phone and birth year into their household would
   * otherwise receive the neighbour's test result.
   */
  trust?: 'public' | 'staff' | 'desk';
}

/**
 * The person these details describe, else a new record. Staff input: matched by national ID, else by phone +
 * normalised name + birth year (when the year is unknown on either side, a single phone + name match counts); a
 * match only gains missing fields, typed-in details never overwrite what the registry already holds. Public input
 * (opts.trust, the default): only a phone + name + birth year match counts and the match is not changed; a new
 * record does not take an ID number another record already has (staff see both through duplicate detection).
 * Concurrent calls for the same phone are serialised so the same newcomer is not created twice.
 */
export async function findOrCreatePerson(
  db: DbOrTx,
  input: FindOrCreateInput,
  opts: FindOrCreateOptions,
): Promise<{ id: string; created: boolean }> {
  const require: ValidateOptions['require'] = ['communeCode'];
  if (opts.requirePhone !== false) require.push('phone');
  const v = await validatePerson(input, { resolver: opts.resolver, now: opts.now, prefix: opts.prefix, require });
  return inTransaction(db, (tx) => findOrInsert(tx, v, opts));
}

/**
 * findOrCreatePerson for public input (trust 'public'), plus a new device row for the phone, in ONE statement (the SQL
 * function people_find_or_create_with_device, migration 0005: same locks and matching rule as findMatch's public
 * branch): the check-in's first-visit form. Validation first, as findOrCreatePerson; atomic on its own or inside
 * the caller's transaction. Returns the device id: issue its token with DeviceRegistry.issued().
 */
export async function findOrCreatePublicWithDevice(
  db: DbOrTx,
  input: FindOrCreateInput,
  opts: Pick<FindOrCreateOptions, 'resolver' | 'now' | 'source' | 'prefix' | 'requirePhone'> & {
    origin: 'form' | 'household';
    /**
     * Commit without waiting for the WAL flush (not inside a caller's transaction). Only for a caller that tells
     * nobody of the result before a synchronous commit of its own that follows (the check-in's batch insert):
     * PostgreSQL flushes its log in order, so that commit makes this one durable too. Saves a flush per first visit.
     * (A check-in answered as a duplicate writes nothing, so its new device row is flushed by the WAL writer within
     * a second instead; lost in a crash meanwhile, the phone is asked for the form again. Its check-in is durable.)
     */
    flushLater?: boolean;
  },
): Promise<{ id: string; created: boolean; deviceId: string }> {
  const v = await validatePublicPerson(input, opts);
  const later = opts.flushLater === true && !db.isTransaction;
  const r = await sql<{ o_person: string; o_created: boolean; o_device: string }>`
    select o_person::text, o_created, o_device::text
    from ${later ? sql`(select set_config('synchronous_commit', 'off', true)) as commit_mode,` : sql``} people_find_or_create_with_device(
      ${v.full_name}, ${v.name_key}, ${v.birth_date}::date, ${v.birth_year}::smallint, ${v.sex}, ${v.national_id},
      ${v.phone}, ${v.address}, ${v.commune_code}, ${opts.source}, ${opts.origin}, ${opts.now}::timestamptz)`.execute(db);
  const row = r.rows[0]!;
  return { id: row.o_person, created: row.o_created, deviceId: row.o_device };
}

/**
 * The stored values of public input (a check-in's first-visit form), validated and normalised as
 * findOrCreatePublicWithDevice does, for a caller that finds or creates the person in a statement of its own (the
 * check-in batch calls people_find_or_create_with_device, migration 0005, for each new form in its one statement).
 */
export async function validatePublicPerson(
  input: FindOrCreateInput,
  opts: Pick<FindOrCreateOptions, 'resolver' | 'now' | 'prefix' | 'requirePhone'>,
): Promise<PersonValues> {
  const require: ValidateOptions['require'] = ['communeCode'];
  if (opts.requirePhone !== false) require.push('phone');
  return validatePerson(input, { resolver: opts.resolver, now: opts.now, prefix: opts.prefix, require });
}

async function findOrInsert(tx: DbOrTx, v: PersonValues, opts: FindOrCreateOptions): Promise<{ id: string; created: boolean }> {
  if (v.phone) await lockKey(tx, `phone:${v.phone}`);
  if (v.national_id) await lockKey(tx, `nid:${v.national_id}`);
  const staff = opts.trust === 'staff';
  const match = await findMatch(tx, v, staff, staff || opts.trust === 'desk');
  if (match && !staff) {
    await touchPerson(tx, match.id, opts.now);
    return { id: match.id, created: false };
  }
  if (match) {
    const patch: PersonPatchRow = {};
    for (const col of ['birth_date', 'birth_year', 'sex', 'national_id', 'phone', 'address', 'commune_code'] as const) {
      if (match[col] === null && v[col] !== null) (patch as Record<string, unknown>)[col] = v[col];
    }
    if (patch.birth_date && match.birth_year !== null && Number(String(patch.birth_date).slice(0, 4)) !== match.birth_year) delete patch.birth_date;
    if (patch.national_id && (await activeByNationalId(tx, v.national_id!)).length) delete patch.national_id;
    if (Object.keys(patch).length) await updatePersonRow(tx, match.id, { ...patch, updated_at: opts.now });
    await touchPerson(tx, match.id, opts.now);
    return { id: match.id, created: false };
  }
  const claimed = !staff && v.national_id !== null && (await activeByNationalId(tx, v.national_id)).length > 0;
  const row = await insertPerson(tx, { ...v, ...(claimed && { national_id: null }), source: opts.source, created_at: opts.now, updated_at: opts.now, last_seen_at: opts.now });
  return { id: row.id, created: true };
}

/**
 * A record a citizen typed in (their own registration or a dependant, source 'citizen') is unproven: anyone can type
 * a neighbour's ID number, name and phone. Staff input (an ID card seen at a desk, an imported list) never lands on
 * such a record — it would hand the holder's results, doses and certificates to whoever typed them in; it makes (or
 * finds) a registry record instead, and both show up on the duplicates list. A citizen's record joins the registry's
 * by proof (links.ts), which merges it away.
 */
export const staffMayMatch = (r: Pick<PersonRow, 'source'>) => r.source !== 'citizen';

async function findMatch(db: DbOrTx, v: PersonValues, staff: boolean, registryOnly = staff): Promise<PersonRow | null> {
  if (staff && v.national_id) {
    const byId = (await activeByNationalId(db, v.national_id)).filter(staffMayMatch);
    if (byId.length) return byId[0]!;
  }
  if (!v.phone) return null;
  const candidates = (await activeByPhoneName(db, v.phone, v.name_key)).filter(
    (c) => !(v.national_id && c.national_id && c.national_id !== v.national_id) && (!registryOnly || staffMayMatch(c)),
  );
  const me = { nationalId: v.national_id, phone: v.phone, nameKey: v.name_key, birthYear: v.birth_year };
  const strong = candidates.filter(
    (c) => duplicateReason(me, { nationalId: c.national_id, phone: c.phone, nameKey: c.name_key, birthYear: c.birth_year }) === 'phone_name_year',
  );
  if (strong.length) return strong[0]!;
  if (!staff) return null;
  const weak = candidates.filter(
    (c) => duplicateReason(me, { nationalId: c.national_id, phone: c.phone, nameKey: c.name_key, birthYear: c.birth_year }) === 'phone_name',
  );
  return weak.length === 1 ? weak[0]! : null;
}
