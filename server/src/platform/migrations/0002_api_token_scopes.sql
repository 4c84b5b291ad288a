-- API tokens (issue 13): scopes, an expiry for every token, who made the token.
--   scopes: 'read' (every *.read permission of the owner; no state changes) and/or named permissions; the token
--   may use only permissions its owner still has. Tokens made before scopes existed become read-only and expire in
--   90 days: re-create the ones that must write.
alter table api_tokens add column scopes text[] not null default '{read}';
update api_tokens set expires_at = now() + interval '90 days' where expires_at is null and revoked_at is null;
update api_tokens set expires_at = coalesce(revoked_at, now()) where expires_at is null;
alter table api_tokens alter column expires_at set not null;
alter table api_tokens add column revoked_by bigint;
create index api_tokens_user_idx on api_tokens (user_id, created_at desc);

-- Login throttling (issue 13): failures per client address + username and per address, in the database so several
-- servers share it. A row per key; `failures` decays: it is reset after a quiet period (see platform/auth/throttle.ts).
create table login_throttle (
  key text primary key,                 -- 'u:<address>|<lower(username)>' or 'a:<address>'
  failures integer not null default 0,
  last_failure_at timestamptz not null,
  blocked_until timestamptz
);
create index login_throttle_last_idx on login_throttle (last_failure_at);
