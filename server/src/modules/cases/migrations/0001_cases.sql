-- Cases (F0), their contacts (F1, F2, … Fn) with every exposure, daily follow-ups, test-referral tasks,
-- quarantine/isolation places with occupants and cameras, and exposure notices (venue + time window, no identity).
--
-- Retention classes
--   cases, case_contacts, contact_exposures, follow_ups, case_tasks, place_stays   CASE RECORD: personal health data
--       kept as the epidemiological record (no automatic purge; an outbreak's records are archived by the CDC).
--       Persons referred to here are reported "in use" to the people module, so the registry never purges them.
--   contact_import_reviews   CASE RECORD: an imported line waiting for an officer's choice; deleted once decided.
--   exposure_notices         PUBLIC: venue and time window only, no identity; kept while check-ins are kept.
--   quarantine_places, place_cameras   CONFIGURATION.

create table quarantine_places (
  id uuid primary key default gen_random_uuid(),
  name text not null check (length(name) between 1 and 200),
  kind text not null check (kind in ('concentrated', 'hotel', 'field_hospital', 'hospital', 'other')),
  purpose text not null default 'quarantine' check (purpose in ('quarantine', 'isolation', 'both')),
  commune_code text not null references admin_units(code) on update cascade,
  address text not null default '',
  capacity integer not null check (capacity between 0 and 100000),
  active boolean not null default true,
  created_at timestamptz not null default now(),
  created_by bigint
);
create index quarantine_places_commune_idx on quarantine_places (commune_code);

create table place_cameras (
  id uuid primary key default gen_random_uuid(),
  place_id uuid not null references quarantine_places(id) on delete cascade,
  name text not null check (length(name) between 1 and 120),
  location text not null default '',
  stream_url text not null check (stream_url ~ '^(rtsp|rtsps|http|https)://' and length(stream_url) <= 1000),
  last_probe_at timestamptz,
  last_probe_ok boolean,
  last_probe_error text,
  created_at timestamptz not null default now()
);
create index place_cameras_place_idx on place_cameras (place_id);

-- Readable province-prefixed case codes: one counter per province (e.g. NA40-00017).
create table case_code_counters (
  province_code text primary key,
  last_value integer not null
);

create table cases (
  id uuid primary key default gen_random_uuid(),
  code text not null unique,
  person_id uuid not null,                    -- people module (no FK: people are re-pointed on merge)
  province_code text not null,
  commune_code text not null references admin_units(code) on update cascade,   -- decides jurisdiction
  confirmed_at timestamptz not null,
  onset_date date,
  test_date date,
  isolated_at timestamptz,                    -- end of the infectious window for tracing (null: the confirmation)
  source text not null check (source in ('community', 'imported', 'quarantine')),
  status text not null default 'active' check (status in ('active', 'recovered', 'died')),
  status_changed_at timestamptz,
  isolation text not null default 'facility' check (isolation in ('home', 'facility', 'hospital')),
  place_id uuid references quarantine_places(id),
  origin text not null default 'officer' check (origin in ('officer', 'test', 'contact')),
  origin_ref text,                            -- test id (testing module) or contact id
  notes text not null default '' check (length(notes) <= 4000),
  last_symptoms jsonb,                        -- carried from the contact follow-up when a contact becomes a case
  trace_status text not null default 'pending' check (trace_status in ('pending', 'running', 'done', 'failed')),
  trace_levels smallint not null default 2 check (trace_levels between 1 and 5),
  trace_started_at timestamptz,
  trace_finished_at timestamptz,
  trace_counts jsonb not null default '{}',
  trace_error text,
  created_by bigint,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
-- one open (active) case per person
create unique index cases_person_active_key on cases (person_id) where status = 'active';
create index cases_person_idx on cases (person_id);
create index cases_commune_idx on cases (commune_code, confirmed_at desc);
create index cases_confirmed_idx on cases (confirmed_at desc);

-- One row per person per case. level 1 = F1, 2 = F2...; unit_code = the contact's commune (else the case's):
-- the commune that follows the person up and the jurisdiction of the row.
create table case_contacts (
  id uuid primary key default gen_random_uuid(),
  case_id uuid not null references cases(id) on delete cascade,
  person_id uuid not null,
  level smallint not null check (level between 1 and 9),
  unit_code text not null,
  via_person_id uuid,                          -- for level ≥ 2: the contact of the level above
  first_exposure_at timestamptz,
  last_exposure_at timestamptz,
  order_kind text not null check (order_kind in ('quarantine', 'monitoring')),
  order_start date not null,
  order_end date not null,
  status text not null default 'monitoring' check (status in ('monitoring', 'completed', 'became_case', 'lost')),
  status_changed_at timestamptz,
  flagged boolean not null default false,      -- reported symptoms: a test referral is open
  place_id uuid references quarantine_places(id),
  origin text not null check (origin in ('trace', 'manual', 'import')),
  became_case_id uuid references cases(id),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (case_id, person_id),
  check (order_end >= order_start)
);
create index case_contacts_person_idx on case_contacts (person_id);
create index case_contacts_unit_idx on case_contacts (unit_code, status, order_end);

-- Every exposure behind a contact: venue stays (check-ins or venue declarations), household, manual/imported.
create table contact_exposures (
  id bigint generated always as identity primary key,
  contact_id uuid not null references case_contacts(id) on delete cascade,
  kind text not null check (kind in ('venue', 'household', 'workplace', 'travel', 'other')),
  via text not null check (via in ('checkin', 'declaration', 'household', 'manual', 'import')),
  venue_id uuid,
  from_at timestamptz,
  to_at timestamptz,
  overlap_minutes integer,
  source_person_id uuid,                       -- the F0 or the F(n-1) the exposure was to
  note text not null default '' check (length(note) <= 1000),
  created_at timestamptz not null default now()
);
create unique index contact_exposures_key on contact_exposures
  (contact_id, kind, via, coalesce(venue_id, '00000000-0000-0000-0000-000000000000'::uuid),
   coalesce(from_at, '-infinity'::timestamptz), coalesce(source_person_id, '00000000-0000-0000-0000-000000000000'::uuid));

-- Daily follow-up of a person under monitoring (contact) or isolating at home (case): one row per person per day.
create table follow_ups (
  id bigint generated always as identity primary key,
  person_id uuid not null,
  day date not null,
  symptoms boolean not null,
  temperature numeric(3,1) check (temperature is null or temperature between 30 and 45),
  symptom_list text[] not null default '{}',
  channel text not null check (channel in ('tracer', 'robot_call', 'self')),
  note text not null default '' check (length(note) <= 1000),
  recorded_by bigint,
  recorded_at timestamptz not null default now(),
  unique (person_id, day)
);

-- Work items: test referrals after reported symptoms or fever.
create table case_tasks (
  id uuid primary key default gen_random_uuid(),
  kind text not null check (kind in ('test_referral')),
  person_id uuid not null,
  unit_code text not null,
  reason text not null,
  status text not null default 'open' check (status in ('open', 'done', 'cancelled')),
  created_at timestamptz not null default now(),
  done_at timestamptz,
  done_by bigint
);
create unique index case_tasks_open_key on case_tasks (kind, person_id) where status = 'open';
create index case_tasks_unit_idx on case_tasks (unit_code, status);

-- Occupants of quarantine / isolation places.
create table place_stays (
  id uuid primary key default gen_random_uuid(),
  place_id uuid not null references quarantine_places(id),
  person_id uuid not null,
  case_id uuid references cases(id) on delete set null,
  contact_id uuid references case_contacts(id) on delete set null,
  admitted_on date not null,
  planned_discharge_on date,
  discharged_on date,
  created_at timestamptz not null default now(),
  check (discharged_on is null or discharged_on >= admitted_on)
);
create unique index place_stays_open_key on place_stays (person_id) where discharged_on is null;
create index place_stays_place_idx on place_stays (place_id) where discharged_on is null;

-- Where and when a confirmed case was: venue, entrance, window. No person, no case id in what is published.
create table exposure_notices (
  id uuid primary key default gen_random_uuid(),
  case_id uuid not null references cases(id) on delete cascade,
  venue_id uuid not null,
  entrance_id uuid,
  from_at timestamptz not null,
  to_at timestamptz not null,
  published_at timestamptz not null default now(),
  withdrawn_at timestamptz,
  check (to_at > from_at)
);
create unique index exposure_notices_key on exposure_notices (case_id, venue_id, from_at);
create index exposure_notices_published_idx on exposure_notices (published_at) where withdrawn_at is null;
create index exposure_notices_venue_idx on exposure_notices (venue_id, from_at);

-- Imported contact lines that matched more than one person (or a record with other details): an officer picks.
create table contact_import_reviews (
  id uuid primary key default gen_random_uuid(),
  case_id uuid not null references cases(id) on delete cascade,
  line jsonb not null,                          -- the imported line (name, phone, national id, address, relation, date)
  line_key text not null,                       -- hash of the normalised line: re-importing a file adds no second review
  candidate_ids uuid[] not null,
  reason text not null,
  unit_code text not null,
  created_at timestamptz not null default now(),
  created_by bigint
);
create index contact_import_reviews_unit_idx on contact_import_reviews (unit_code, created_at);
create unique index contact_import_reviews_line_key on contact_import_reviews (case_id, line_key);

-- Tracing reads venue declarations (declarations module) by venue and time, like check-ins: a bounded range scan.
create index if not exists declarations_venue_time_idx on declarations (venue_id, submitted_at) where venue_id is not null;

-- The tracing engine's venue statement (cases/trace.ts, venueContacts) as a PL/pgSQL function, so its plan is
-- prepared once per connection: planning this statement cost more than running it for a typical F1 (bench trace).
-- Sources: person ids with their windows [p_from, p_to); p_min: minimum overlap in minutes.
create function cases_venue_contacts(p_ids uuid[], p_from timestamptz[], p_to timestamptz[], p_min int)
returns table (src uuid, sources int, person_id uuid, venue_id uuid, venue_code text, venue_name text, via text, f timestamptz, t timestamptz)
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
  -- the sources' presence per venue: overlapping stays merged into islands, so a venue that fifty F1s visited
  -- together is read once, not fifty times; each island names its earliest source and how many it holds
  islands as materialized (
    select venue_id, min(a) as a, max(b) as b, (array_agg(src order by a, src))[1] as src, count(distinct src)::int as sources
    from (
      select *, sum(case when a < prev_b then 0 else 1 end) over (partition by venue_id order by a, b) as island
      from (select *, max(b) over (partition by venue_id order by a, b rows between unbounded preceding and 1 preceding) as prev_b from stays) x
    ) y
    group by venue_id, island
  ),
  hits as materialized (
    select i.src, i.sources, i.venue_id, c.person_id, 'checkin'::text as via,
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
    select i.src, i.sources, i.venue_id, d.subject_person_id, 'declaration'::text,
           greatest(i.a, d.submitted_at),
           least(i.b, d.submitted_at + make_interval(mins => v.default_stay_minutes))
    from islands i
    join venues v on v.id = i.venue_id
    join declarations d on d.venue_id = i.venue_id
      and d.submitted_at >= i.a - interval '12 hours' and d.submitted_at < i.b
      and d.subject_person_id <> all(p_ids)
  )
  select h.src, h.sources, h.person_id, h.venue_id, v.code as venue_code, v.name as venue_name, h.via, h.f, h.t
  from hits h join venues v on v.id = h.venue_id
  where h.t > h.f and h.t - h.f >= make_interval(mins => p_min);
end
$$;
