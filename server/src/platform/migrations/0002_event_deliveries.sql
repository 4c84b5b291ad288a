-- Domain events (platform/events): one row per handled (event, subscriber), written in the handler's transaction.
-- A retried or duplicated delivery finds its row and does nothing. Kept 30 days (pg-boss keeps its jobs 14 days,
-- so no job can come back after its row is gone); purged by platform.purge-event-deliveries.
create table event_deliveries (
  event_id uuid not null,
  subscriber text not null,
  delivered_at timestamptz not null default now(),
  primary key (event_id, subscriber)
);
create index event_deliveries_at_idx on event_deliveries (delivered_at);
