// SQL of the person registry. Plain rows in and out; rules live in service.ts.
import { sessionFeedStale } from '../../platform/auth/session-registry';
import { sql, type Generated, type Insertable, type Selectable, type Updateable } from 'kysely';
import type { DbOrTx } from '../../platform/db/types';

export interface PersonTable {
  id: Generated<string>;
  full_name: string;
  name_key: string;
  /** 'YYYY-MM-DD' (date columns are read as strings, see the type parser in connect) */
  birth_date: string | null;
  birth_year: number | null;
  sex: string | null;
  national_id: string | null;
  phone: string | null;
  address: string | null;
  commune_code: string | null;
  source: Generated<string>;
  merged_into: string | null;
  merged_at: Date | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  last_seen_at: Generated<Date>;
}

export interface PersonLinkTable {
  manager_id: string;
  dependant_id: string;
  relationship: string;
  created_at: Generated<Date>;
  created_by: string | null;
}

export interface PersonMergeTable {
  id: Generated<string>;
  kept_id: string;
  merged_id: string;
  merged_at: Date;
  merged_by: string | null;
  merged_by_username: string | null;
  reason: string;
  merged_snapshot: unknown;
  fields_taken: Generated<string[]>;
  repointed: Generated<unknown>;
}

export interface PersonNotDuplicateTable {
  a_id: string;
  b_id: string;
  decided_at: Generated<Date>;
  decided_by: string | null;
}

declare module '../../platform/db/types' {
  interface Database {
    persons: PersonTable;
    person_links: PersonLinkTable;
    person_merges: PersonMergeTable;
    person_not_duplicates: PersonNotDuplicateTable;
  }
}

export type PersonRow = Selectable<PersonTable>;
export type NewPersonRow = Insertable<PersonTable>;
export type PersonPatchRow = Updateable<PersonTable>;
export type PersonMergeRow = Selectable<PersonMergeTable>;

// `date` columns: pg returns a JS Date at local midnight by default; read them as text instead so a birth date
// never shifts by a time zone. Done per query with a cast rather than a global type parser.
const personColumns = [
  'id',
  'full_name',
  'name_key',
  sql<string | null>`to_char(birth_date, 'YYYY-MM-DD')`.as('birth_date'),
  'birth_year',
  'sex',
  'national_id',
  'phone',
  'address',
  'commune_code',
  'source',
  'merged_into',
  'merged_at',
  'created_at',
  'updated_at',
  'last_seen_at',
] as const;

export const findPersonById = (db: DbOrTx, id: string) =>
  db.selectFrom('persons').select(personColumns).where('id', '=', id).executeTakeFirst() as Promise<PersonRow | undefined>;

export const findPersonsByIds = (db: DbOrTx, ids: string[]) =>
  ids.length
    ? (db.selectFrom('persons').select(personColumns).where('id', 'in', ids).execute() as Promise<PersonRow[]>)
    : Promise.resolve([] as PersonRow[]);

/** The live record behind `id` (following merged_into, as resolveLiveId) in one round trip, or undefined. */
export const findLivePersonById = (db: DbOrTx, id: string) =>
  db
    .selectFrom('persons')
    .select(personColumns)
    .where(
      'id',
      '=',
      sql<string>`(with recursive chain(id, merged_into, depth) as (
        select id, merged_into, 0 from persons where id = ${id}
        union all
        select p.id, p.merged_into, c.depth + 1 from persons p join chain c on p.id = c.merged_into where c.depth < 20
      ) select id from chain where merged_into is null limit 1)`,
    )
    .executeTakeFirst() as Promise<PersonRow | undefined>;

/** Lock a person row for the rest of the transaction (merge, update). */
export const lockPerson = (db: DbOrTx, id: string) =>
  db.selectFrom('persons').select(personColumns).where('id', '=', id).forUpdate().executeTakeFirst() as Promise<PersonRow | undefined>;

/** Follows merged_into to the live record (at most a few hops; merges re-point older chains). */
export async function resolveLiveId(db: DbOrTx, id: string): Promise<string | null> {
  const r = await sql<{ id: string }>`
    with recursive chain(id, merged_into, depth) as (
      select id, merged_into, 0 from persons where id = ${id}
      union all
      select p.id, p.merged_into, c.depth + 1 from persons p join chain c on p.id = c.merged_into where c.depth < 20
    )
    select id from chain where merged_into is null limit 1`.execute(db);
  return r.rows[0]?.id ?? null;
}

export const activeByNationalId = (db: DbOrTx, nationalId: string) =>
  db
    .selectFrom('persons')
    .select(personColumns)
    .where('national_id', '=', nationalId)
    .where('merged_into', 'is', null)
    .orderBy('created_at')
    .execute() as Promise<PersonRow[]>;

export const activeByPhoneName = (db: DbOrTx, phone: string, nameKey: string) =>
  db
    .selectFrom('persons')
    .select(personColumns)
    .where('phone', '=', phone)
    .where('name_key', '=', nameKey)
    .where('merged_into', 'is', null)
    .orderBy('created_at')
    .execute() as Promise<PersonRow[]>;

export const insertPerson = (db: DbOrTx, row: NewPersonRow) =>
  db.insertInto('persons').values(row).returning('id').executeTakeFirstOrThrow();

export const updatePersonRow = (db: DbOrTx, id: string, patch: PersonPatchRow) =>
  db.updateTable('persons').set(patch).where('id', '=', id).executeTakeFirst();

export const touchPerson = (db: DbOrTx, id: string, at: Date) =>
  db.updateTable('persons').set({ last_seen_at: at }).where('id', '=', id).where('last_seen_at', '<', at).execute();

export interface PersonSearch {
  /** unit codes the caller may see; null = all */
  scope: string[] | null;
  communeCode?: string;
  nameKey?: string;
  phone?: string;
  nationalId?: string;
  includeMerged?: boolean;
  limit: number;
  offset: number;
}

export async function searchPersons(db: DbOrTx, f: PersonSearch) {
  let q = db.selectFrom('persons');
  if (!f.includeMerged) q = q.where('merged_into', 'is', null);
  if (f.scope) q = q.where('commune_code', 'in', f.scope.length ? f.scope : ['\u0000']);
  if (f.communeCode) q = q.where('commune_code', '=', f.communeCode);
  if (f.nameKey || f.phone || f.nationalId) {
    q = q.where((eb) => {
      const c = [];
      if (f.nameKey) {
        const like = `%${f.nameKey.replace(/[%_\\]/g, '\\$&')}%`;
        c.push(eb('name_key', 'like', like));
      }
      if (f.phone) c.push(eb('phone', '=', f.phone));
      if (f.nationalId) c.push(eb('national_id', '=', f.nationalId));
      return eb.or(c);
    });
  }
  const [items, total] = await Promise.all([
    q
      .select(personColumns)
      .orderBy('name_key')
      .orderBy('id')
      .limit(f.limit)
      .offset(f.offset)
      .execute() as Promise<PersonRow[]>,
    q.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { items, total: Number(total.n) };
}

// ── households ───────────────────────────────────────────────────────────────

export const linksOfManager = (db: DbOrTx, managerId: string) =>
  db
    .selectFrom('person_links as l')
    .innerJoin('persons as p', 'p.id', 'l.dependant_id')
    .select(['p.id', 'p.full_name', 'p.birth_year', 'p.sex', 'p.commune_code', 'l.relationship', 'l.created_at'])
    .where('l.manager_id', '=', managerId)
    .orderBy('l.created_at')
    .execute();

export const linksOfDependant = (db: DbOrTx, dependantId: string) =>
  db
    .selectFrom('person_links as l')
    .innerJoin('persons as p', 'p.id', 'l.manager_id')
    .select(['p.id', 'p.full_name', 'p.birth_year', 'p.sex', 'p.commune_code', 'l.relationship', 'l.created_at'])
    .where('l.dependant_id', '=', dependantId)
    .orderBy('l.created_at')
    .execute();

export const findLink = (db: DbOrTx, managerId: string, dependantId: string) =>
  db
    .selectFrom('person_links')
    .selectAll()
    .where('manager_id', '=', managerId)
    .where('dependant_id', '=', dependantId)
    .executeTakeFirst();

export const insertLink = (db: DbOrTx, row: Insertable<PersonLinkTable>) =>
  db
    .insertInto('person_links')
    .values(row)
    .onConflict((oc) => oc.columns(['manager_id', 'dependant_id']).doUpdateSet({ relationship: row.relationship }))
    .execute();

export const deleteLink = (db: DbOrTx, managerId: string, dependantId: string) =>
  db.deleteFrom('person_links').where('manager_id', '=', managerId).where('dependant_id', '=', dependantId).executeTakeFirst();

/** Does `managerId` manage `dependantId` (directly)? */
export async function isManager(db: DbOrTx, managerId: string, dependantId: string): Promise<boolean> {
  const r = await db
    .selectFrom('person_links')
    .select('manager_id')
    .where('manager_id', '=', managerId)
    .where('dependant_id', '=', dependantId)
    .executeTakeFirst();
  return !!r;
}

/** Is any user account linked to this person? (users is a platform table) */
export async function userOfPerson(db: DbOrTx, personId: string) {
  return db.selectFrom('users').select(['id', 'username']).where('person_id', '=', personId).executeTakeFirst();
}

// ── duplicates & merges ─────────────────────────────────────────────────────

export interface DuplicatePairRow {
  a_id: string;
  b_id: string;
  reason: string;
}

/**
 * Pairs of live records that look like the same person, both inside the scope, minus pairs an officer said are
 * different people. Uses the partial indexes on national_id and (phone, name_key).
 */
export async function duplicatePairs(db: DbOrTx, scope: string[] | null, limit: number, offset: number, personId?: string) {
  const scopeA = scope ? sql`and a.commune_code = any(${scope}::text[]) and b.commune_code = any(${scope}::text[])` : sql``;
  const onlyPerson = personId ? sql`and (a.id = ${personId}::uuid or b.id = ${personId}::uuid)` : sql``;
  const r = await sql<DuplicatePairRow & { total: string }>`
    with pairs as (
      select a.id as a_id, b.id as b_id, 'national_id' as reason
      from persons a join persons b on b.national_id = a.national_id and a.id < b.id
      where a.merged_into is null and b.merged_into is null and a.national_id is not null ${scopeA} ${onlyPerson}
      union all
      select a.id, b.id,
             case when a.birth_year is not null and b.birth_year is not null then 'phone_name_year' else 'phone_name' end
      from persons a join persons b on b.phone = a.phone and b.name_key = a.name_key and a.id < b.id
      where a.merged_into is null and b.merged_into is null and a.phone is not null
        and (a.birth_year is null or b.birth_year is null or a.birth_year = b.birth_year)
        and (a.national_id is null or b.national_id is null or a.national_id = b.national_id)
        ${scopeA} ${onlyPerson}
    ),
    best as (
      select distinct on (a_id, b_id) a_id, b_id, reason from pairs
      order by a_id, b_id, case reason when 'national_id' then 0 when 'phone_name_year' then 1 else 2 end
    )
    select best.*, count(*) over () as total from best
    where not exists (select 1 from person_not_duplicates n where n.a_id = best.a_id and n.b_id = best.b_id)
    order by case reason when 'national_id' then 0 when 'phone_name_year' then 1 else 2 end, a_id, b_id
    limit ${limit} offset ${offset}`.execute(db);
  return { items: r.rows.map(({ total: _t, ...p }) => p), total: Number(r.rows[0]?.total ?? 0) };
}

export const insertNotDuplicate = (db: DbOrTx, a: string, b: string, by: string | null) => {
  const [x, y] = a < b ? [a, b] : [b, a];
  return db
    .insertInto('person_not_duplicates')
    .values({ a_id: x, b_id: y, decided_by: by })
    .onConflict((oc) => oc.columns(['a_id', 'b_id']).doNothing())
    .execute();
};

export const insertMerge = (db: DbOrTx, row: Insertable<PersonMergeTable>) =>
  db.insertInto('person_merges').values(row).returning(['id']).executeTakeFirstOrThrow();

export const mergesOf = (db: DbOrTx, keptId: string) =>
  db.selectFrom('person_merges').selectAll().where('kept_id', '=', keptId).orderBy('merged_at', 'desc').execute();

/**
 * Re-point the registry's own references from `fromId` to `toId`: household links (dropping ones that would
 * duplicate or become self-links), older merges into `fromId`, user accounts. Returns counts per table.
 */
export async function repointRegistry(db: DbOrTx, fromId: string, toId: string): Promise<Record<string, number>> {
  const asManager = await sql`
    update person_links l set manager_id = ${toId}
    where l.manager_id = ${fromId} and l.dependant_id <> ${toId}
      and not exists (select 1 from person_links x where x.manager_id = ${toId} and x.dependant_id = l.dependant_id)`.execute(db);
  const asDependant = await sql`
    update person_links l set dependant_id = ${toId}
    where l.dependant_id = ${fromId} and l.manager_id <> ${toId}
      and not exists (select 1 from person_links x where x.dependant_id = ${toId} and x.manager_id = l.manager_id)`.execute(db);
  await db.deleteFrom('person_links').where((eb) => eb.or([eb('manager_id', '=', fromId), eb('dependant_id', '=', fromId)])).execute();
  const chains = await db.updateTable('persons').set({ merged_into: toId }).where('merged_into', '=', fromId).executeTakeFirst();
  const users = await db.updateTable('users').set({ person_id: toId }).where('person_id', '=', fromId).executeTakeFirst();
  if (users.numUpdatedRows > 0n) sessionFeedStale(); // accounts repointed: cached sessions carry the linked person
  await sql`
    insert into person_not_duplicates (a_id, b_id, decided_at, decided_by)
    select least(${toId}::uuid, case when a_id = ${fromId}::uuid then b_id else a_id end),
           greatest(${toId}::uuid, case when a_id = ${fromId}::uuid then b_id else a_id end), decided_at, decided_by
    from person_not_duplicates
    where (a_id = ${fromId}::uuid or b_id = ${fromId}::uuid) and a_id <> ${toId}::uuid and b_id <> ${toId}::uuid
    on conflict do nothing`.execute(db);
  await db.deleteFrom('person_not_duplicates').where((eb) => eb.or([eb('a_id', '=', fromId), eb('b_id', '=', fromId)])).execute();
  return {
    person_links: Number(asManager.numAffectedRows ?? 0n) + Number(asDependant.numAffectedRows ?? 0n),
    persons_merged_chain: Number(chains.numUpdatedRows),
    users: Number(users.numUpdatedRows),
  };
}

// ── retention ────────────────────────────────────────────────────────────────

/** Implicit records (public check-in / declaration) not seen since `before`, without account or household. */
export const purgeCandidates = (db: DbOrTx, before: Date, limit: number, after: { at: Date; id: string } | null = null) =>
  db
    .selectFrom('persons as p')
    .select(['p.id', 'p.last_seen_at'])
    .$if(after !== null, (q) => q.where(sql<boolean>`(p.last_seen_at, p.id) > (${after!.at}, ${after!.id}::uuid)`))
    .where('p.source', 'in', ['checkin', 'declaration'])
    .where('p.last_seen_at', '<', before)
    .where('p.merged_into', 'is', null)
    .where((eb) =>
      eb.and([
        eb.not(eb.exists(eb.selectFrom('users as u').select('u.id').whereRef('u.person_id', '=', 'p.id'))),
        eb.not(eb.exists(eb.selectFrom('person_links as l').select('l.manager_id').whereRef('l.manager_id', '=', 'p.id'))),
        eb.not(eb.exists(eb.selectFrom('person_links as l').select('l.dependant_id').whereRef('l.dependant_id', '=', 'p.id'))),
        eb.not(eb.exists(eb.selectFrom('persons as m').select('m.id').whereRef('m.merged_into', '=', 'p.id'))),
      ]),
    )
    .orderBy('p.last_seen_at')
    .orderBy('p.id')
    .limit(limit)
    .execute();

// ── link requests (proof of possession by an officer's approval) ───────────

export interface PersonLinkRequestTable {
  id: Generated<string>;
  user_id: string;
  claimant_id: string;
  kind: string;
  method: Generated<string>;
  status: Generated<string>;
  note: string | null;
  commune_code: string | null;
  target_id: string | null;
  challenge_hash: string | null;
  attempts: Generated<number>;
  expires_at: Date | null;
  created_at: Generated<Date>;
  decided_at: Date | null;
  decided_by: string | null;
  decided_by_username: string | null;
  decision_note: string | null;
}
declare module '../../platform/db/types' {
  interface Database {
    person_link_requests: PersonLinkRequestTable;
  }
}
export type LinkRequestRow = Selectable<PersonLinkRequestTable>;

export const insertLinkRequest = (db: DbOrTx, row: Insertable<PersonLinkRequestTable>) =>
  db.insertInto('person_link_requests').values(row).returningAll().executeTakeFirstOrThrow();

export const findLinkRequest = (db: DbOrTx, id: string, lock = false) =>
  db
    .selectFrom('person_link_requests')
    .selectAll()
    .where('id', '=', id)
    .$if(lock, (q) => q.forUpdate())
    .executeTakeFirst();

export const pendingLinkRequestOf = (db: DbOrTx, claimantId: string) =>
  db.selectFrom('person_link_requests').selectAll().where('claimant_id', '=', claimantId).where('status', '=', 'pending').executeTakeFirst();

export const linkRequestsOfUser = (db: DbOrTx, userId: string) =>
  db.selectFrom('person_link_requests').selectAll().where('user_id', '=', userId).orderBy('created_at', 'desc').limit(50).execute();

export async function linkRequestsInScope(db: DbOrTx, f: { scope: string[] | null; status?: string; limit: number; offset: number }) {
  let q = db.selectFrom('person_link_requests');
  if (f.scope) q = q.where('commune_code', 'in', f.scope.length ? f.scope : ['\u0000']);
  if (f.status) q = q.where('status', '=', f.status);
  const [items, total] = await Promise.all([
    q.selectAll().orderBy('created_at', 'desc').limit(f.limit).offset(f.offset).execute(),
    q.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { items, total: Number(total.n) };
}

export const decideLinkRequest = (
  db: DbOrTx,
  id: string,
  d: { status: string; target_id?: string | null; decided_at: Date; decided_by: string | null; decided_by_username: string | null; decision_note: string | null },
) => db.updateTable('person_link_requests').set(d).where('id', '=', id).where('status', '=', 'pending').executeTakeFirst();

/** Live records that may be the same person as `p` (same national ID, same phone, or same name + birth year), within scope. */
export async function linkCandidates(db: DbOrTx, p: PersonRow, scope: string[] | null, limit = 10) {
  let q = db.selectFrom('persons').select(personColumns).where('merged_into', 'is', null).where('id', '<>', p.id);
  if (scope) q = q.where('commune_code', 'in', scope.length ? scope : ['\u0000']);
  q = q.where((eb) => {
    const c = [];
    if (p.national_id) c.push(eb('national_id', '=', p.national_id));
    if (p.phone) c.push(eb('phone', '=', p.phone));
    c.push(p.birth_year === null ? eb('name_key', '=', p.name_key) : eb.and([eb('name_key', '=', p.name_key), eb('birth_year', '=', p.birth_year)]));
    return eb.or(c);
  });
  return (await q.orderBy('created_at').limit(limit).execute()) as PersonRow[];
}

// ── device tokens (devices.ts) ─────────────────────────────────────────────

export interface PersonDeviceTable {
  id: Generated<string>;
  person_id: string;
  origin: string;
  created_at: Date;
  last_used_at: Date;
  revoked_at: Date | null;
}
declare module '../../platform/db/types' {
  interface Database {
    person_devices: PersonDeviceTable;
  }
}
