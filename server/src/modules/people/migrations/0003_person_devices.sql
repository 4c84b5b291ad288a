-- Phones that remember a person (device tokens, issue 13). A device token names a row here; it stops working when
-- the row is revoked or has not been used for VIGIL_DEVICE_TOKEN_IDLE_DAYS (default 30).
-- Retention: REGISTRY, with the person (cascade); rows idle past the limit are deleted by people.purge-inactive.
create table person_devices (
  id uuid primary key default gen_random_uuid(),
  person_id uuid not null references persons(id) on delete cascade,
  -- how the phone came to hold it: 'form' (details typed on the check-in page), 'household' (a dependant checked in
  -- with the manager's phone)
  origin text not null,
  created_at timestamptz not null,
  last_used_at timestamptz not null,
  revoked_at timestamptz
);
create index person_devices_person_idx on person_devices (person_id);
create index person_devices_idle_idx on person_devices (last_used_at);
