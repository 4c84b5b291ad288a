-- Person registry: people, manager → dependant links (households), merges of duplicate records.
--
-- Retention classes
--   persons              REGISTRY: kept while the person is in use. Records created implicitly by the public
--                        check-in / declaration paths (source 'checkin' | 'declaration') that have no user account,
--                        no household link and were last seen longer ago than the longest activity retention
--                        (check-ins, declarations) + 30 days are deleted by the job `people.purge-inactive`.
--                        Merged-away rows are history of a merge and live as long as the row they were merged into.
--   person_links         REGISTRY: lives and dies with both persons (on delete cascade).
--   person_merges        REGISTRY (history): lives as long as the kept person (on delete cascade); holds a snapshot
--                        of the merged record, i.e. personal data.
--   person_not_duplicates REGISTRY: officer decisions "these two are different people"; cascades with the persons.
create table persons (
  id uuid primary key default gen_random_uuid(),
  full_name text not null check (length(full_name) between 1 and 200),
  -- lowercase, without diacritics, single spaces: the key for search and duplicate matching
  name_key text not null,
  birth_date date,
  birth_year smallint check (birth_year is null or birth_year between 1880 and 2200),
  sex text check (sex in ('male', 'female', 'other')),
  national_id text check (national_id ~ '^([0-9]{9}|[0-9]{12})$'),
  phone text check (phone ~ '^\+[1-9][0-9]{6,14}$'),      -- E.164
  address text check (length(address) <= 500),
  commune_code text,                                     -- administrative unit (geo); decides jurisdiction
  -- where the record came from: officer | citizen | checkin | declaration | import
  source text not null default 'officer',
  merged_into uuid references persons(id),
  merged_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  -- last time the person showed up (check-in, declaration, sign-in): drives the purge of implicit records
  last_seen_at timestamptz not null default now(),
  check (birth_date is null or birth_year = extract(year from birth_date)),
  check ((merged_into is null) = (merged_at is null)),
  check (merged_into is null or merged_into <> id)
);
create index persons_national_id_idx on persons (national_id) where merged_into is null and national_id is not null;
create index persons_phone_idx on persons (phone, name_key) where merged_into is null and phone is not null;
create index persons_commune_idx on persons (commune_code, name_key) where merged_into is null;
create index persons_name_key_idx on persons (name_key text_pattern_ops) where merged_into is null;
create index persons_merged_into_idx on persons (merged_into) where merged_into is not null;
create index persons_purge_idx on persons (last_seen_at) where source in ('checkin', 'declaration');

-- A manager acts for a dependant (children, elderly people without a smartphone): declares for them,
-- shows their QR. relationship = what the dependant is to the manager.
create table person_links (
  manager_id uuid not null references persons(id) on delete cascade,
  dependant_id uuid not null references persons(id) on delete cascade,
  relationship text not null check (relationship in
    ('child', 'grandchild', 'parent', 'grandparent', 'spouse', 'sibling', 'relative', 'ward', 'other')),
  created_at timestamptz not null default now(),
  created_by bigint,                                     -- users.id, null for the system
  primary key (manager_id, dependant_id),
  check (manager_id <> dependant_id)
);
create index person_links_dependant_idx on person_links (dependant_id);

create table person_merges (
  id bigint generated always as identity primary key,
  kept_id uuid not null references persons(id) on delete cascade,
  merged_id uuid not null references persons(id) on delete cascade,
  merged_at timestamptz not null,
  merged_by bigint,                                      -- users.id
  merged_by_username text,
  reason text not null,
  -- the merged record as it was (personal data: same retention as the kept person)
  merged_snapshot jsonb not null,
  -- field names copied from the merged record onto the kept one
  fields_taken text[] not null default '{}',
  -- rows re-pointed per table by the merge hooks of each module, e.g. {"declarations": 3}
  repointed jsonb not null default '{}'
);
create index person_merges_kept_idx on person_merges (kept_id, merged_at desc);
create index person_merges_merged_idx on person_merges (merged_id);

-- "Not the same person" decisions, so a reviewed pair stops showing up as a duplicate. a_id < b_id.
create table person_not_duplicates (
  a_id uuid not null references persons(id) on delete cascade,
  b_id uuid not null references persons(id) on delete cascade,
  decided_at timestamptz not null default now(),
  decided_by bigint,
  primary key (a_id, b_id),
  check (a_id < b_id)
);
