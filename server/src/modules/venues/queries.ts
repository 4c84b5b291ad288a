// SQL for venues and entrances, and the table shapes of venues and check-ins (the only place that knows them).
// Check-in SQL: checkin-queries.ts (write path, retention, merges), checkin-reads.ts (look-ups, statistics).
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
export const NO_ID = '00000000-0000-0000-0000-000000000000';

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

/** Deletes the venue change feed's rows older than a day (every server process reads it every second). */
export async function purgeVenueChanges(db: DbOrTx): Promise<number> {
  const r = await sql`delete from venue_changes where changed_at < statement_timestamp() - interval '1 day'`.execute(db);
  return Number(r.numAffectedRows ?? 0);
}
