// SQL of check-in look-ups and statistics (stays overlapping a window, lists, exports, arrivals by venue/commune/hour).
import { sql, type SelectQueryBuilder } from 'kysely';
import type { DbOrTx } from '../../platform/db/types';
import { MAX_STAY_MS, NO_ID } from './queries';

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
  const q = db
    .selectFrom('checkin_stays as c')
    .innerJoin('venues as v', 'v.id', 'c.venue_id')
    .where('c.checkin_at', '>=', new Date(f.from.getTime() - MAX_STAY_MS))
    .where('c.checkin_at', '<', f.to)
    .where('c.ends_at', '>', f.from);
  return narrowed(q, f);
}

/**
 * The venue, person and commune filters of a query over check-ins `c` joined to venues `v` (stays or arrivals).
 * An empty list matches nothing (an id no row has), null/absent matches everything.
 */
function narrowed<Q extends SelectQueryBuilder<any, any, any>>(q: Q, f: Pick<CheckinFilter, 'venueIds' | 'personIds' | 'communeCodes'>): Q {
  let r = q as SelectQueryBuilder<any, any, any>;
  if (f.venueIds) r = r.where('c.venue_id', 'in', f.venueIds.length ? f.venueIds : [NO_ID]);
  if (f.personIds) r = r.where('c.person_id', 'in', f.personIds.length ? f.personIds : [NO_ID]);
  if (f.communeCodes) r = r.where('v.commune_code', 'in', f.communeCodes.length ? f.communeCodes : ['']);
  return r as Q;
}

/** The columns of a stay in lists and exports. */
const STAY_COLUMNS = ['c.id', 'c.person_id', 'v.code as venue_code', 'v.name as venue_name', 'v.commune_code', 'e.name as entrance_name', 'c.checkin_at', 'c.checkout_at', 'c.auto_checkout_at', 'c.source'] as const;

export async function listCheckins(db: DbOrTx, f: CheckinFilter) {
  const base = staysOverlapping(db, f);
  const [items, total] = await Promise.all([
    base
      .leftJoin('venue_entrances as e', 'e.id', 'c.entrance_id')
      .select([...STAY_COLUMNS, 'c.venue_id'])
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
    .select(STAY_COLUMNS);
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
  return narrowed(db.selectFrom('checkins as c').innerJoin('venues as v', 'v.id', 'c.venue_id').where('c.checkin_at', '>=', f.from).where('c.checkin_at', '<', f.to), f);
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
