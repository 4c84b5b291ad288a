-- Every exposure keeps the source it was to: a person who overlapped two F1s at a venue gets two exposures (one
-- per F1, with that F1's own overlap), not one naming the earliest F1 and a count. The scan still reads each
-- island of source presence once (islands = the sources' stays at a venue merged where they overlap); a second,
-- set-based step splits each hit across the sources' own spans inside the island.
drop function if exists cases_venue_contacts(uuid[], timestamptz[], timestamptz[], int);

create function cases_venue_contacts(p_ids uuid[], p_from timestamptz[], p_to timestamptz[], p_min int)
returns table (src uuid, person_id uuid, venue_id uuid, venue_code text, venue_name text, via text, f timestamptz, t timestamptz)
language plpgsql stable as $$
#variable_conflict use_column
declare
  v_lo timestamptz := (select min(x) from unnest(p_from) x) - interval '12 hours';
  v_hi timestamptz := (select max(x) from unnest(p_to) x);
  v_hi_next timestamptz := v_hi + interval '12 hours';
begin
  return query
    with src as (
    select * from unnest(p_ids, p_from, p_to) as s(person_id, w_from, w_to)
  ),
  src_stays as materialized (
    select s.person_id as src, c.venue_id,
           greatest(c.checkin_at, s.w_from) as a,
           least(coalesce(least(c.checkout_at, nx.checkin_at), c.auto_checkout_at), s.w_to) as b
    from src s
    join checkins c on c.person_id = s.person_id
      and c.checkin_at >= s.w_from - interval '12 hours' and c.checkin_at < s.w_to
      and c.checkin_at >= v_lo and c.checkin_at < v_hi
    left join lateral (
      select n.checkin_at from checkins n
      where n.person_id = c.person_id and n.checkin_at > c.checkin_at and n.checkin_at < c.auto_checkout_at
        and n.checkin_at >= v_lo and n.checkin_at < v_hi_next
      order by n.checkin_at limit 1
    ) nx on true
    union all
    select s.person_id, d.venue_id,
           greatest(d.submitted_at, s.w_from),
           least(d.submitted_at + make_interval(mins => v.default_stay_minutes), s.w_to)
    from src s
    join declarations d on d.subject_person_id = s.person_id and d.venue_id is not null
      and d.submitted_at >= s.w_from - interval '12 hours' and d.submitted_at < s.w_to
    join venues v on v.id = d.venue_id
  ),
  stays as materialized (select * from src_stays where b > a),
  -- each source's own presence per venue: its overlapping or touching stays (a check-in and a declaration of the
  -- same visit) merged, so one contact stay meets one source once per visit
  spans as materialized (
    select src, venue_id, min(a) as a, max(b) as b
    from (
      select *, sum(case when a <= prev_b then 0 else 1 end) over (partition by venue_id, src order by a, b) as g
      from (select *, max(b) over (partition by venue_id, src order by a, b rows between unbounded preceding and 1 preceding) as prev_b from stays) x
    ) y
    group by src, venue_id, g
  ),
  -- all sources' presence per venue merged into islands, so a venue that fifty F1s visited together is read once,
  -- not fifty times
  islands as materialized (
    select venue_id, min(a) as a, max(b) as b
    from (
      select *, sum(case when a < prev_b then 0 else 1 end) over (partition by venue_id order by a, b) as island
      from (select *, max(b) over (partition by venue_id order by a, b rows between unbounded preceding and 1 preceding) as prev_b from spans) x
    ) y
    group by venue_id, island
  ),
  hits as materialized (
    select i.venue_id, c.person_id, 'checkin'::text as via,
           greatest(i.a, c.checkin_at) as f,
           least(i.b, coalesce(least(c.checkout_at, nx.checkin_at), c.auto_checkout_at)) as t
    from islands i
    join checkins c on c.venue_id = i.venue_id
      and c.checkin_at >= i.a - interval '12 hours' and c.checkin_at < i.b
      and coalesce(c.checkout_at, c.auto_checkout_at) > i.a
      and c.person_id <> all(p_ids)
    left join lateral (
      -- a stay without a check-out ends at the person's next check-in elsewhere (an explicit check-out stands)
      select n.checkin_at from checkins n
      where c.checkout_at is null and n.person_id = c.person_id and n.checkin_at > c.checkin_at and n.checkin_at < c.auto_checkout_at
        and n.checkin_at >= v_lo and n.checkin_at < v_hi_next
      order by n.checkin_at limit 1
    ) nx on true
    union all
    select i.venue_id, d.subject_person_id, 'declaration'::text,
           greatest(i.a, d.submitted_at),
           least(i.b, d.submitted_at + make_interval(mins => v.default_stay_minutes))
    from islands i
    join venues v on v.id = i.venue_id
    join declarations d on d.venue_id = i.venue_id
      and d.submitted_at >= i.a - interval '12 hours' and d.submitted_at < i.b
      and d.subject_person_id <> all(p_ids)
  ),
  -- the second step: each hit against the sources present during it, one exposure per source
  exposures as (
    select sp.src, h.person_id, h.venue_id, h.via, greatest(h.f, sp.a) as f, least(h.t, sp.b) as t
    from hits h
    join spans sp on sp.venue_id = h.venue_id and sp.a < h.t and sp.b > h.f
    where h.t > h.f
  )
  select e.src, e.person_id, e.venue_id, v.code as venue_code, v.name as venue_name, e.via, e.f, e.t
  from exposures e join venues v on v.id = e.venue_id
  where e.t > e.f and e.t - e.f >= make_interval(mins => p_min);
end
$$;
