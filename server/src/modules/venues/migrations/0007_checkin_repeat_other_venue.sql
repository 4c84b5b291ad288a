-- A client id that two rows of one write name for one person at two different venues (a phone's check-in sent
-- twice at once, once per venue, or a forged one) was stored once, at the first row's venue, and BOTH rows were
-- answered with that row's id: the second request was told "created" at a venue where nothing was written. Sent
-- one after the other, the second is refused (CLIENT_ID_REUSED, 409). Now a repeat within the write gets the claimed
-- id only when it names the same venue (a retry that reached the server twice: answered with that row, as before);
-- at another venue it gets no id, so the caller reads the stored row and refuses it as a reused client id.
-- Same signature and results otherwise (migration 0003).
create or replace function venues_insert_checkins(
  p_client uuid[], p_person uuid[], p_venue uuid[], p_entrance uuid[], p_at timestamptz[], p_auto timestamptz[],
  p_checkout timestamptz[], p_source text[], p_recorded_by bigint[]
) returns table (n int, id bigint, person_id uuid)
language plpgsql as $$
#variable_conflict use_column
begin
  return query
  with input as (
    select t.*, coalesce(p.merged_into, p.id) as live_id
    from unnest(p_client, p_person, p_venue, p_entrance, p_at, p_auto, p_checkout, p_source, p_recorded_by)
      with ordinality as t(client_id, person_id, venue_id, entrance_id, checkin_at, auto_checkout_at, checkout_at, source, recorded_by, n)
    -- an index probe per row whatever the statistics say: batches are small, persons is large
    left join lateral (select x.id, x.merged_into from persons x where x.id = t.person_id) p on true
  ),
  -- the first row of each (client id, person) in the batch; a repeat within the batch answers like a retry
  firsts as (
    select distinct on (i.client_id, i.live_id) i.* from input i where i.live_id is not null order by i.client_id, i.live_id, i.n
  ),
  claimed as (
    insert into checkin_keys (client_id, person_id, id, checkin_at)
    select f.client_id, f.live_id, nextval('checkin_id_seq'), f.checkin_at from firsts f
    on conflict (client_id, person_id) do nothing
    returning checkin_keys.client_id, checkin_keys.person_id, checkin_keys.id
  ),
  ins as (
    insert into checkins (id, client_id, person_id, venue_id, entrance_id, checkin_at, auto_checkout_at, checkout_at, source, recorded_by)
    select k.id, f.client_id, f.live_id, f.venue_id, f.entrance_id, f.checkin_at, f.auto_checkout_at, f.checkout_at, f.source, f.recorded_by
    from claimed k join firsts f on f.client_id = k.client_id and f.live_id = k.person_id
    returning 1
  )
  select i.n::int, case when f.venue_id = i.venue_id then k.id end, i.live_id
  from input i
  left join claimed k on k.client_id = i.client_id and k.person_id = i.live_id
  left join firsts f on f.client_id = i.client_id and f.live_id = i.live_id
  order by i.n;
end
$$;
