// SQL for venues and check-ins. The only place that knows the table shapes.
import { purgeInChunks } from '../../platform/purge';
import { sql, type Generated, type Selectable } from 'kysely';
import type { DbOrTx } from '../../platform/db/types';

export interface VenueTable {
  id: Generated<string>;
  code: string;
  name: string;
  type: string;
  commune_code: string;
  address: Generated<string>;
  contact_name: string | null;
  contact_phone: string | null;
  default_stay_minutes: Generated<number>;
  valid_from: Date | null;
  valid_until: Date | null;
  status: Generated<string>;
  status_reason: string | null;
  status_changed_at: Date | null;
  status_changed_by: string | null;
  created_by: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  /** 6 characters, the middle of the entrances' short codes: a generated code's random part, else random (migration 0003) */
  short_code: Generated<string>;
}

export interface EntranceTable {
  id: Generated<string>;
  venue_id: string;
  name: string;
  kind: Generated<string>;
  active: Generated<boolean>;
  created_at: Generated<Date>;
  /** 1, 2, … per venue in the order added: the end of the short code */
  number: Generated<number>;
}

export interface VenueOperatorTable {
  user_id: string;
  venue_id: string;
  created_at: Generated<Date>;
}

export interface CheckinTable {
  id: Generated<string>;
  client_id: string;
  person_id: string;
  venue_id: string;
  entrance_id: string | null;
  checkin_at: Date;
  checkout_at: Date | null;
  auto_checkout_at: Date;
  checkout_client_id: string | null;
  source: string;
  recorded_by: string | null;
  created_at: Generated<Date>;
}

declare module '../../platform/db/types' {
  interface Database {
    venues: VenueTable;
    venue_entrances: EntranceTable;
    venue_operators: VenueOperatorTable;
    checkins: CheckinTable;
    /** View (migration 0002): check-ins with the derived end of each stay. Read only. */
    checkin_stays: CheckinStayView;
  }
}

/**
 * A check-in as a stay. checkout_at here is the explicit check-out or, if earlier, the person's next check-in
 * (checking in elsewhere ends the stay); ends_at = that, else the automatic check-out.
 */
export interface CheckinStayView extends Omit<CheckinTable, 'id' | 'created_at'> {
  id: string;
  created_at: Date;
  ends_at: Date;
}

export type VenueRow = Selectable<VenueTable>;
export type EntranceRow = Selectable<EntranceTable>;
export type CheckinRow = Selectable<CheckinTable>;

/** Longest stay a check-in may represent (ARCHITECTURE: stays are capped so tracing scans a bounded range). */
export const MAX_STAY_MS = 12 * 3600_000;

/** An id no row has: `in (...)` of an empty list. */
const NO_ID = '00000000-0000-0000-0000-000000000000';

// ── venues ─────────────────────────────────────────────────────────────────

export const findVenue = (db: DbOrTx, id: string) => db.selectFrom('venues').selectAll().where('id', '=', id).executeTakeFirst();

export const findVenueByCode = (db: DbOrTx, code: string) =>
  db.selectFrom('venues').selectAll().where(sql`lower(code)`, '=', code.toLowerCase()).executeTakeFirst();

export const venueIdsByCodes = async (db: DbOrTx, codes: string[]) => {
  if (!codes.length) return new Map<string, { id: string; default_stay_minutes: number; commune_code: string }>();
  const rows = await db
    .selectFrom('venues')
    .select(['id', 'code', 'default_stay_minutes', 'commune_code'])
    .where(sql`lower(code)`, 'in', codes.map((c) => c.toLowerCase()))
    .execute();
  return new Map(rows.map((r) => [r.code.toLowerCase(), { id: r.id, default_stay_minutes: r.default_stay_minutes, commune_code: r.commune_code }]));
};

export const existingVenueCodes = async (db: DbOrTx, codes: string[]) => {
  if (!codes.length) return new Set<string>();
  const rows = await db.selectFrom('venues').select('code').where(sql`lower(code)`, 'in', codes.map((c) => c.toLowerCase())).execute();
  return new Set(rows.map((r) => r.code.toLowerCase()));
};

export interface VenueListFilter {
  /** null = whole country */
  communeCodes: string[] | null;
  /** Only venues this user operates. */
  operatorUserId?: string;
  q?: string;
  status?: string;
  type?: string;
  communeCode?: string;
  limit: number;
  offset: number;
}

export async function listVenues(db: DbOrTx, f: VenueListFilter) {
  let q = db.selectFrom('venues as v').innerJoin('admin_units as u', 'u.code', 'v.commune_code');
  if (f.communeCodes) q = q.where('v.commune_code', 'in', f.communeCodes.length ? f.communeCodes : ['']);
  if (f.operatorUserId) {
    const uid = f.operatorUserId;
    q = q.where((eb) => eb.exists(eb.selectFrom('venue_operators as o').whereRef('o.venue_id', '=', 'v.id').where('o.user_id', '=', uid).select(sql`1`.as('x'))));
  }
  if (f.status) q = q.where('v.status', '=', f.status);
  if (f.type) q = q.where('v.type', '=', f.type);
  if (f.communeCode) q = q.where('v.commune_code', '=', f.communeCode);
  if (f.q) {
    const like = `%${f.q.replace(/[%_\\]/g, '\\$&')}%`;
    q = q.where((eb) =>
      eb.or([
        eb('v.name', 'ilike', like),
        eb(sql`unaccent_vi(v.name)`, 'ilike', sql`unaccent_vi(${like})`),
        eb('v.code', 'ilike', like),
        eb('v.address', 'ilike', like),
      ]),
    );
  }
  const [items, total] = await Promise.all([
    q
      .selectAll('v')
      .select(['u.name as commune_name'])
      .select((eb) => eb.selectFrom('venue_entrances as e').whereRef('e.venue_id', '=', 'v.id').select(eb.fn.countAll<string>().as('n')).as('entrance_count'))
      .orderBy('v.created_at', 'desc')
      .orderBy('v.id')
      .limit(f.limit)
      .offset(f.offset)
      .execute(),
    q.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { items, total: Number(total.n) };
}

/**
 * Communes under `areaPath` for a venue form's picker, most relevant first. Typed text: the code itself, then names
 * starting with it, then a word of the name starting with it, then names (or "commune district") containing it;
 * accents and case ignored. Nothing typed: communes where `userId` already runs venues (or, for officers, where
 * most venues are), then alphabetically.
 */
export async function areaCommunes(db: DbOrTx, f: { areaPath: string; q: string; userId: string; limit: number }) {
  const esc = (s: string) => s.replace(/[%_\\]/g, '\\$&');
  let base = db
    .selectFrom('admin_units as c')
    .innerJoin('admin_units as d', 'd.code', 'c.parent_code')
    .leftJoin('admin_units as p', 'p.code', 'd.parent_code')
    .where('c.level', '=', 'commune')
    .where('c.path', 'like', `${esc(f.areaPath)}%`);
  const q = f.q.trim();
  if (q)
    base = base.where((eb) =>
      eb.or([eb('c.code', '=', q), eb(sql`unaccent_vi(c.name || ' ' || d.name)`, 'ilike', sql`'%' || unaccent_vi(${esc(q)}) || '%'`)]),
    );
  const rank = q
    ? sql<number>`case
        when c.code = ${q} then 0
        when unaccent_vi(c.name) ilike unaccent_vi(${esc(q)}) || '%' then 1
        when unaccent_vi(c.name) ilike '% ' || unaccent_vi(${esc(q)}) || '%' then 2
        else 3 end`
    : sql<number>`-(select count(*) from venues v where v.commune_code = c.code
        and (not exists (select 1 from venue_operators o where o.user_id = ${f.userId})
             or exists (select 1 from venue_operators o where o.user_id = ${f.userId} and o.venue_id = v.id)))`;
  const [items, total] = await Promise.all([
    base
      .select(['c.code', 'c.name', 'd.name as district', 'p.name as province'])
      .orderBy(rank)
      .orderBy(sql`unaccent_vi(c.name)`)
      .orderBy('c.code')
      .limit(f.limit)
      .execute(),
    base.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { items: items.map((r) => ({ code: r.code, name: r.name, district: r.district, province: r.province ?? '' })), total: Number(total.n) };
}

export const entrancesOf = (db: DbOrTx, venueId: string) =>
  db.selectFrom('venue_entrances').selectAll().where('venue_id', '=', venueId).orderBy('number').execute();

/** The entrance a typed short code names (venue part and number; the caller checks the province part). */
export const entranceByShortCode = (db: DbOrTx, venueShort: string, n: number) =>
  db
    .selectFrom('venue_entrances as e')
    .innerJoin('venues as v', 'v.id', 'e.venue_id')
    .innerJoin('admin_units as u', 'u.code', 'v.commune_code')
    .select(['e.id', 'e.venue_id', 'e.active', 'v.valid_until', 'u.path as commune_path'])
    .where('v.short_code', '=', venueShort)
    .where('e.number', '=', n)
    .executeTakeFirst();

export const findEntrance = (db: DbOrTx, venueId: string, entranceId: string) =>
  db.selectFrom('venue_entrances').selectAll().where('venue_id', '=', venueId).where('id', '=', entranceId).executeTakeFirst();

export const isOperator = async (db: DbOrTx, userId: string, venueId: string) =>
  !!(await db.selectFrom('venue_operators').select('user_id').where('user_id', '=', userId).where('venue_id', '=', venueId).executeTakeFirst());

export const operatorsOf = (db: DbOrTx, venueId: string) =>
  db
    .selectFrom('venue_operators as o')
    .innerJoin('users as u', 'u.id', 'o.user_id')
    .select(['u.id', 'u.username', 'u.display_name'])
    .where('o.venue_id', '=', venueId)
    .orderBy('u.username')
    .execute();

/** Everything the check-in hot path needs about an entrance, in one round trip. */
const entranceCheckinQuery = (db: DbOrTx) =>
  db
    .selectFrom('venue_entrances as e')
    .innerJoin('venues as v', 'v.id', 'e.venue_id')
    .innerJoin('admin_units as u', 'u.code', 'v.commune_code')
    .select([
      'e.id as entrance_id',
      'e.name as entrance_name',
      'e.kind as entrance_kind',
      'e.active as entrance_active',
      'v.id as venue_id',
      'v.code',
      'v.name',
      'v.type',
      'v.address',
      'v.commune_code',
      'u.name as commune_name',
      'u.path as commune_path',
      'v.status',
      'v.status_changed_at',
      'v.default_stay_minutes',
      'v.valid_from',
      'v.valid_until',
    ]);

export const entranceForCheckin = (db: DbOrTx, entranceId: string) => entranceCheckinQuery(db).where('e.id', '=', entranceId).executeTakeFirst();

/** The check-in view of several entrances at once (refreshing the engine's cache in one statement). */
export const entrancesForCheckin = (db: DbOrTx, entranceIds: string[]) =>
  entranceCheckinQuery(db).where('e.id', '=', sql<string>`any(${entranceIds}::uuid[])`).execute();

// ── check-ins (the batch insert itself is in checkin-insert.ts) ───────────

/**
 * Rows of these (client id, person) pairs that already exist: the duplicates of a retried request. The key table
 * (migration 0003) gives each row's id and day, so the rows themselves are read from their own partitions only.
 */
export async function existingByClient(db: DbOrTx, pairs: { clientId: string; personId: string }[]) {
  if (!pairs.length) return [];
  const r = await sql<{ id: string; client_id: string; person_id: string; venue_id: string; entrance_id: string | null; checkin_at: Date }>`
    select c.id::text, c.client_id::text, c.person_id::text, c.venue_id::text, c.entrance_id::text, c.checkin_at
    from unnest(${pairs.map((p) => p.clientId)}::uuid[], ${pairs.map((p) => p.personId)}::uuid[]) as k(client_id, person_id)
    join checkin_keys ck on ck.client_id = k.client_id and ck.person_id = k.person_id
    join lateral (select * from checkins c where c.id = ck.id and c.checkin_at = ck.checkin_at) c on true`.execute(db);
  return r.rows;
}

/**
 * Checks a person out of their latest stay open at `at` (optionally only at one venue). Returns the row checked
 * out, the row an earlier identical request (same checkout client id) already checked out, or undefined.
 */
export async function checkoutPerson(
  db: DbOrTx,
  p: { personId: string; venueId: string | null; at: Date; checkoutClientId: string; checkinClientId?: string },
): Promise<{ id: string; venue_id: string; checkin_at: Date; checkout_at: Date; duplicate: boolean } | undefined> {
  const prior = await db
    .selectFrom('checkins')
    .select(['id', 'venue_id', 'checkin_at', 'checkout_at'])
    .where('checkout_client_id', '=', p.checkoutClientId)
    .where('person_id', '=', p.personId)
    .executeTakeFirst();
  if (prior) return { ...prior, checkout_at: prior.checkout_at ?? p.at, duplicate: true };
  // Only the person's latest check-in can be open (a later check-in ends the earlier stays): lock it, then close
  // it if it is still open (and at the venue asked for).
  const r = await sql<{ id: string; venue_id: string; checkin_at: Date; checkout_at: Date }>`
    update checkins set checkout_at = ${p.at}, checkout_client_id = ${p.checkoutClientId}
    where id = (
      select id from checkins
      where person_id = ${p.personId} and checkin_at <= ${p.at} and checkin_at > ${new Date(p.at.getTime() - MAX_STAY_MS)}
      order by checkin_at desc, id desc limit 1
      for update
    )
      and checkout_at is null and auto_checkout_at > ${p.at}
      ${p.venueId ? sql`and venue_id = ${p.venueId}` : sql``}
      ${p.checkinClientId ? sql`and client_id = ${p.checkinClientId}` : sql``}
    returning id::text, venue_id::text, checkin_at, checkout_at`.execute(db);
  const row = r.rows[0];
  return row ? { ...row, duplicate: false } : undefined;
}

/** The person's stay open at `now`, if any (for the citizen page): their latest check-in, if not ended. */
export async function openCheckinOf(db: DbOrTx, personId: string, now: Date) {
  const latest = await db
    .selectFrom('checkins as c')
    .innerJoin('venues as v', 'v.id', 'c.venue_id')
    .leftJoin('venue_entrances as e', 'e.id', 'c.entrance_id')
    .select(['c.id', 'c.client_id', 'c.venue_id', 'v.name as venue_name', 'e.name as entrance_name', 'c.checkin_at', 'c.checkout_at', 'c.auto_checkout_at'])
    .where('c.person_id', '=', personId)
    .where('c.checkin_at', '<=', now)
    .where('c.checkin_at', '>', new Date(now.getTime() - MAX_STAY_MS))
    .orderBy('c.checkin_at', 'desc')
    .orderBy('c.id', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!latest || latest.checkout_at !== null || latest.auto_checkout_at <= now) return undefined;
  return latest;
}

// ── look-ups and statistics ────────────────────────────────────────────────

export interface CheckinFilter {
  communeCodes: string[] | null;
  venueIds?: string[];
  /** only these persons (live record ids) */
  personIds?: string[];
  /** Stays overlapping [from, to). */
  from: Date;
  to: Date;
  limit: number;
  offset: number;
}

/**
 * Stays overlapping [from, to): effective check-out > from and checkin_at < to. Because a stay lasts at most 12 h,
 * checkin_at > from - 12 h bounds the scan on (venue_id, checkin_at) from both sides.
 */
export function staysOverlapping(db: DbOrTx, f: Omit<CheckinFilter, 'limit' | 'offset'>) {
  let q = db
    .selectFrom('checkin_stays as c')
    .innerJoin('venues as v', 'v.id', 'c.venue_id')
    .where('c.checkin_at', '>=', new Date(f.from.getTime() - MAX_STAY_MS))
    .where('c.checkin_at', '<', f.to)
    .where('c.ends_at', '>', f.from);
  if (f.venueIds) q = q.where('c.venue_id', 'in', f.venueIds.length ? f.venueIds : [NO_ID]);
  if (f.personIds) q = q.where('c.person_id', 'in', f.personIds.length ? f.personIds : [NO_ID]);
  if (f.communeCodes) q = q.where('v.commune_code', 'in', f.communeCodes.length ? f.communeCodes : ['']);
  return q;
}

export async function listCheckins(db: DbOrTx, f: CheckinFilter) {
  const base = staysOverlapping(db, f);
  const [items, total] = await Promise.all([
    base
      .leftJoin('venue_entrances as e', 'e.id', 'c.entrance_id')
      .select([
        'c.id',
        'c.person_id',
        'c.venue_id',
        'v.code as venue_code',
        'v.name as venue_name',
        'v.commune_code',
        'e.name as entrance_name',
        'c.checkin_at',
        'c.checkout_at',
        'c.auto_checkout_at',
        'c.source',
      ])
      .orderBy('c.checkin_at', 'desc')
      .orderBy('c.id', 'desc')
      .limit(f.limit)
      .offset(f.offset)
      .execute(),
    base.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { items, total: Number(total.n) };
}

/** Streaming-friendly page of rows for exports (keyset on id within the filter). */
export const exportCheckinsPage = (db: DbOrTx, f: Omit<CheckinFilter, 'limit' | 'offset'>, afterId: string | null, limit: number) => {
  let q = staysOverlapping(db, f)
    .leftJoin('venue_entrances as e', 'e.id', 'c.entrance_id')
    .select([
      'c.id',
      'c.person_id',
      'v.code as venue_code',
      'v.name as venue_name',
      'v.commune_code',
      'e.name as entrance_name',
      'c.checkin_at',
      'c.checkout_at',
      'c.auto_checkout_at',
      'c.source',
    ]);
  if (afterId) q = q.where('c.id', '>', afterId);
  return q.orderBy('c.id').limit(limit).execute();
};

export type StatsGroup = 'venue' | 'commune' | 'hour';

export interface ArrivalFilter {
  communeCodes: string[] | null;
  venueIds?: string[];
  personIds?: string[];
  from: Date;
  to: Date;
}

/** Check-ins (arrivals) in [from, to) within the scope and person filter. */
function arrivals(db: DbOrTx, f: ArrivalFilter) {
  let q = db
    .selectFrom('checkins as c')
    .innerJoin('venues as v', 'v.id', 'c.venue_id')
    .where('c.checkin_at', '>=', f.from)
    .where('c.checkin_at', '<', f.to);
  if (f.venueIds) q = q.where('c.venue_id', 'in', f.venueIds.length ? f.venueIds : [NO_ID]);
  if (f.personIds) q = q.where('c.person_id', 'in', f.personIds.length ? f.personIds : [NO_ID]);
  if (f.communeCodes) q = q.where('v.commune_code', 'in', f.communeCodes.length ? f.communeCodes : ['']);
  return q;
}

/** Arrivals and distinct people in [from, to) (the totals line of the look-up page). */
export async function checkinTotals(db: DbOrTx, f: ArrivalFilter) {
  const r = await arrivals(db, f).select([sql<string>`count(*)`.as('n'), sql<string>`count(distinct c.person_id)`.as('p')]).executeTakeFirstOrThrow();
  return { checkins: Number(r.n), people: Number(r.p) };
}

/** Check-ins (arrivals) in [from, to) grouped by venue, commune or hour (in the deployment time zone). */
export async function checkinStats(db: DbOrTx, f: ArrivalFilter & { groupBy: StatsGroup; timeZone: string; limit: number }) {
  const q = arrivals(db, f);
  const count = sql<string>`count(*)`;
  const people = sql<string>`count(distinct c.person_id)`;
  if (f.groupBy === 'venue') {
    const rows = await q
      .select(['v.id as key', 'v.name as label', 'v.code as code', 'v.commune_code'])
      .select([count.as('checkins'), people.as('people')])
      .groupBy(['v.id', 'v.name', 'v.code', 'v.commune_code'])
      .orderBy(sql`count(*)`, 'desc')
      .orderBy('v.name')
      .limit(f.limit)
      .execute();
    return rows.map((r) => ({ key: r.key, label: r.label, code: r.code, checkins: Number(r.checkins), people: Number(r.people) }));
  }
  if (f.groupBy === 'commune') {
    const rows = await q
      .innerJoin('admin_units as u', 'u.code', 'v.commune_code')
      .select(['u.code as key', 'u.name as label'])
      .select([count.as('checkins'), people.as('people')])
      .groupBy(['u.code', 'u.name'])
      .orderBy(sql`count(*)`, 'desc')
      .orderBy('u.code')
      .limit(f.limit)
      .execute();
    return rows.map((r) => ({ key: r.key, label: r.label, code: r.key, checkins: Number(r.checkins), people: Number(r.people) }));
  }
  const hour = sql<string>`to_char(date_trunc('hour', c.checkin_at at time zone ${f.timeZone}), 'YYYY-MM-DD"T"HH24:00')`;
  const rows = await q
    .select([hour.as('key'), count.as('checkins'), people.as('people')])
    .groupBy(sql`1`)
    .orderBy(sql`1`)
    .limit(f.limit)
    .execute();
  return rows.map((r) => ({ key: r.key, label: r.key, code: null, checkins: Number(r.checkins), people: Number(r.people) }));
}

// ── retention and merges ───────────────────────────────────────────────────

/**
 * Retention of check-ins: drops every day partition that ended at or before `before` (each a whole UTC day, so a
 * check-in is kept at least the retention period and less than one day more), then deletes the keys of those days
 * from checkin_keys in chunks. Returns the check-ins dropped and the partitions dropped.
 */
export async function purgeCheckins(db: DbOrTx, before: Date, chunk = 20_000): Promise<{ deleted: number; partitions: string[] }> {
  const old = await sql<{ name: string; day: string }>`
    select name, to_char(day, 'YYYY-MM-DD') as day from checkin_partitions
    where (day + 1)::timestamp at time zone 'UTC' <= ${before}::timestamptz order by day`.execute(db);
  let deleted = 0;
  for (const p of old.rows) {
    // counted for the job's report (an index-only count of a day is cheap next to deleting it row by row)
    const n = await sql<{ n: string }>`select count(*) as n from ${sql.table(p.name)}`.execute(db);
    deleted += Number(n.rows[0]!.n);
    await sql`drop table ${sql.table(p.name)}`.execute(db);
  }
  // keys of check-ins no partition holds any more: everything before the oldest remaining day
  const oldest = await sql<{ start: Date | null }>`select min(day)::timestamp at time zone 'UTC' as start from checkin_partitions`.execute(db);
  const keysBefore = oldest.rows[0]?.start ?? before;
  await purgeInChunks(db, 'checkin_keys', sql`checkin_at < ${keysBefore}`, { chunk, key: ['client_id', 'person_id'] });
  return { deleted, partitions: old.rows.map((r) => r.name) };
}

/** The persons among `ids` that have check-ins (kept by the registry's purge). */
export async function personsWithCheckins(db: DbOrTx, ids: string[]): Promise<string[]> {
  if (!ids.length) return [];
  const r = await sql<{ id: string }>`
    select k.id::text as id from unnest(${ids}::uuid[]) as k(id)
    where exists (select 1 from checkins c where c.person_id = k.id)`.execute(db);
  return r.rows.map((x) => x.id);
}

/** Moves every check-in of `fromPersonId` to `toPersonId` (people merged), with their idempotency keys. */
export async function repointCheckins(db: DbOrTx, fromPersonId: string, toPersonId: string): Promise<number> {
  // A pair (client_id, person) may already exist for the surviving person (same device checked in both records):
  // those rows are true duplicates and are dropped rather than violating the key.
  await sql`
    with mine as (select client_id from checkins where person_id = ${fromPersonId}),
    dup as (
      delete from checkin_keys a using mine m
      where a.client_id = m.client_id and a.person_id = ${fromPersonId}
        and exists (select 1 from checkin_keys b where b.client_id = m.client_id and b.person_id = ${toPersonId})
      returning a.id, a.checkin_at
    )
    delete from checkins c using dup where c.id = dup.id and c.checkin_at = dup.checkin_at`.execute(db);
  const r = await sql`
    with moved as (
      update checkins set person_id = ${toPersonId} where person_id = ${fromPersonId} returning client_id
    )
    update checkin_keys k set person_id = ${toPersonId} from moved where k.client_id = moved.client_id and k.person_id = ${fromPersonId}`.execute(db);
  return Number(r.numAffectedRows ?? 0);
}
