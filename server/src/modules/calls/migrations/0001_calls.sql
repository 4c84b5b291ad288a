-- Module calls: call scripts, campaigns, their audiences, the day's calls, attempts (CDRs), flags, daily reports.
-- Data classes:
--   call_scripts, call_campaigns                 CONFIGURATION (owner unit = jurisdiction).
--   call_audience, call_daily, call_attempts,
--   call_flags, call_reports                     CASE RECORD: personal health data (answers, symptoms); kept with
--                                               the case record; a campaign's rows go with the campaign.

create table call_scripts (
  id uuid primary key default gen_random_uuid(),
  name text not null check (length(name) between 1 and 120),
  unit_code text not null references admin_units(code) on update cascade,
  language text not null check (language in ('vi', 'en')),
  body jsonb not null,
  created_by bigint,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index call_scripts_unit_idx on call_scripts (unit_code);

create table call_campaigns (
  id uuid primary key default gen_random_uuid(),
  name text not null check (length(name) between 1 and 200),
  unit_code text not null references admin_units(code) on update cascade,
  script_id uuid not null references call_scripts(id),
  -- monitoring: F1/F2 under monitoring in unit_code (cases); list: an uploaded list; filter: a saved filter of
  -- the monitoring audience (levels, communes)
  audience_kind text not null check (audience_kind in ('monitoring', 'list', 'filter')),
  audience_filter jsonb not null default '{}',
  window_start text not null default '08:00' check (window_start ~ '^[0-2][0-9]:[0-5][0-9]$'),
  window_end text not null default '17:00' check (window_end ~ '^[0-2][0-9]:[0-5][0-9]$'),
  retry_busy_minutes integer not null default 10 check (retry_busy_minutes between 1 and 1440),
  retry_no_answer_minutes integer not null default 30 check (retry_no_answer_minutes between 1 and 1440),
  retry_failed_minutes integer not null default 30 check (retry_failed_minutes between 1 and 1440),
  max_attempts integer not null default 3 check (max_attempts between 1 and 10),
  channels integer not null default 30 check (channels between 1 and 2000),
  calls_per_second numeric(6,2) not null default 5 check (calls_per_second > 0 and calls_per_second <= 1000),
  ring_timeout_seconds integer not null default 45 check (ring_timeout_seconds between 5 and 180),
  non_reporting_days integer not null default 2 check (non_reporting_days between 1 and 14),
  alert_phones text[] not null default '{}',
  status text not null default 'active' check (status in ('active', 'paused', 'archived')),
  created_by bigint,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check (window_start < window_end)
);
create index call_campaigns_unit_idx on call_campaigns (unit_code, status);

-- Who a campaign calls: synced from cases (monitoring/filter) or uploaded (list). member_key = person id or phone.
create table call_audience (
  campaign_id uuid not null references call_campaigns(id) on delete cascade,
  member_key text not null,
  person_id uuid,
  phone text,
  full_name text not null default '',
  unit_code text,
  level smallint,
  active boolean not null default true,
  -- 404/484: the number does not exist; never dialled again until the number changes
  invalid_phone text,
  joined_at timestamptz not null default now(),
  left_at timestamptz,
  primary key (campaign_id, member_key)
);
create index call_audience_person_idx on call_audience (person_id) where person_id is not null;

-- One row per member per campaign per local day (idempotent creation); leased by dialers. No foreign key to the
-- campaign: a province's day is up to a million rows planned in one statement, each of which would run the key
-- check (campaigns are archived, never deleted).
create table call_daily (
  id bigint generated always as identity primary key,
  campaign_id uuid not null,
  day date not null,
  member_key text not null,
  person_id uuid,
  phone text,
  full_name text not null default '',
  unit_code text,
  status text not null default 'queued'
    check (status in ('queued', 'calling', 'retry', 'completed', 'exhausted', 'invalid', 'opted-out', 'cancelled')),
  attempts integer not null default 0,
  next_at timestamptz not null,
  lease_until timestamptz,
  last_disposition text,
  last_sip_code integer,
  answers jsonb,
  symptomatic boolean,
  completed_at timestamptz,
  sms_fallback_at timestamptz,
  -- the SMS survey link's secret (random, 128 bits) once the day's last call went unanswered
  survey_token text unique,
  updated_at timestamptz not null default now(),
  unique (campaign_id, day, member_key)
);
create index call_daily_due_idx on call_daily (campaign_id, next_at) where status in ('queued', 'retry');
create index call_daily_day_idx on call_daily (day, campaign_id, status);
create index call_daily_lease_idx on call_daily (lease_until) where status = 'calling';
create index call_daily_person_idx on call_daily (person_id, day) where person_id is not null;

-- CDRs: every attempt, robot (outbound/inbound) and tracers' manual calls apart (kind).
create table call_attempts (
  id bigint generated always as identity primary key,
  daily_id bigint references call_daily(id) on delete cascade,
  campaign_id uuid references call_campaigns(id) on delete cascade,
  person_id uuid,
  phone text,
  unit_code text,
  kind text not null check (kind in ('robot', 'manual')),
  direction text not null check (direction in ('outbound', 'inbound')),
  provider text not null default '',
  started_at timestamptz not null,
  ringing_at timestamptz,
  answered_at timestamptz,
  ended_at timestamptz,
  sip_code integer,
  disposition text check (disposition in ('completed', 'incomplete', 'no-answer', 'busy', 'rejected', 'invalid-number', 'failed')),
  reason text,
  billsec numeric(8,1),
  digits text not null default '',
  answers jsonb,
  outcome text,
  recorded_by bigint,
  note text not null default '' check (length(note) <= 1000)
);
create index call_attempts_daily_idx on call_attempts (daily_id);
create index call_attempts_open_idx on call_attempts (started_at) where ended_at is null;
create index call_attempts_unit_idx on call_attempts (unit_code, started_at);

-- Lists for officers: symptomatic people (answers), wrong numbers (404/484); non-reporting is computed.
create table call_flags (
  id bigint generated always as identity primary key,
  kind text not null check (kind in ('symptomatic', 'wrong-number')),
  campaign_id uuid references call_campaigns(id) on delete cascade,
  person_id uuid,
  phone text,
  full_name text not null default '',
  unit_code text not null,
  day date not null,
  details jsonb not null default '{}',
  source text not null check (source in ('outbound', 'inbound', 'sms')),
  created_at timestamptz not null,
  resolved_at timestamptz,
  resolved_by bigint
);
create unique index call_flags_key on call_flags (kind, coalesce(person_id::text, phone), day);
create index call_flags_unit_idx on call_flags (unit_code, kind, day);

-- Daily reports per jurisdiction (stored figures; files are rendered from them on download and when sent).
create table call_reports (
  unit_code text not null references admin_units(code) on update cascade,
  day date not null,
  figures jsonb not null,
  created_at timestamptz not null,
  sent_at timestamptz,
  primary key (unit_code, day)
);
