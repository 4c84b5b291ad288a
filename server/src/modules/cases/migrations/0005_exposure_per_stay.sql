-- One exposure per contact stay, not per source (product decision, issue #16): migration 0002 made every exposure
-- name its source, so an F2 who spent a morning at a market where 3,000 F1s passed got 3,000 exposure rows, and
-- that was the cost of tracing at full size. Now a venue exposure is one stay of the contact (venue, from, to, via)
-- per contact per case, with:
--   sources_count     how many sources (the F0 for an F1, F(n-1)s for an Fn) were present during that stay
--   source_person_id  the source of the longest overlap (ties: the first to overlap, then the lowest id)
--   overlap_minutes   that source's overlap
--   from_at, to_at    from the first to the last moment a source was present during the stay
-- The full list of sources present during the stay is computed on demand (cases/sources.ts, the contact detail's
-- "with N F1s — list"). Household, manual and imported exposures stay one per source (sources_count 1).

alter table contact_exposures add column sources_count integer not null default 1 check (sources_count >= 1);

-- conversion begin (sources.test.ts runs this block on rows written the 0002 way)
-- Existing venue rows (one per source): the rows of one stay of the contact become one. The stay is found again in
-- check-ins (declarations) of the contact at that venue that hold the exposure (the latest such); rows whose stay is
-- gone (purged check-ins) fall back to rows that overlap or touch.
create temporary table exposure_stays on commit drop as
select e.id, e.contact_id, e.via, e.venue_id, e.from_at, e.to_at, e.overlap_minutes, e.source_person_id,
       coalesce(
         case when e.via = 'checkin' then (
           select c.checkin_at from checkins c
           where c.person_id = k.person_id and c.venue_id = e.venue_id
             and c.checkin_at <= e.from_at and c.checkin_at > e.from_at - interval '12 hours'
             and coalesce(c.checkout_at, c.auto_checkout_at) >= e.to_at
           order by c.checkin_at desc limit 1)
         else (
           select d.submitted_at from declarations d join venues v on v.id = d.venue_id
           where d.subject_person_id = k.person_id and d.venue_id = e.venue_id
             and d.submitted_at <= e.from_at and d.submitted_at > e.from_at - interval '12 hours'
             and d.submitted_at + make_interval(mins => v.default_stay_minutes) >= e.to_at
           order by d.submitted_at desc limit 1)
         end) as stay_at
from contact_exposures e
join case_contacts k on k.id = e.contact_id
where e.kind = 'venue' and e.venue_id is not null and e.from_at is not null and e.to_at is not null;

-- rows without a stay found: group the ones that overlap or touch (the same contact, venue and way)
with g as (
  select id, sum(case when prev_to is not null and from_at <= prev_to then 0 else 1 end)
           over (partition by contact_id, via, venue_id order by from_at, to_at, id) as grp
  from (select *, max(to_at) over (partition by contact_id, via, venue_id order by from_at, to_at, id
                                   rows between unbounded preceding and 1 preceding) as prev_to
        from exposure_stays where stay_at is null) x
)
update exposure_stays s set stay_at = '1900-01-01T00:00:00Z'::timestamptz + make_interval(secs => g.grp) from g where s.id = g.id;

create temporary table exposure_merged on commit drop as
select contact_id, via, venue_id, stay_at, min(from_at) as f, max(to_at) as t,
       count(distinct source_person_id)::int as n,
       (array_agg(id order by overlap_minutes desc nulls last, from_at, source_person_id))[1] as keep
from exposure_stays
group by contact_id, via, venue_id, stay_at;

delete from contact_exposures e
using exposure_stays s
where e.id = s.id and not exists (select 1 from exposure_merged m where m.keep = e.id);

update contact_exposures e set from_at = m.f, to_at = m.t, sources_count = greatest(m.n, 1)
from exposure_merged m where e.id = m.keep;
-- conversion end

drop index contact_exposures_key;

-- one row per stay of the contact (re-tracing updates it); the other kinds keep one row per source
create unique index contact_exposures_stay_key on contact_exposures (contact_id, via, venue_id, from_at) where kind = 'venue';
create unique index contact_exposures_key on contact_exposures
  (contact_id, kind, via, coalesce(venue_id, '00000000-0000-0000-0000-000000000000'::uuid),
   coalesce(from_at, '-infinity'::timestamptz), coalesce(source_person_id, '00000000-0000-0000-0000-000000000000'::uuid))
  where kind <> 'venue';

-- the on-demand list of sources of an exposure reads the case's contacts of the level above by person
create index if not exists case_contacts_case_level_idx on case_contacts (case_id, level);

-- The engine's venue statement, for exposures per stay: each contact stay is returned once per venue (not once per
-- island of source presence it touches: an island reads only the stays that started after the previous island of
-- the venue ended, the ones before were read with it), unclipped, and the engine pairs it with the sources' spans of
-- the whole venue (cases/trace.ts, splitHits). Times come back as epoch milliseconds (float8): parsing a timestamptz
-- per row cost more in the engine than the statement for the F2 of a popular market.
-- Rows: kind 's' (a source's span: src = its position from 1, venue, f → t) or 'h' (a contact's stay: person,
-- venue, via, f → t). p_part of p_parts: only the venues of that share (by a hash of the venue), so the F2 of
-- thousands of F1s can run as several statements on several connections, each reading other venues.
-- (Drops 0004's function: its rows were per island, the engine no longer reads them.)
drop function if exists cases_venue_contacts(uuid[], timestamptz[], timestamptz[]);

create function cases_venue_contacts(p_ids uuid[], p_from timestamptz[], p_to timestamptz[], p_part int default 0, p_parts int default 1)
returns table (kind text, src int, person_id uuid, venue_id uuid, venue_code text, venue_name text, via text, f float8, t float8)
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
    select i.venue_id, h.person_id, h.via, h.f, h.t
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
               order by n.checkin_at limit 1), c.auto_checkout_at) as t
      from checkins c
      where c.venue_id = i.venue_id
        -- stays that started before the previous island ended were read with it
        and c.checkin_at >= i.lo and c.checkin_at < i.b
        and coalesce(c.checkout_at, c.auto_checkout_at) > i.a
      union all
      select d.subject_person_id, 'declaration'::text, d.submitted_at,
             d.submitted_at + make_interval(mins => v.default_stay_minutes)
      from declarations d
      join venues v on v.id = d.venue_id
      where d.venue_id = i.venue_id
        and d.submitted_at >= i.lo and d.submitted_at < i.b
    ) h
  )
  select 's'::text, sp.src, null::uuid, sp.venue_id, v.code, v.name, null::text, date_part('epoch', sp.a) * 1000, date_part('epoch', sp.b) * 1000
  from spans sp join venues v on v.id = sp.venue_id
  union all
  -- (empty stays, ended by a check-in elsewhere at the same instant, overlap nothing: the engine skips them; a filter
  -- here ran each stay's next-check-in probe twice)
  select 'h'::text, null::int, h.person_id, h.venue_id, null::text, null::text, h.via, date_part('epoch', h.f) * 1000, date_part('epoch', h.t) * 1000
  from hits h;
end
$$;
