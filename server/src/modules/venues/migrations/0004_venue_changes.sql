-- Changes of venues and entrances as a feed (venues/entrances.ts): each server process keeps the entrances the
-- check-in path needs for minutes instead of re-reading each busy entrance every 2 s (at the benchmark's load those
-- re-reads were the largest database cost of a warm check-in, and they grow with the number of venues), and learns
-- of any change made by any process from this feed, polled every second (one indexed read per process, however many
-- venues). A cached entrance is trusted only while the last read of the feed is younger than STATUS_TTL_MS, so a
-- suspension still applies everywhere within that time. Rows are written by the triggers below, so no code path
-- that changes a venue or an entrance can forget it; the time is the database's. Retention: a day
-- (venues.purge-checkins).
create table venue_changes (
  venue_id uuid not null,
  changed_at timestamptz not null default statement_timestamp()
);
create index venue_changes_time_idx on venue_changes (changed_at);

create function venue_changed() returns trigger language plpgsql as $$
begin
  insert into venue_changes (venue_id) values (case when tg_op = 'DELETE' then old.id else new.id end);
  return null;
end
$$;

create function venue_entrance_changed() returns trigger language plpgsql as $$
begin
  if tg_op = 'INSERT' then
    insert into venue_changes (venue_id) values (new.venue_id);
  elsif tg_op = 'DELETE' then
    insert into venue_changes (venue_id) values (old.venue_id);
  else
    insert into venue_changes (venue_id) values (old.venue_id);
    if new.venue_id <> old.venue_id then insert into venue_changes (venue_id) values (new.venue_id); end if;
  end if;
  return null;
end
$$;

create trigger venues_changed after update or delete on venues
  for each row execute function venue_changed();
create trigger venue_entrances_changed after insert or update or delete on venue_entrances
  for each row execute function venue_entrance_changed();
