-- The mass-exposure rule's crowd count, cheaper (issue #16, bulk tracing ≤ 10 s): 0009 counted, per source span,
-- the stays begun during the span, then those begun up to 12 h before and not ended, then the declarations, each a
-- range scan of the venue's index per span; the spans found not crowded were then read again by the island scans.
-- Now the statement counts only the stays begun during the span (decisive at a crowded venue, whose window is still
-- not read) and returns that count with each span read; the engine adds the rest from the stays it reads anyway
-- (cases/trace-crowds.ts), so the same spans are crowded as before. Each stay also carries e: its end by check-out,
-- else the venue's default stay (the count's measure; t may end earlier, at the person's next check-in).
drop function if exists cases_venue_contacts(uuid[], timestamptz[], timestamptz[], int, int, int);

create function cases_venue_contacts(p_ids uuid[], p_from timestamptz[], p_to timestamptz[], p_part int default 0, p_parts int default 1, p_crowd int default 0)
returns table (kind text, src int, person_id uuid, venue_id uuid, venue_code text, venue_name text, via text, f float8, t float8, n int, e float8)
-- one plan per connection: a custom plan per call (PL/pgSQL's default for the first calls and whenever the custom
-- plan looks cheaper, which partition pruning always makes it) cost 15 ms of planning for 0.5 ms of running an F1;
-- the generic plan prunes the day partitions at executor start from the same bounds
set plan_cache_mode = force_generic_plan
language plpgsql stable as $$
#variable_conflict use_column
declare
  v_lo timestamptz := (select min(x) from unnest(p_from) x) - interval '12 hours';
  v_hi timestamptz := (select max(x) from unnest(p_to) x);
  v_hi_next timestamptz := v_hi + interval '12 hours';
begin
  return query
    with src as (
    select * from unnest(p_ids, p_from, p_to) with ordinality as s(person_id, w_from, w_to, n)
  ),
  src_stays as materialized (
    select s.n::int as src, c.venue_id,
           greatest(c.checkin_at, s.w_from) as a,
           least(coalesce(least(c.checkout_at, nx.checkin_at), c.auto_checkout_at), s.w_to) as b
    from src s
    cross join lateral (
      -- a range scan per source (hundreds of F1s: a hash join read every check-in of the window instead)
      select * from checkins c
      where c.person_id = s.person_id
        and c.checkin_at >= s.w_from - interval '12 hours' and c.checkin_at < s.w_to
        and c.checkin_at >= v_lo and c.checkin_at < v_hi
      offset 0 -- kept a subquery: pulled up, the planner hashed every check-in of the window (62k rows for 444 F1s
               -- in the small bench, millions at full size) instead of a range scan per source
    ) c
    left join lateral (
      select n.checkin_at from checkins n
      where n.person_id = c.person_id and n.checkin_at > c.checkin_at and n.checkin_at < c.auto_checkout_at
        and n.checkin_at >= v_lo and n.checkin_at < v_hi_next
      order by n.checkin_at limit 1
    ) nx on true
    union all
    select s.n::int, d.venue_id,
           greatest(d.submitted_at, s.w_from),
           least(d.submitted_at + make_interval(mins => v.default_stay_minutes), s.w_to)
    from src s
    join declarations d on d.subject_person_id = s.person_id and d.venue_id is not null
      and d.submitted_at >= s.w_from - interval '12 hours' and d.submitted_at < s.w_to
    join venues v on v.id = d.venue_id
  ),
  stays as materialized (
    select * from src_stays where b > a and (p_parts = 1 or (hashtext(venue_id::text) & 2147483647) % p_parts = p_part)
  ),
  -- each source's own presence per venue: its overlapping or touching stays (a check-in and a declaration of the
  -- same visit) merged, so one contact stay meets one source once per visit
  all_spans as materialized (
    select src, venue_id, min(a) as a, max(b) as b
    from (
      select *, sum(case when a <= prev_b then 0 else 1 end) over (partition by venue_id, src order by a, b) as g
      from (select *, max(b) over (partition by venue_id, src order by a, b rows between unbounded preceding and 1 preceding) as prev_b from stays) x
    ) y
    group by src, venue_id, g
  ),
  -- the mass-exposure rule (p_crowd > 0): a source's span during which more than p_crowd other people's stays
  -- overlapped it (check-ins by their check-out, else the venue's default stay; venue declarations) is a crowded
  -- setting: nobody there is listed through it. Here only the stays that began during the span are counted (all of
  -- them overlap it; at a crowded venue that decides it: the span comes back as an 'm' row, n = p_crowd + 1, and its
  -- venue window is not read); the other spans come back as 's' rows with that count (n) and are read, and the engine
  -- adds the stays begun up to 12 h before and not ended, and the declarations, from the stays read (trace-crowds.ts):
  -- counting those here read the same index range a second time, per span (a third of the statement at full size).
  counted as materialized (
    select sp.*, case when p_crowd > 0 then k1.k::int else 0 end as n
    from all_spans sp
    join src s on s.n = sp.src
    cross join lateral (
      select count(*) as k from (
        select 1 from checkins c
        where p_crowd > 0 and c.venue_id = sp.venue_id and c.checkin_at >= sp.a and c.checkin_at < sp.b and c.person_id <> s.person_id
        limit p_crowd + 1) x
    ) k1
  ),
  spans as materialized (
    select src, venue_id, a, b, n from counted where p_crowd <= 0 or n <= p_crowd
  ),
  -- all sources' presence per venue merged into islands, so a venue that fifty F1s visited together is read once,
  -- not fifty times
  islands as materialized (
    -- lo: where the island's range scan starts (12 h before it, but not before the previous island's end)
    select venue_id, a, b, greatest(a - interval '12 hours', coalesce(lag(b) over (partition by venue_id order by a), '-infinity')) as lo
    from (
      select venue_id, min(a) as a, max(b) as b
      from (
        select *, sum(case when a < prev_b then 0 else 1 end) over (partition by venue_id order by a, b) as island
        from (select *, max(b) over (partition by venue_id order by a, b rows between unbounded preceding and 1 preceding) as prev_b from spans) x
      ) y
      group by venue_id, island
    ) z
  ),
  hits as (
    select i.venue_id, h.person_id, h.via, h.f, h.t, h.e
    from islands i
    cross join lateral (
      select c.person_id, 'checkin'::text as via, c.checkin_at as f,
             -- a stay without a check-out ends at the person's next check-in elsewhere (an explicit check-out stands);
             -- a subquery inside coalesce runs only for the stays without one (as a lateral join it was entered for
             -- every stay: 2 of the 5 s of a 205k-stay F2)
             coalesce(c.checkout_at, (
               select n.checkin_at from checkins n
               where n.person_id = c.person_id and n.checkin_at > c.checkin_at and n.checkin_at < c.auto_checkout_at
                 and n.checkin_at >= v_lo and n.checkin_at < v_hi_next
               order by n.checkin_at limit 1), c.auto_checkout_at) as t,
             coalesce(c.checkout_at, c.auto_checkout_at) as e
      from checkins c
      where c.venue_id = i.venue_id
        -- stays that started before the previous island ended were read with it
        and c.checkin_at >= i.lo and c.checkin_at < i.b
        and coalesce(c.checkout_at, c.auto_checkout_at) > i.a
      union all
      select d.subject_person_id, 'declaration'::text, d.submitted_at,
             d.submitted_at + make_interval(mins => v.default_stay_minutes),
             d.submitted_at + make_interval(mins => v.default_stay_minutes)
      from declarations d
      join venues v on v.id = d.venue_id
      where d.venue_id = i.venue_id
        and d.submitted_at >= i.lo and d.submitted_at < i.b
    ) h
  )
  select 's'::text, sp.src, null::uuid, sp.venue_id, v.code, v.name, null::text, date_part('epoch', sp.a) * 1000, date_part('epoch', sp.b) * 1000, sp.n, null::float8
  from spans sp join venues v on v.id = sp.venue_id
  union all
  select 'm'::text, m.src, null::uuid, m.venue_id, v.code, v.name, null::text, date_part('epoch', m.a) * 1000, date_part('epoch', m.b) * 1000, m.n, null::float8
  from counted m join venues v on v.id = m.venue_id
  where p_crowd > 0 and m.n > p_crowd
  union all
  -- (empty stays, ended by a check-in elsewhere at the same instant, overlap nothing: the engine skips them; a filter
  -- here ran each stay's next-check-in probe twice)
  select 'h'::text, null::int, h.person_id, h.venue_id, null::text, null::text, h.via, date_part('epoch', h.f) * 1000, date_part('epoch', h.t) * 1000, null::int,
         date_part('epoch', h.e) * 1000
  from hits h;
end
$$;
