-- Electronic health declarations: configurable, versioned forms; answers; risk rules; follow-up work list.
--
-- Retention classes
--   declaration_forms, declaration_form_versions   CONFIGURATION: no personal data, kept (versions are immutable).
--   declaration_risk_rules, declaration_zone_lists  CONFIGURATION: no personal data, kept.
--   declarations          DECLARATION: personal health data, deleted by the job `declarations.purge` once
--                         submitted_at is older than VIGIL_DECLARATION_RETENTION_DAYS (default 60).
--   declaration_actions   DECLARATION: follow-up notes, deleted with their declaration (on delete cascade).
create table declaration_forms (
  key text primary key check (key ~ '^[a-z][a-z0-9_-]{1,39}$'),
  kind text not null check (kind in ('domestic', 'entry', 'venue')),
  current_version integer not null default 1 check (current_version >= 1),
  archived boolean not null default false,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

-- Each edit of a form is a new version; declarations keep the version they answered.
create table declaration_form_versions (
  form_key text not null references declaration_forms(key),
  version integer not null check (version >= 1),
  title jsonb not null,                 -- { "vi": ..., "en": ... }
  description jsonb,
  unit_question text,                   -- commune question deciding the responsible unit (entry: quarantine place)
  questions jsonb not null,             -- [Question] (see model.ts)
  created_at timestamptz not null default now(),
  created_by bigint,
  created_by_username text,
  primary key (form_key, version)
);

create table declaration_zone_lists (
  key text primary key check (key ~ '^[a-z][a-z0-9_]{0,39}$'),
  name jsonb not null,
  codes text[] not null default '{}',   -- administrative-unit codes and/or ISO 3166 country codes
  updated_at timestamptz not null default now(),
  updated_by bigint
);

create table declaration_risk_rules (
  key text primary key check (key ~ '^[a-z][a-z0-9_]{0,39}$'),
  name jsonb not null,
  form_kinds text[] not null default '{}',   -- empty = every kind
  condition jsonb not null,                  -- condition tree (all/any/not, equals, includes, truthy, inZone, gte, lte)
  severity text not null check (severity in ('low', 'medium', 'high')),
  active boolean not null default true,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  updated_by bigint
);

create table declarations (
  id uuid primary key default gen_random_uuid(),
  form_key text not null,
  form_version integer not null,
  kind text not null check (kind in ('domestic', 'entry', 'venue')),
  subject_person_id uuid not null references persons(id),      -- who the declaration is about
  declarant_person_id uuid references persons(id),              -- who filled it in (a manager for a dependant)
  submitted_by_user_id bigint,                                  -- null: anonymous public declaration
  channel text not null check (channel in ('citizen', 'public', 'officer')),
  venue_id uuid,                                                -- venue / medical facility declared at (venues module)
  venue_unit_code text,
  responsible_unit_code text not null,                          -- whose work list a flag lands on
  answers jsonb not null,
  submitted_at timestamptz not null,
  flagged boolean not null default false,
  severity text check (severity in ('low', 'medium', 'high')),
  risk_hits jsonb not null default '[]',                        -- [{ key, name, severity }]
  status text not null default 'none' check (status in ('none', 'open', 'called', 'referred', 'cleared')),
  status_changed_at timestamptz,
  foreign key (form_key, form_version) references declaration_form_versions (form_key, version),
  check (flagged = (status <> 'none')),
  check (flagged = (severity is not null))
);
create index declarations_worklist_idx on declarations (responsible_unit_code, submitted_at) where flagged;
create index declarations_open_idx on declarations (responsible_unit_code, status) where flagged and status <> 'cleared';
create index declarations_subject_idx on declarations (subject_person_id, submitted_at desc);
create index declarations_declarant_idx on declarations (declarant_person_id, submitted_at desc) where declarant_person_id is not null;
create index declarations_submitted_idx on declarations (submitted_at);
create index declarations_unit_day_idx on declarations (responsible_unit_code, submitted_at);

create table declaration_actions (
  id bigint generated always as identity primary key,
  declaration_id uuid not null references declarations(id) on delete cascade,
  action text not null check (action in ('called', 'referred', 'cleared', 'reopened')),
  note text not null check (length(note) between 1 and 2000),
  status_from text not null,
  status_to text not null,
  at timestamptz not null,
  by_user_id bigint,
  by_username text
);
create index declaration_actions_declaration_idx on declaration_actions (declaration_id, at);
