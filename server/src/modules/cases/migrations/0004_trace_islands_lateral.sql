-- Tracing at popular venues (bench trace: F2 of a case with 444 F1s took 1.4 s, 60 % of it in two places):
-- 1. the sources' own stays and the contacts' stays were found by one hash join of every check-in of the window against the islands (the
--    planner's choice for hundreds of islands: 197k rows read for 7.5k hits); a LATERAL range scan per island on
--    (venue_id, checkin_at) now reads only the island's own range;
-- 2. the split of each hit across the sources present during it was a join on venue_id filtered by overlap, so a
--    venue where many F1s spent the day compared every hit with every F1's visit there (quadratic per venue). The
--    function now returns the sources' spans and the hits (each with its island) and the engine splits them in one
--    sorted sweep per island (cases/trace.ts, splitHits), applying the minimum overlap per source there.
-- 3. sources are numbered (their position in the arrays, `src`), not named by person: the same person may be a source
--    of several cases at once with different windows (a bulk run traces many cases per statement), and a contact's
--    own presence is told apart from the sources' in the engine, so no person is left out here.
-- Rows: kind 's' (a source's span: src, venue, a→f, b→t) or 'h' (a contact's stay clipped to the island: person,
-- venue, via, f, t); `island` numbers the islands of a venue, so spans and hits meet only inside their island.
drop function if exists cases_venue_contacts(uuid[], timestamptz[], timestamptz[], int);
drop function if exists cases_venue_contacts(uuid[], timestamptz[], timestamptz[]);

create function cases_venue_contacts(p_ids uuid[], p_from timestamptz[], p_to timestamptz[])
returns table (kind text, src int, person_id uuid, venue_id uuid, venue_code text, venue_name text, via text, island bigint, f timestamptz, t timestamptz)
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
  -- not fifty times; each span keeps its island's number
  spans_i as materialized (
    select src, venue_id, a, b, sum(case when a < prev_b then 0 else 1 end) over (partition by venue_id order by a, b) as island
    from (select *, max(b) over (partition by venue_id order by a, b rows between unbounded preceding and 1 preceding) as prev_b from spans) x
  ),
  islands as materialized (
    select venue_id, island, min(a) as a, max(b) as b from spans_i group by venue_id, island
  ),
  hits as (
    select i.venue_id, i.island, h.person_id, h.via, h.f, h.t
    from islands i
    cross join lateral (
      select c.person_id, 'checkin'::text as via,
             greatest(i.a, c.checkin_at) as f,
             least(i.b, coalesce(least(c.checkout_at, nx.checkin_at), c.auto_checkout_at)) as t
      from checkins c
      left join lateral (
        -- a stay without a check-out ends at the person's next check-in elsewhere (an explicit check-out stands)
        select n.checkin_at from checkins n
        where c.checkout_at is null and n.person_id = c.person_id and n.checkin_at > c.checkin_at and n.checkin_at < c.auto_checkout_at
          and n.checkin_at >= v_lo and n.checkin_at < v_hi_next
        order by n.checkin_at limit 1
      ) nx on true
      where c.venue_id = i.venue_id
        and c.checkin_at >= i.a - interval '12 hours' and c.checkin_at < i.b
        and coalesce(c.checkout_at, c.auto_checkout_at) > i.a
      union all
      select d.subject_person_id, 'declaration'::text,
             greatest(i.a, d.submitted_at),
             least(i.b, d.submitted_at + make_interval(mins => v.default_stay_minutes))
      from declarations d
      join venues v on v.id = d.venue_id
      where d.venue_id = i.venue_id
        and d.submitted_at >= i.a - interval '12 hours' and d.submitted_at < i.b
    ) h
  )
  select 's'::text, sp.src, null::uuid, sp.venue_id, v.code, v.name, null::text, sp.island, sp.a, sp.b
  from spans_i sp join venues v on v.id = sp.venue_id
  union all
  select 'h'::text, null::int, h.person_id, h.venue_id, null::text, null::text, h.via, h.island, h.f, h.t
  from hits h
  where h.t > h.f;
end
$$;
