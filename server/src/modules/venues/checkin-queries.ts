// SQL of the check-in write path (duplicates of a retried request, check-out, the open stay) and of retention and
// merges. The batch insert itself is in checkin-insert.ts.
import { purgeInChunks } from '../../platform/purge';
import { sql } from 'kysely';
import type { DbOrTx } from '../../platform/db/types';
import { MAX_STAY_MS } from './queries';

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
