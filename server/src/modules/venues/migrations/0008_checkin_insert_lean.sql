-- The group-commit statement with fewer steps a row (issue 15 §5). Same signature, answers and guarantees as
-- migration 0007; measured (bench checkin-pg, paired against 0007 in alternating rounds, 63-row batches) ≈ 1.2 µs of
-- the backend's CPU less a warm row (≈ 5 %; 8 of 8 rounds lower), a cold row unchanged within the rounds' spread.
--
-- What changed: each input row draws its id (nextval) in the input step, and ALL rows of known people go to the
-- key claim in input order. ON CONFLICT DO NOTHING already skips a later row of the batch whose (client id, person)
-- an earlier row of the same INSERT claimed (the conflict check sees the command's own rows), so the DISTINCT ON
-- step (a sort and a second copy of the rows) and its joins are gone. Each row is answered from the check-in
-- written under its key in this batch (the check-ins' insert returns it; one hash join, so a batch of repeats costs
-- no more than others: bench checkin-pg BENCH_SHAPES=repeat): its id when that row names this row's venue. So a
-- repeat within the batch is still answered with the claimed id at the claiming row's venue (a retry that reached
-- the server twice) and with no id at another venue (the caller refuses it as a reused client id); a key stored
-- before gets no id; rows of merged people go to the live person; results come back in input order. The ids of rows
-- that claimed nothing are skipped (as conflicts' ids already were): ids stay unique and grow from write to write,
-- without gaps being filled.
--
-- Measured and left as they are (same bench, paired, load 1.5–3): a plain prepared statement instead of this plpgsql
-- function (no gain: 296 → 328 µs a statement, 18.7 → 18.3 µs a row, within the rounds' spread); the rows routed
-- straight to the day's partition (22.5 against 23.1 µs a row, rounds overlapping); the sequence cached per
-- session (21.7 against 21.9); checkin_keys' key as (person_id, client_id) (22.7 against 22.2); the persons probe as
-- one `= any(array)` scan and a hash join (23.2 against 22.1: worse). What each remaining piece costs a row is in
-- docs/benchmarks-log.md; every index is read by something.
create or replace function venues_insert_checkins(
  p_client uuid[], p_person uuid[], p_venue uuid[], p_entrance uuid[], p_at timestamptz[], p_auto timestamptz[],
  p_checkout timestamptz[], p_source text[], p_recorded_by bigint[]
) returns table (n int, id bigint, person_id uuid)
language plpgsql as $$
#variable_conflict use_column
begin
  return query
  -- materialized: each row's id is drawn once and read by every step below
  with input as materialized (
    select t.*, coalesce(p.merged_into, p.id) as live_id, nextval('checkin_id_seq') as new_id
    from unnest(p_client, p_person, p_venue, p_entrance, p_at, p_auto, p_checkout, p_source, p_recorded_by)
      with ordinality as t(client_id, person_id, venue_id, entrance_id, checkin_at, auto_checkout_at, checkout_at, source, recorded_by, n)
    -- a nested loop of index probes on a large persons (a small one may be hashed: the claim's order is explicit)
    left join lateral (select x.id, x.merged_into from persons x where x.id = t.person_id) p on true
  ),
  -- the first row of each (client id, person) in input order claims the key; a later one of the batch conflicts
  claimed as (
    insert into checkin_keys (client_id, person_id, id, checkin_at)
    select i.client_id, i.live_id, i.new_id, i.checkin_at from input i where i.live_id is not null order by i.n
    on conflict (client_id, person_id) do nothing
    returning checkin_keys.id
  ),
  ins as (
    insert into checkins (id, client_id, person_id, venue_id, entrance_id, checkin_at, auto_checkout_at, checkout_at, source, recorded_by)
    select i.new_id, i.client_id, i.live_id, i.venue_id, i.entrance_id, i.checkin_at, i.auto_checkout_at, i.checkout_at, i.source, i.recorded_by
    from input i where i.new_id in (select k.id from claimed k)
    returning checkins.id, checkins.client_id, checkins.person_id, checkins.venue_id
  )
  -- each row with the check-in written under its key in this batch: its id when that row names this row's venue
  select i.n::int, case when w.venue_id = i.venue_id then w.id end, i.live_id
  from input i
  left join ins w on w.client_id = i.client_id and w.person_id = i.live_id
  order by i.n;
end
$$;
