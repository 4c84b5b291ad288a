// Find-or-create for many people at once (bulk imports: a sample list of a mass-testing day names thousands of people
// the registry does not know yet). The same rules as service.ts findOrCreatePerson with staff trust, set-based:
//   * each person's details are validated as findOrCreatePerson validates them (the same errors, per person);
//   * a chunk of people is one transaction: first the advisory locks of every phone, then of every national ID of the
//     chunk, each group in the order of the lock's key (the single find-or-create, and the check-in's SQL function,
//     take a person's phone lock before their ID lock: one global order, so no deadlock with them or with another
//     bulk call); then, under the locks, one statement matches the whole chunk against the registry (national ID
//     first, the oldest live record holding it; else phone + name key + birth year; else the one phone + name record
//     when a birth year is unknown on either side; never a record holding another ID number), one statement fills in
//     the missing fields of the matched records and one inserts the rest;
//   * people of the same chunk that may be one person (the same phone and name, the same ID) are settled in rounds:
//     the first one is matched or created, the others look again in the next round, so they find the record it made
//     exactly as consecutive single calls would;
//   * chunks are committed one by one (a chunk's locks are held until its commit; a file of 100k new people in one
//     transaction would hold 200k locks, more than PostgreSQL's lock table holds): a concurrent import of the same
//     people waits for the chunk, then finds its records. The records are kept even if the caller's own transaction
//     (the import of the lines that named them) fails afterwards: registry records, found again by the next import.
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Db, Tx } from '../../platform/db/types';
import type { ErrorDetail } from '../../platform/http/errors';
import type { JurisdictionResolver } from '../../platform/auth/jurisdiction';
import { validatePerson, type PersonSource, type PersonValues, type ValidateOptions } from './validate';
import type { FindOrCreateInput } from './service';

export interface BulkFindOrCreateOptions {
  resolver: JurisdictionResolver;
  now: Date;
  source: PersonSource;
  /** prefix of field paths in each person's errors, default 'body' */
  prefix?: string;
  /** staff trust only (officers' imports): matched by national ID first, missing fields filled in */
  trust: 'staff';
  /** people per transaction (default 1000: at most 2000 advisory locks held at once) */
  chunkSize?: number;
}

export type BulkOutcome = { id: string; created: boolean; errors?: undefined } | { id?: undefined; created?: undefined; errors: ErrorDetail[] };

const DEADLOCK = '40P01';

/**
 * The person each input describes, else a new record; one outcome per input, in order (an input that does not
 * validate gets its errors, the others go on). A national ID is required unless a phone is given.
 */
export async function findOrCreatePeople(db: Db, inputs: FindOrCreateInput[], opts: BulkFindOrCreateOptions): Promise<BulkOutcome[]> {
  const out: BulkOutcome[] = new Array(inputs.length);
  const valid: { at: number; v: PersonValues }[] = [];
  for (const [at, input] of inputs.entries()) {
    const require: ValidateOptions['require'] = ['communeCode'];
    if (!input.nationalId) require.push('phone');
    try {
      valid.push({ at, v: await validatePerson(input, { resolver: opts.resolver, now: opts.now, prefix: opts.prefix, require }) });
    } catch (err) {
      const details = (err as { details?: ErrorDetail[] }).details;
      if (!details?.length) throw err;
      out[at] = { errors: details };
    }
  }
  const size = opts.chunkSize ?? 1000;
  for (let i = 0; i < valid.length; i += size) {
    const chunk = valid.slice(i, i + size);
    for (let attempt = 1; ; attempt++) {
      try {
        const ids = await db.transaction().execute((tx) => resolveChunk(tx, chunk.map((c) => c.v), opts));
        ids.forEach((r, k) => (out[chunk[k]!.at] = r));
        break;
      } catch (err) {
        // another writer holding several people's locks in another order (one person per call elsewhere, but a
        // caller may make several calls in one transaction): PostgreSQL broke the cycle by failing us; try again
        if ((err as { code?: string }).code !== DEADLOCK || attempt >= 5) throw err;
      }
    }
  }
  return out;
}

interface Pending {
  k: number;
  v: PersonValues;
}

async function resolveChunk(tx: Tx, values: PersonValues[], opts: BulkFindOrCreateOptions): Promise<{ id: string; created: boolean }[]> {
  const phones = [...new Set(values.map((v) => v.phone).filter((p): p is string => !!p))];
  const nids = [...new Set(values.map((v) => v.national_id).filter((n): n is string => !!n))];
  // the same keys and the same hash as service.ts lockKey: phones first, then IDs, each group in key order
  await sql`
    select count(*) from (select pg_advisory_xact_lock(l.h) as locked from (
      select l.h from (select 0 as grp, hashtextextended('phone:' || p, 7411) as h from unnest(${phones}::text[]) p
                       union select 1, hashtextextended('nid:' || n, 7411) from unnest(${nids}::text[]) n) l
      order by l.grp, l.h offset 0) l) z`.execute(tx);

  const result: { id: string; created: boolean }[] = new Array(values.length);
  let pending: Pending[] = values.map((v, k) => ({ k, v }));
  while (pending.length) {
    const matched = await matchAll(tx, pending);
    const deferred: Pending[] = [];
    const taken = new Set<string>();
    const patches: { id: string; v: PersonValues }[] = [];
    const fresh: Pending[] = [];
    const claimedPhoneName = new Set<string>();
    const claimedNid = new Set<string>();
    for (const [j, p] of pending.entries()) {
      const id = matched[j];
      if (id) {
        // several inputs matching one record: the first fills it in, the others look again after that
        if (taken.has(id)) deferred.push(p);
        else {
          taken.add(id);
          patches.push({ id, v: p.v });
          result[p.k] = { id, created: false };
        }
        continue;
      }
      // an input the new record of an earlier one could match waits for the next round
      const pn = p.v.phone ? `${p.v.phone}\u0000${p.v.name_key}` : null;
      if ((pn && claimedPhoneName.has(pn)) || (p.v.national_id && claimedNid.has(p.v.national_id))) {
        deferred.push(p);
        continue;
      }
      if (pn) claimedPhoneName.add(pn);
      if (p.v.national_id) claimedNid.add(p.v.national_id);
      fresh.push(p);
    }
    if (patches.length) await fillIn(tx, patches, opts.now);
    if (fresh.length) {
      const ids = fresh.map(() => randomUUID());
      await insertAll(tx, fresh, ids, opts);
      fresh.forEach((p, j) => (result[p.k] = { id: ids[j]!, created: true }));
    }
    pending = deferred;
  }
  return result;
}

const column = <K extends keyof PersonValues>(ps: { v: PersonValues }[], k: K) => ps.map((p) => p.v[k]);

/**
 * The record each pending input matches (staff rules of service.ts findMatch), null for none; one statement. A record
 * a citizen typed in is never matched (service.ts staffMayMatch: anyone can type a neighbour's details).
 */
async function matchAll(tx: Tx, ps: Pending[]): Promise<(string | null)[]> {
  const rows = (
    await sql<{ i: number; id: string | null }>`
      select v.i, coalesce(
        (select p.id from persons p where v.nid is not null and p.national_id = v.nid and p.merged_into is null and p.source <> 'citizen' order by p.created_at, p.id limit 1),
        (select p.id from persons p
          where v.phone is not null and p.phone = v.phone and p.name_key = v.name_key and p.merged_into is null and p.source <> 'citizen'
            and (v.nid is null or p.national_id is null) and v.year is not null and p.birth_year = v.year
          order by p.created_at, p.id limit 1),
        (select (array_agg(p.id))[1] from persons p
          where v.phone is not null and p.phone = v.phone and p.name_key = v.name_key and p.merged_into is null and p.source <> 'citizen'
            and (v.nid is null or p.national_id is null) and (v.year is null or p.birth_year is null)
          having count(*) = 1)) as id
      from unnest(${ps.map((_, i) => i)}::int[], ${column(ps, 'national_id')}::text[], ${column(ps, 'phone')}::text[], ${column(ps, 'name_key')}::text[],
                  ${column(ps, 'birth_year')}::int[]) v(i, nid, phone, name_key, year)`.execute(tx)
  ).rows;
  const out: (string | null)[] = new Array(ps.length).fill(null);
  for (const r of rows) out[r.i] = r.id;
  return out;
}

/**
 * A match only gains the fields it lacks (typed-in details never overwrite the registry), as findOrInsert's patch:
 * a birth date only when it agrees with a known birth year, an ID number only when no live record holds it; then it
 * was seen now.
 */
async function fillIn(tx: Tx, ps: { id: string; v: PersonValues }[], now: Date) {
  await sql`
    with v as (
      select * from unnest(${ps.map((p) => p.id)}::uuid[], ${column(ps, 'birth_date')}::date[], ${column(ps, 'birth_year')}::smallint[], ${column(ps, 'sex')}::text[],
                           ${column(ps, 'national_id')}::text[], ${column(ps, 'phone')}::text[], ${column(ps, 'address')}::text[], ${column(ps, 'commune_code')}::text[])
        v(id, birth_date, birth_year, sex, nid, phone, address, commune_code)),
    patch as (
      select v.id,
             case when p.birth_date is null and (p.birth_year is null or extract(year from v.birth_date) = p.birth_year) then v.birth_date end as birth_date,
             case when p.birth_year is null then v.birth_year end as birth_year,
             case when p.sex is null then v.sex end as sex,
             case when p.national_id is null and not exists (select 1 from persons o where o.national_id = v.nid and o.merged_into is null) then v.nid end as nid,
             case when p.phone is null then v.phone end as phone,
             case when p.address is null then v.address end as address,
             case when p.commune_code is null then v.commune_code end as commune_code
      from v join persons p on p.id = v.id)
    update persons p set
      birth_date = coalesce(p.birth_date, x.birth_date),
      birth_year = coalesce(p.birth_year, x.birth_year, extract(year from x.birth_date)::smallint),
      sex = coalesce(p.sex, x.sex), national_id = coalesce(p.national_id, x.nid), phone = coalesce(p.phone, x.phone),
      address = coalesce(p.address, x.address), commune_code = coalesce(p.commune_code, x.commune_code),
      updated_at = case when coalesce(x.birth_date::text, x.birth_year::text, x.sex, x.nid, x.phone, x.address, x.commune_code) is not null then ${now}::timestamptz else p.updated_at end,
      last_seen_at = greatest(p.last_seen_at, ${now}::timestamptz)
    from patch x where p.id = x.id`.execute(tx);
}

async function insertAll(tx: Tx, ps: Pending[], ids: string[], opts: BulkFindOrCreateOptions) {
  await sql`
    insert into persons (id, full_name, name_key, birth_date, birth_year, sex, national_id, phone, address, commune_code, source, created_at, updated_at, last_seen_at)
    select v.*, ${opts.source}, ${opts.now}::timestamptz, ${opts.now}::timestamptz, ${opts.now}::timestamptz
    from unnest(${ids}::uuid[], ${column(ps, 'full_name')}::text[], ${column(ps, 'name_key')}::text[], ${column(ps, 'birth_date')}::date[], ${column(ps, 'birth_year')}::smallint[],
                ${column(ps, 'sex')}::text[], ${column(ps, 'national_id')}::text[], ${column(ps, 'phone')}::text[], ${column(ps, 'address')}::text[],
                ${column(ps, 'commune_code')}::text[]) v`.execute(tx);
}
