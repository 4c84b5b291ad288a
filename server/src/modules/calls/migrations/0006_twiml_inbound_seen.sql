-- The TwiML provider's inbound CallSids already answered, shared by every app process on this database: a captured
-- (validly signed) inbound voice webhook replayed to another process starts nothing there either. Kept
-- TWIML_SEEN_DAYS (calls/providers/twiml-seen.ts), purged hourly with the voice messages.
create table call_twiml_inbound_seen (
  call_sid text primary key,
  seen_at timestamptz not null
);
create index call_twiml_inbound_seen_at_idx on call_twiml_inbound_seen (seen_at);
