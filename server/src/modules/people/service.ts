// Rules of the person registry: validation and normalisation, find-or-create, updates, households, retention.
// Merging duplicate records lives in merge.ts.
// Takes a Db (or transaction) and plain values; no HTTP types.
import { sql } from 'kysely';
import type { Db, DbOrTx } from '../../platform/db/types';
import type { JurisdictionResolver } from '../../platform/auth/jurisdiction';
import { AppError, badRequest, conflict, invalidField, notFound, type ErrorDetail } from '../../platform/http/errors';
import { personsInUse, type PersonInUseCheck } from './hooks';
import {
  cleanNationalId,
  duplicateReason,
  isIsoDate,
  maskPhone,
  nationalIdProblem,
  normalizeName,
  normalizePhone,
  tidyName,
  type Sex,
} from './normalize';
import {
  activeByNationalId,
  activeByPhoneName,
  deleteLink,
  findLink,
  findPersonById,
  findPersonsByIds,
  insertLink,
  insertPerson,
  isManager,
  linksOfDependant,
  linksOfManager,
  lockPerson,
  purgeCandidates,
  resolveLiveId,
  touchPerson,
  updatePersonRow,
  type PersonPatchRow,
  type PersonRow,
} from './queries';
import type { RelationshipValue } from './schema';

export const PERSON_SOURCES = ['officer', 'citizen', 'checkin', 'declaration', 'import'] as const;
export type PersonSource = (typeof PERSON_SOURCES)[number];

export interface PersonInput {
  fullName?: string;
  birthDate?: string | null;
  birthYear?: number | null;
  sex?: Sex | null;
  nationalId?: string | null;
  phone?: string | null;
  address?: string | null;
  communeCode?: string | null;
}

/** The normalised columns of a person, as stored. */
export interface PersonValues {
  full_name: string;
  name_key: string;
  birth_date: string | null;
  birth_year: number | null;
  sex: Sex | null;
  national_id: string | null;
  phone: string | null;
  address: string | null;
  commune_code: string | null;
}

export interface ValidateOptions {
  resolver: JurisdictionResolver;
  now: Date;
  /** prefix of field paths in errors: 'body' → 'body.phone' */
  prefix?: string;
  /** the stored record when validating an update (missing fields keep their value) */
  current?: PersonRow;
  /** fields that must be present (after merging with `current`) */
  require?: ('phone' | 'communeCode' | 'birthYear')[];
}

const FIELD_COLUMNS: Record<string, keyof PersonValues> = {
  fullName: 'full_name',
  birthDate: 'birth_date',
  birthYear: 'birth_year',
  sex: 'sex',
  nationalId: 'national_id',
  phone: 'phone',
  address: 'address',
  communeCode: 'commune_code',
};

const blankToNull = (s: string | null | undefined) => (s === undefined ? undefined : s === null || s.trim() === '' ? null : s.trim());

/**
 * Validates and normalises person fields. Collects every problem and throws one 400 naming each field
 * (`body.phone: is not a valid Vietnamese phone number`). Returns the full set of stored values.
 */
export async function validatePerson(input: PersonInput, opts: ValidateOptions): Promise<PersonValues> {
  const p = opts.prefix ?? 'body';
  const problems: ErrorDetail[] = [];
  const bad = (field: string, message: string) => problems.push({ path: `${p}.${field}`, message });
  const cur = opts.current;
  const has = (k: keyof PersonInput) => input[k] !== undefined;

  // name
  let fullName = cur?.full_name ?? '';
  if (has('fullName')) {
    fullName = tidyName(input.fullName ?? '');
    if (!fullName) bad('fullName', 'is required');
    else if (fullName.length > 200) bad('fullName', 'is longer than 200 characters');
    else if (!/\p{L}/u.test(fullName)) bad('fullName', 'must contain letters');
  } else if (!cur) bad('fullName', 'is required');

  // birth date / year: a full date implies its year; a year alone drops a stored date that disagrees
  const thisYear = opts.now.getUTCFullYear();
  let birthDate = cur?.birth_date ?? null;
  let birthYear = cur?.birth_year ?? null;
  let dateOk = true;
  if (has('birthDate')) {
    const d = blankToNull(input.birthDate) ?? null;
    dateOk = false;
    if (d && !isIsoDate(d)) bad('birthDate', 'is not a valid date (YYYY-MM-DD)');
    else if (d && d > opts.now.toISOString().slice(0, 10)) bad('birthDate', 'is in the future');
    else if (d && Number(d.slice(0, 4)) < 1880) bad('birthDate', 'is too far in the past');
    else {
      dateOk = true;
      birthDate = d;
      if (d) birthYear = Number(d.slice(0, 4));
    }
  }
  if (has('birthYear') && dateOk) {
    const y = input.birthYear ?? null;
    if (y !== null && (!Number.isInteger(y) || y < 1880 || y > thisYear)) bad('birthYear', `must be a year between 1880 and ${thisYear}`);
    else if (has('birthDate') && birthDate) {
      if (y !== null && y !== birthYear) bad('birthYear', 'does not match birthDate');
    } else {
      birthYear = y;
      if (birthDate && (y === null || Number(birthDate.slice(0, 4)) !== y)) birthDate = null;
    }
  }

  // sex
  let sex = (cur?.sex as Sex | null) ?? null;
  if (has('sex')) sex = input.sex ?? null;

  // national ID
  let nationalId = cur?.national_id ?? null;
  if (has('nationalId')) {
    const raw = blankToNull(input.nationalId);
    nationalId = raw ? cleanNationalId(raw) : null;
  }
  if (nationalId && (has('nationalId') || has('birthDate') || has('birthYear') || has('sex'))) {
    const problem = nationalIdProblem(nationalId, birthYear, sex);
    if (problem) bad('nationalId', problem);
  }

  // phone
  let phone = cur?.phone ?? null;
  if (has('phone')) {
    const raw = blankToNull(input.phone);
    if (raw) {
      const e164 = normalizePhone(raw);
      if (!e164) bad('phone', 'is not a valid Vietnamese phone number');
      else phone = e164;
    } else phone = null;
  }

  // address and commune
  let address = cur?.address ?? null;
  if (has('address')) address = blankToNull(input.address)?.replace(/\s+/g, ' ') ?? null;
  let communeCode = cur?.commune_code ?? null;
  if (has('communeCode')) {
    const code = blankToNull(input.communeCode);
    if (code) {
      const unit = await opts.resolver.unit(code);
      if (!unit) bad('communeCode', `is not a known administrative unit ("${code}")`);
      else if (unit.level === 'country') bad('communeCode', 'must be a commune/ward, not the whole country');
      else communeCode = unit.code;
    } else communeCode = null;
  }

  for (const r of opts.require ?? []) {
    if (r === 'phone' && !phone && !problems.some((x) => x.path === `${p}.phone`)) bad('phone', 'is required');
    if (r === 'communeCode' && !communeCode && !problems.some((x) => x.path === `${p}.communeCode`)) bad('communeCode', 'is required');
    if (r === 'birthYear' && birthYear === null && !problems.some((x) => x.path.startsWith(`${p}.birth`))) bad('birthYear', 'is required');
  }
  if (problems.length) throw badRequest(problems.map((x) => `${x.path}: ${x.message}`).join('; '), problems);

  return {
    full_name: fullName,
    name_key: normalizeName(fullName),
    birth_date: birthDate,
    birth_year: birthYear,
    sex,
    national_id: nationalId,
    phone,
    address,
    commune_code: communeCode,
  };
}

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
   * by national ID first, and missing fields are filled in.
   */
  trust?: 'public' | 'staff';
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
  return inTransaction(db, async (tx) => {
    if (v.phone) await lockKey(tx, `phone:${v.phone}`);
    if (v.national_id) await lockKey(tx, `nid:${v.national_id}`);
    const staff = opts.trust === 'staff';
    const match = await findMatch(tx, v, staff);
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
  });
}

async function findMatch(db: DbOrTx, v: PersonValues, staff: boolean): Promise<PersonRow | null> {
  if (staff && v.national_id) {
    const byId = await activeByNationalId(db, v.national_id);
    if (byId.length) return byId[0]!;
  }
  if (!v.phone) return null;
  const candidates = (await activeByPhoneName(db, v.phone, v.name_key)).filter(
    (c) => !(v.national_id && c.national_id && c.national_id !== v.national_id),
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

// ── reads for other modules ─────────────────────────────────────────────────

export interface PersonBrief {
  id: string;
  fullName: string;
  birthYear: number | null;
  sex: string | null;
  communeCode: string | null;
  phoneMasked: string | null;
  /** the id asked for when it was merged into `id` since */
  requestedId: string;
}

/** Name, birth year, sex, commune and masked phone of the live record behind `id` (following merges), or null. */
export async function getPersonBrief(db: DbOrTx, id: string): Promise<PersonBrief | null> {
  const live = await resolveLiveId(db, id);
  if (!live) return null;
  const p = await findPersonById(db, live);
  if (!p) return null;
  return {
    id: p.id,
    fullName: p.full_name,
    birthYear: p.birth_year,
    sex: p.sex,
    communeCode: p.commune_code,
    phoneMasked: maskPhone(p.phone),
    requestedId: id,
  };
}

export interface PersonContact {
  id: string;
  fullName: string;
  birthYear: number | null;
  sex: string | null;
  phone: string | null;
  address: string | null;
  communeCode: string | null;
}

/**
 * Name and full contact details of the live record behind `id` (following merges), for officers who must call the
 * person (declaration follow-up, tracing). Personal data: the caller writes the audit row.
 */
export async function getPersonContact(db: DbOrTx, id: string): Promise<PersonContact | null> {
  const live = await resolveLiveId(db, id);
  const p = live ? await findPersonById(db, live) : undefined;
  if (!p) return null;
  return { id: p.id, fullName: p.full_name, birthYear: p.birth_year, sex: p.sex, phone: p.phone, address: p.address, communeCode: p.commune_code };
}

/** Briefs of many records at once (one query plus one per merged id), keyed by the id asked for. */
export async function getPersonBriefs(db: DbOrTx, ids: string[]): Promise<Map<string, PersonBrief>> {
  const out = new Map<string, PersonBrief>();
  const unique = [...new Set(ids)];
  const rows = await findPersonsByIds(db, unique);
  const byId = new Map(rows.map((r) => [r.id, r]));
  for (const id of unique) {
    let p = byId.get(id);
    if (p?.merged_into) {
      const live = await resolveLiveId(db, id);
      p = live ? ((await findPersonById(db, live)) ?? undefined) : undefined;
    }
    if (p)
      out.set(id, { id: p.id, fullName: p.full_name, birthYear: p.birth_year, sex: p.sex, communeCode: p.commune_code, phoneMasked: maskPhone(p.phone), requestedId: id });
  }
  return out;
}

/** The live record id behind `id` (the same id unless merged), or null when unknown. */
export const resolvePersonId = (db: DbOrTx, id: string) => resolveLiveId(db, id);

export interface DependantBrief {
  id: string;
  fullName: string;
  birthYear: number | null;
  sex: string | null;
  communeCode: string | null;
  relationship: string;
}

export async function dependantsOf(db: DbOrTx, personId: string): Promise<DependantBrief[]> {
  const rows = await linksOfManager(db, personId);
  return rows.map((r) => ({
    id: r.id,
    fullName: r.full_name,
    birthYear: r.birth_year,
    sex: r.sex,
    communeCode: r.commune_code,
    relationship: r.relationship,
  }));
}

export const managersOf = (db: DbOrTx, personId: string) => linksOfDependant(db, personId);

/** Does `managerPersonId` manage `personId` (it may act for them: declare, show their QR)? */
export async function isManagerOf(db: DbOrTx, managerPersonId: string, personId: string): Promise<boolean> {
  if (!managerPersonId || !personId || managerPersonId === personId) return false;
  return isManager(db, managerPersonId, personId);
}

// ── households ───────────────────────────────────────────────────────────────

export const MAX_DEPENDANTS = 20;

export async function addDependant(
  db: DbOrTx,
  managerId: string,
  dependantId: string,
  relationship: RelationshipValue,
  by: string | null,
  now: Date,
): Promise<{ created: boolean }> {
  if (managerId === dependantId) throw invalidField('body.dependantId', 'a person cannot be their own dependant');
  return inTransaction(db, async (tx) => {
    const [m, d] = await Promise.all([findPersonById(tx, managerId), findPersonById(tx, dependantId)]);
    if (!m) throw notFound('Person');
    if (!d) throw invalidField('body.dependantId', 'is not a known person');
    if (m.merged_into) throw conflict(`This record was merged into ${m.merged_into}`);
    if (d.merged_into) throw invalidField('body.dependantId', `was merged into ${d.merged_into}; use that record`);
    if (await isManager(tx, dependantId, managerId))
      throw invalidField('body.dependantId', 'already manages this person; a link cannot go both ways');
    const existing = await findLink(tx, managerId, dependantId);
    if (!existing && (await linksOfManager(tx, managerId)).length >= MAX_DEPENDANTS)
      throw conflict(`A person may manage at most ${MAX_DEPENDANTS} dependants`);
    await insertLink(tx, { manager_id: managerId, dependant_id: dependantId, relationship, created_by: by, created_at: now });
    return { created: !existing };
  });
}

export async function removeDependant(db: DbOrTx, managerId: string, dependantId: string): Promise<boolean> {
  const r = await deleteLink(db, managerId, dependantId);
  return Number(r.numDeletedRows) > 0;
}

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

/** Name, phone and commune of live records (merged ids are not followed: callers pass live ids), in one query. */
export async function getPersonPhones(db: DbOrTx, ids: string[]): Promise<{ id: string; fullName: string; phone: string | null; communeCode: string | null }[]> {
  const out: { id: string; fullName: string; phone: string | null; communeCode: string | null }[] = [];
  for (let i = 0; i < ids.length; i += 5000) {
    const rows = await db
      .selectFrom('persons')
      .select(['id', 'full_name', 'phone', 'commune_code'])
      .where('id', 'in', ids.slice(i, i + 5000))
      .where('merged_into', 'is', null)
      .execute();
    for (const r of rows) out.push({ id: r.id, fullName: r.full_name, phone: r.phone, communeCode: r.commune_code });
  }
  return out;
}

/** Live records living in `communeCodes` that have a phone (campaigns to an area). */
export async function residentsWithPhone(db: DbOrTx, communeCodes: string[], limit = 200_000) {
  const rows = await db
    .selectFrom('persons')
    .select(['id', 'full_name', 'phone', 'commune_code'])
    .where('commune_code', 'in', communeCodes.length ? communeCodes : [''])
    .where('merged_into', 'is', null)
    .where('phone', 'is not', null)
    .limit(limit)
    .execute();
  return rows.map((r) => ({ id: r.id, fullName: r.full_name, phone: r.phone, communeCode: r.commune_code }));
}
