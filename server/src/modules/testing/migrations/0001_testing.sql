-- Electronic testing: sampling points, test types, tubes (samples) with the people in them (pools), lab results
-- with their history (corrections), retest/resample tasks and the notices sent about results.
--
-- Retention classes
--   samples, sample_members, test_results, testing_tasks, test_notices   CASE RECORD: personal health data kept
--       as the epidemiological record (no automatic purge). Persons referred to here are reported "in use" to the
--       people module, so the registry never purges them.
--   sampling_points, test_types   CONFIGURATION.

create table test_types (
  code text primary key check (code ~ '^[a-z0-9-]{2,32}$'),
  name_vi text not null,
  name_en text not null,
  -- the most people one tube may hold (1 = individual only)
  max_pool integer not null check (max_pool between 1 and 50),
  active boolean not null default true
);
insert into test_types (code, name_vi, name_en, max_pool) values
  ('rt-pcr', 'RT-PCR', 'RT-PCR', 10),
  ('antigen', 'Test nhanh kháng nguyên', 'Rapid antigen test', 1),
  ('lamp', 'LAMP', 'LAMP', 5);

create table sampling_points (
  id uuid primary key default gen_random_uuid(),
  code text not null unique check (code ~ '^[A-Za-z0-9._-]{1,40}$'),
  name text not null check (length(name) between 1 and 200),
  commune_code text not null references admin_units(code) on update cascade,
  team text not null default '' check (length(team) <= 200),
  active boolean not null default true,
  created_at timestamptz not null default now(),
  created_by bigint
);
create index sampling_points_commune_idx on sampling_points (commune_code);

create table samples (
  id uuid primary key default gen_random_uuid(),
  tube_code text not null unique check (length(tube_code) between 1 and 64),
  test_type text not null references test_types(code),
  collected_at timestamptz not null,
  -- local day of collected_at (deployment time zone): "two open pools of the same day", per-day figures
  collected_on date not null,
  point_id uuid references sampling_points(id),
  -- the area the sample belongs to (jurisdiction): the sampling point's commune, else the first person's
  commune_code text not null,
  collector text not null default '' check (length(collector) <= 200),
  collected_by bigint,
  -- the phone's id of the submission (offline queue): sent once, a replay returns the same sample
  client_id text unique check (client_id is null or length(client_id) between 1 and 100),
  pool_size integer not null check (pool_size between 1 and 50),
  source text not null check (source in ('app', 'import')),
  -- current result (the latest row of test_results), null while waiting
  result text check (result in ('positive', 'negative', 'invalid')),
  resulted_at timestamptz,
  lab_code text,
  result_id bigint,
  created_at timestamptz not null default now()
);
create index samples_day_idx on samples (collected_on, commune_code);
create index samples_commune_idx on samples (commune_code, collected_at);
create index samples_waiting_idx on samples (collected_on) where result is null;

create table sample_members (
  sample_id uuid not null references samples(id) on delete cascade,
  person_id uuid not null,                    -- people module (no FK: re-pointed on merge)
  position smallint not null,
  primary key (sample_id, person_id)
);
create index sample_members_person_idx on sample_members (person_id);

create table test_results (
  id bigserial primary key,
  sample_id uuid not null references samples(id) on delete cascade,
  result text not null check (result in ('positive', 'negative', 'invalid')),
  resulted_at timestamptz not null,
  lab_code text check (lab_code is null or length(lab_code) <= 40),
  recorded_at timestamptz not null,
  recorded_by bigint,
  source text not null check (source in ('entry', 'upload', 'import')),
  -- a correction: the result it replaces and why
  replaces_id bigint references test_results(id),
  reason text check (reason is null or length(reason) <= 500)
);
create index test_results_sample_idx on test_results (sample_id, id);

create table testing_tasks (
  id uuid primary key default gen_random_uuid(),
  kind text not null check (kind in ('retest', 'resample')),
  person_id uuid not null,
  sample_id uuid not null references samples(id) on delete cascade,
  commune_code text not null,
  status text not null default 'open' check (status in ('open', 'done', 'cancelled')),
  created_at timestamptz not null,
  closed_at timestamptz,
  closed_by bigint,
  -- the new sample that did the task (retest/resample collected)
  done_sample_id uuid references samples(id),
  note text not null default '' check (length(note) <= 500),
  unique (kind, sample_id, person_id)
);
create index testing_tasks_open_idx on testing_tasks (commune_code, created_at) where status = 'open';
create index testing_tasks_person_idx on testing_tasks (person_id) where status = 'open';

-- every notice about a result, per person (sent through messaging when they have a phone, else recorded only)
create table test_notices (
  id bigserial primary key,
  result_id bigint not null references test_results(id) on delete cascade,
  person_id uuid not null,
  kind text not null check (kind in ('negative', 'positive', 'pool-positive', 'invalid')),
  channel text not null check (channel in ('sms', 'none')),
  created_at timestamptz not null,
  unique (result_id, person_id)
);
