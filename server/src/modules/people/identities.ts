// Identity details in batches for modules that must reach people (contact tracing lists, CLI output), and look-ups
// by what an officer types (national ID, phone, record id). Personal data: callers write the audit row.
import { sql, type RawBuilder } from 'kysely';
import type { DbOrTx } from '../../platform/db/types';
import { normalizeName, normalizePhone } from './normalize';
import { staffMayMatch } from './service';

export interface PersonIdentity {
  id: string;
  fullName: string;
  nationalId: string | null;
  phone: string | null;
  birthYear: number | null;
  address: string | null;
  communeCode: string | null;
}

/** Live (not merged-away) records by id, one query for the whole batch. */
export async function getPersonIdentities(db: DbOrTx, ids: string[]): Promise<Map<string, PersonIdentity>> {
  const out = new Map<string, PersonIdentity>();
  const unique = [...new Set(ids)];
  for (let i = 0; i < unique.length; i += 5000) {
    const rows = await db
      .selectFrom('persons')
      .select(['id', 'full_name', 'national_id', 'phone', 'birth_year', 'address', 'commune_code'])
      .where('id', 'in', unique.slice(i, i + 5000))
      .execute();
    for (const p of rows)
      out.set(p.id, { id: p.id, fullName: p.full_name, nationalId: p.national_id, phone: p.phone, birthYear: p.birth_year, address: p.address, communeCode: p.commune_code });
  }
  return out;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Live records an identifier names: a record id, a national ID (9 or 12 digits) or a phone number (any
 * Vietnamese or E.164 form). Several records may share a phone (a family): all are returned.
 */
export async function findPeopleByIdentifier(db: DbOrTx, identifier: string): Promise<string[]> {
  const s = identifier.trim();
  let q = db.selectFrom('persons').select(['id', 'merged_into']);
  if (UUID.test(s)) q = q.where('id', '=', s.toLowerCase());
  else if (/^([0-9]{9}|[0-9]{12})$/.test(s)) q = q.where('national_id', '=', s);
  else {
    const phone = normalizePhone(s);
    if (!phone) return [];
    q = q.where('phone', '=', phone);
  }
  const rows = await q.execute();
  return [...new Set(rows.map((r) => r.merged_into ?? r.id))];
}

/**
 * The registry records staff input may land on for an ID number (an ID card seen at a desk, a list), oldest first:
 * live records not typed in by a citizen account (see staffMayMatch in service.ts; anyone can type a neighbour's
 * number into their own household).
 */
export async function registryHoldersOfNationalId(db: DbOrTx, nationalId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('persons')
    .select('id')
    .where('national_id', '=', nationalId.trim())
    .where('merged_into', 'is', null)
    .where('source', '<>', 'citizen')
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.map((r) => r.id);
}

/**
 * Live records by national ID for bulk imports (one query per 5000 numbers): the oldest record holding each number,
 * as findOrCreatePerson's staff matching picks it (never one a citizen typed in). Numbers no live record holds are absent.
 */
export async function personIdsByNationalIds(db: DbOrTx, nationalIds: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const unique = [...new Set(nationalIds)];
  for (let i = 0; i < unique.length; i += 5000) {
    const rows = (
      await sql<{ id: string; national_id: string }>`
        select id, national_id from persons where national_id = any(${unique.slice(i, i + 5000)}::text[]) and merged_into is null and source <> 'citizen'
        order by created_at desc`.execute(db)
    ).rows;
    for (const r of rows) out.set(r.national_id!, r.id);
  }
  return out;
}

/** Every record's name and phone as a relation `(id, full_name, phone)`, to join in set-based statements (calls' audience sync). */
export function personNamesSql(): RawBuilder<{ id: string; full_name: string; phone: string | null }> {
  return sql<{ id: string; full_name: string; phone: string | null }>`(select p.id, p.full_name, p.phone from persons p)`;
}

/**
 * For set-based bulk imports that stage their lines in a table: a relation `(national_id, id)` of the live record
 * each number of `numbers` (a subquery yielding one text column) names, the oldest holding it, as
 * personIdsByNationalIds picks it. Join it in SQL; the people module keeps the knowledge of its table.
 */
export function liveIdsByNationalIdSql(numbers: RawBuilder<unknown>): RawBuilder<{ national_id: string; id: string }> {
  return sql<{ national_id: string; id: string }>`(
    select distinct on (p.national_id) p.national_id, p.id from persons p
    where p.merged_into is null and p.national_id is not null and p.source <> 'citizen' and p.national_id in ${numbers}
    order by p.national_id, p.created_at, p.id)`;
}

/** What a registration desk searches by before typing a person in: one identifier, or a name with the birth date. */
export type DeskQuery = { nationalId: string } | { phone: string } | { fullName: string; birthDate: string };

export interface DeskMatch {
  id: string;
  fullName: string;
  birthYear: number | null;
  phone: string | null;
  nationalId: string | null;
  communeCode: string | null;
  /**
   * false for a record a citizen account typed in (staffMayMatch): unproven — anyone can type a neighbour's details as
   * a "dependant" — so staff never take it as the person in front of them; they register from the ID card instead
   * (which makes a registry record; both then show on the duplicates list).
   */
  staffMayUse: boolean;
}

/**
 * Live records for a desk search inside `communes` (null: everywhere), at most `limit`, registry records first. A phone
 * that is no phone number, or a name without letters, finds nothing. Personal data: the caller audits what it shows.
 */
export async function findPeopleForDesk(db: DbOrTx, q: DeskQuery, communes: string[] | null, limit = 20): Promise<DeskMatch[]> {
  let where;
  if ('nationalId' in q) where = sql`p.national_id = ${q.nationalId.trim()}`;
  else if ('phone' in q) {
    const phone = normalizePhone(q.phone);
    if (!phone) return [];
    where = sql`p.phone = ${phone}`;
  } else {
    const key = normalizeName(q.fullName);
    if (!key) return [];
    where = sql`p.name_key = ${key} and (p.birth_date = ${q.birthDate}::date or (p.birth_date is null and p.birth_year = ${Number(q.birthDate.slice(0, 4))}))`;
  }
  const rows = (
    await sql<{ id: string; full_name: string; birth_year: number | null; phone: string | null; national_id: string | null; commune_code: string | null; source: string }>`
      select p.id, p.full_name, p.birth_year, p.phone, p.national_id, p.commune_code, p.source from persons p
      where ${where} and p.merged_into is null ${communes ? sql`and p.commune_code = any(${communes}::text[])` : sql``}
      order by (p.source = 'citizen'), p.created_at, p.id limit ${limit}`.execute(db)
  ).rows;
  return rows.map((r) => ({
    id: r.id,
    fullName: r.full_name,
    birthYear: r.birth_year,
    phone: r.phone,
    nationalId: r.national_id,
    communeCode: r.commune_code,
    staffMayUse: staffMayMatch(r),
  }));
}
