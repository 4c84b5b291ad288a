-- Changes of sessions and users as a feed (platform/auth/session-cache.ts): each server process keeps the sessions it
-- has seen in memory instead of reading the session row on every request, and learns of a sign-out, an expiry moved,
-- a role, area or status change made by any process from this feed, polled at most once a second per process while
-- requests arrive (one indexed read, however many sessions). A cached session is trusted only while the last read of
-- the feed is younger than a few seconds; otherwise the request waits for a read. Rows are written by the triggers
-- below, so no code path (routes, CLI, another module, plain SQL) can forget it; the time is the database's.
-- Retention: a day (platform.purge-sessions).
create table session_changes (
  session_id text,          -- a session ended or changed (sha256 of its cookie, as sessions.id)
  user_id bigint,           -- or: a user changed, all their sessions must be read again
  changed_at timestamptz not null default statement_timestamp()
);
create index session_changes_time_idx on session_changes (changed_at);

create function session_rows_changed() returns trigger language plpgsql as $$
begin
  insert into session_changes (session_id) select id from gone;
  return null;
end
$$;

create function session_user_changed() returns trigger language plpgsql as $$
begin
  insert into session_changes (session_id, user_id) values (null, case when tg_op = 'DELETE' then old.id else new.id end);
  return null;
end
$$;

-- statement-level: purging thousands of expired sessions writes one insert … select
create trigger sessions_deleted after delete on sessions
  referencing old table as gone for each statement execute function session_rows_changed();
create function session_row_changed() returns trigger language plpgsql as $$
begin
  insert into session_changes (session_id) values (old.id);
  return null;
end
$$;
-- the once-a-minute last_seen_at touch is not a change
create trigger sessions_changed after update on sessions
  for each row when ((old.expires_at, old.user_id) is distinct from (new.expires_at, new.user_id)) execute function session_row_changed();
-- what a cached session carries about its user (last_login_at, failed_logins and the like do not count)
create trigger users_changed after update on users
  for each row when ((old.username, old.display_name, old.role, old.jurisdiction_code, old.person_id, old.disabled, old.password_hash)
                     is distinct from (new.username, new.display_name, new.role, new.jurisdiction_code, new.person_id, new.disabled, new.password_hash))
  execute function session_user_changed();
create trigger users_deleted after delete on users for each row execute function session_user_changed();
