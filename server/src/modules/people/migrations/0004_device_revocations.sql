-- Device revocations as a feed (people/devices.ts): each server process keeps the device rows it has read for hours
-- instead of re-reading every phone's row each minute, and learns of revocations made by any process from this
-- feed, polled every few seconds (one indexed read per process, however many phones). Rows are written by the
-- trigger below whenever a device row is revoked, so no code path that revokes can forget it; the time is the
-- database's (one clock for all processes). Retention: a day (people.purge-inactive).
create table person_device_revocations (
  device_id uuid not null,
  revoked_at timestamptz not null default statement_timestamp()
);
create index person_device_revocations_time_idx on person_device_revocations (revoked_at);

create function person_devices_revoked() returns trigger language plpgsql as $$
begin
  insert into person_device_revocations (device_id) values (new.id);
  return null;
end
$$;

create trigger person_devices_revoked after update of revoked_at on person_devices
  for each row when (old.revoked_at is null and new.revoked_at is not null)
  execute function person_devices_revoked();
