-- First visits inside the group-commit batch (checkin-insert.ts insertCheckinsPrepared): a check-in whose person came
-- from the first-visit form no longer finds or creates its person in a statement and transaction of its own before
-- the batch (people_find_or_create_with_device, people migration 0005, once per request: a round trip, a commit and a
-- plpgsql call each); the batch's one statement does it for every such row, then inserts the check-ins as
-- venues_insert_checkins does. Same rule and locks, same answers:
--   * each new person goes through people_find_or_create_with_device itself, in arrival order, so the matching rule,
--     the ID-number rule and the device row are exactly the people module's; a later form of the same person in the
--     batch matches the record an earlier one created (a statement sees its own transaction's rows);
--   * the advisory locks of the batch's phones and ID numbers are taken first, all of them, in one order: every
--     phone, then every ID number, each kind sorted (a single find-or-create also takes its phone before its ID
--     number), so neither two batches nor a batch and a single call can deadlock (the function takes each lock
--     again: advisory locks are re-entrant);
--   * atomic with the check-ins: an acknowledged first visit has its person, device and check-in committed together
--     (synchronous_commit on), and a failed batch leaves no person behind.
-- Arguments: venues_insert_checkins' nine column arrays (p_person null for a form row) and, per row, the form's
-- normalised values and request time (np_name_key null: not a form row). Returns venues_insert_checkins' rows plus, for form rows,
-- whether the person was created and the new device row.
create function venues_insert_checkins_people(
  p_client uuid[], p_person uuid[], p_venue uuid[], p_entrance uuid[], p_at timestamptz[], p_auto timestamptz[],
  p_checkout timestamptz[], p_source text[], p_recorded_by bigint[],
  np_full_name text[], np_name_key text[], np_birth_date date[], np_birth_year smallint[], np_sex text[],
  np_national_id text[], np_phone text[], np_address text[], np_commune text[], np_now timestamptz[]
) returns table (n int, id bigint, person_id uuid, created boolean, device uuid)
language plpgsql as $$
#variable_conflict use_column
declare
  v_person uuid[] := p_person;
  v_created boolean[] := array_fill(null::boolean, array[cardinality(p_client)]);
  v_device uuid[] := array_fill(null::uuid, array[cardinality(p_client)]);
  r record;
begin
  -- phones before ID numbers (as every single find-or-create takes them), each kind in one order
  perform pg_advisory_xact_lock(k) from (
    select distinct kind, hashtextextended(x, 7411) as k
    from (select 1 as kind, 'phone:' || ph as x from unnest(np_phone) ph where ph is not null
          union all
          select 2, 'nid:' || nid from unnest(np_national_id) nid where nid is not null) s
    order by kind, k) keys;
  for i in 1 .. coalesce(cardinality(p_client), 0) loop
    if np_name_key[i] is not null then
      select * into r from people_find_or_create_with_device(
        np_full_name[i], np_name_key[i], np_birth_date[i], np_birth_year[i], np_sex[i], np_national_id[i],
        np_phone[i], np_address[i], np_commune[i], 'checkin', 'form', np_now[i]);
      v_person[i] := r.o_person;
      v_created[i] := r.o_created;
      v_device[i] := r.o_device;
    end if;
  end loop;
  return query
  select c.n, c.id, c.person_id, v_created[c.n], v_device[c.n]
  from venues_insert_checkins(p_client, v_person, p_venue, p_entrance, p_at, p_auto, p_checkout, p_source, p_recorded_by) c
  order by c.n;
end
$$;
