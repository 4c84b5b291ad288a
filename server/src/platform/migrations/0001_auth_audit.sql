-- Platform tables: users, sessions, API tokens, audit log.
create table users (
  id bigint generated always as identity primary key,
  username text not null,
  display_name text not null,
  password_hash text not null,
  role text not null,
  jurisdiction_code text not null,
  person_id uuid,
  disabled boolean not null default false,
  failed_logins integer not null default 0,
  locked_until timestamptz,
  last_login_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create unique index users_username_key on users (lower(username));
create index users_jurisdiction_idx on users (jurisdiction_code);

create table sessions (
  id text primary key,                -- sha256 of the cookie token; the token itself is never stored
  user_id bigint not null references users(id) on delete cascade,
  created_at timestamptz not null default now(),
  last_seen_at timestamptz not null default now(),
  expires_at timestamptz not null
);
create index sessions_user_idx on sessions (user_id);
create index sessions_expires_idx on sessions (expires_at);

create table api_tokens (
  id bigint generated always as identity primary key,
  user_id bigint not null references users(id) on delete cascade,
  name text not null,
  token_hash text not null unique,
  created_at timestamptz not null default now(),
  last_used_at timestamptz,
  expires_at timestamptz,
  revoked_at timestamptz
);

-- Append-only: rows are inserted by the app and removed only by the retention purge.
create table audit_log (
  id bigint generated always as identity primary key,
  at timestamptz not null default now(),
  actor_id bigint,
  actor_username text,
  actor_scope_path text,
  action text not null,
  subject_type text not null,
  subject_id text,
  reason text,
  ip text,
  details jsonb
);
create index audit_log_at_idx on audit_log (at desc);
create index audit_log_subject_idx on audit_log (subject_type, subject_id, at desc);
create index audit_log_actor_idx on audit_log (actor_id, at desc);

create function audit_log_append_only() returns trigger language plpgsql as $$
begin
  if tg_op = 'UPDATE' then
    raise exception 'audit_log is append-only';
  end if;
  if tg_op = 'DELETE' and coalesce(current_setting('vigil.audit_purge', true), '') <> 'on' then
    raise exception 'audit_log rows are removed only by the retention purge';
  end if;
  return old;
end $$;
create trigger audit_log_append_only before update or delete on audit_log
  for each row execute function audit_log_append_only();
