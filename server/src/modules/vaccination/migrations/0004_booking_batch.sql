-- The group-committed booking write (booking-batch.ts) as ONE call: the batch used six round trips (begin, lock the
-- slots, the seat statement, the audit insert, commit) and PostgreSQL planned the seat statement afresh for every
-- batch; at the benchmark's load batches hold ~30 requests, so that fixed cost per batch was a large part of the
-- database's CPU per booking. Called as a named prepared statement outside any transaction, the call is its own
-- transaction: atomic, and committed (synchronous_commit on) when it returns; plpgsql keeps both statements' plans for
-- the connection. Same rules and locks as before:
--   * the batch's slots are locked first, in id order (the one-at-a-time paths — rebook, cancel, dose 1 + 2 — lock in
--     the same order), and the seat statement runs after that with a snapshot of its own (READ COMMITTED), so it
--     counts the seats as they are now;
--   * free seats go in arrival order to registered people without a live booking of that dose (a person twice in the
--     batch: the first); the counter is raised by what was inserted; CHECK (booked <= capacity) and the partial
--     unique index vaccination_bookings_live_idx stay the guards;
--   * each booking's audit row (a_* arrays, one entry per request; details get "bookings": [id]) is written by the
--     same statement, so no booking is stored without its audit row.
-- Plans: plpgsql keeps a generic plan per connection, made when the tables may still be nearly empty (a campaign's
-- first minutes, the benchmark's first batches) and kept until the next ANALYZE; a plan chosen for a tiny table
-- (hash every live booking, or scan the table once per request) would then cost more with every booking. So every
-- look-up is written to be an index probe per request whatever the statistics say: the EXISTS subqueries carry
-- OFFSET 0 (which keeps PostgreSQL from turning them into a hash of the whole table) and sequential scans are off
-- inside the function (each table it reads has the index for its look-up).
-- Returns one row per request, in order: i (1-based), the booking id or null, and the outcome: ok | full |
-- unregistered | booked | unknown-slot.
-- (p_*: the requests' columns; a_*: their audit entries' audit_log columns, platform/audit auditColumns)
create function vaccination_book_seats(
  p_person uuid[], p_slot uuid[], p_campaign uuid[], p_dose int[], p_by bigint[], p_at timestamptz[],
  a_at timestamptz[], a_actor_id bigint[], a_actor_username text[], a_actor_scope_path text[], a_action text[], a_subject_type text[],
  a_subject_id text[], a_reason text[], a_ip text[], a_details text[], a_area_path text[]
) returns table (i int, id uuid, outcome text)
language plpgsql
set enable_seqscan = off
as $$
#variable_conflict use_column
begin
  perform 1 from vaccination_slots s where s.id = any(p_slot) order by s.id for update;
  return query
  with req as (
    select * from unnest(p_person, p_slot, p_campaign, p_dose, p_by, p_at)
             with ordinality as r(person_id, slot_id, campaign_id, dose_number, booked_by, created_at, i)
  ),
  facts as (
    select r.*,
           exists (select 1 from vaccination_registrations g where g.campaign_id = r.campaign_id and g.person_id = r.person_id offset 0) as registered,
           exists (select 1 from vaccination_bookings b where b.person_id = r.person_id and b.dose_number = r.dose_number and b.status = 'booked' offset 0)
             or row_number() over (partition by r.person_id, r.dose_number order by r.i) > 1 as booked
    from req r
  ),
  ranked as (
    select f.*, row_number() over (partition by f.slot_id order by f.i) as k from facts f where f.registered and not f.booked
  ),
  granted as (
    select ranked.* from ranked join vaccination_slots s on s.id = ranked.slot_id where ranked.k <= s.capacity - s.booked
  ),
  ins as (
    insert into vaccination_bookings (person_id, campaign_id, slot_id, dose_number, booked_by, created_at)
    select person_id, campaign_id, slot_id, dose_number, booked_by, created_at from granted order by i
    on conflict (person_id, dose_number) where status = 'booked' do nothing
    returning vaccination_bookings.id, vaccination_bookings.person_id, vaccination_bookings.dose_number, vaccination_bookings.slot_id
  ),
  done as (
    select g.i, ins.id from granted g join ins on ins.person_id = g.person_id and ins.dose_number = g.dose_number
  ),
  seat as (
    update vaccination_slots s set booked = s.booked + c.n
    from (select slot_id, count(*)::int as n from ins group by slot_id) c where s.id = c.slot_id
  ),
  audit as (
    insert into audit_log (at, actor_id, actor_username, actor_scope_path, action, subject_type, subject_id, reason, ip, details, area_path)
    select coalesce(a_at[d.i], now()), a_actor_id[d.i], a_actor_username[d.i], a_actor_scope_path[d.i], a_action[d.i], a_subject_type[d.i], a_subject_id[d.i],
           a_reason[d.i], a_ip[d.i], coalesce(a_details[d.i]::jsonb, '{}'::jsonb) || jsonb_build_object('bookings', jsonb_build_array(d.id)), a_area_path[d.i]
    from done d order by d.i
  )
  select f.i::int, d.id,
         case when not exists (select 1 from vaccination_slots s where s.id = f.slot_id offset 0) then 'unknown-slot'
              when d.id is not null then 'ok' when not f.registered then 'unregistered'
              when f.booked or g.i is not null then 'booked' else 'full' end
  from facts f
  left join granted g on g.i = f.i
  left join done d on d.i = f.i
  order by f.i;
end
$$;

-- No code reads live bookings by slot (the seats of a slot are its counter; the site day and the health book read
-- bookings by person, the live-booking index), and the slot foreign key's own checks cannot use a partial index, so
-- this index was one more write per booking that nothing read (≈10 % of the database's CPU per booking at the
-- benchmark's load).
drop index vaccination_bookings_slot_idx;
