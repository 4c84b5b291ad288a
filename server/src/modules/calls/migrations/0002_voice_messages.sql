-- Voice messages left on the inbound hotline (after a prompt and a beep). Data class: CASE RECORD, personal (a
-- voice, a phone number, what the caller says about their health): read and played only inside the supervisor's
-- jurisdiction, every read audited, deleted after VIGIL_CALLS_VOICE_RETENTION_DAYS (calls.voice-purge job).
create table call_voice_messages (
  id uuid primary key default gen_random_uuid(),
  -- the commune of the caller matched by phone, else the hotline's default unit (like unidentified self-reports)
  unit_code text not null,
  person_id uuid,
  -- the caller id as received (normalised when it is a phone number)
  phone text not null check (length(phone) between 1 and 64),
  full_name text not null default '',
  received_at timestamptz not null,
  duration_ms integer not null check (duration_ms >= 0),
  -- why the recording stopped: the caller pressed #, stayed silent, reached the longest length, or hung up
  ended_by text not null check (ended_by in ('key', 'silence', 'max-length', 'hangup')),
  -- 8 kHz 16-bit mono PCM WAV (decoded from the caller's G.711 µ-law/A-law RTP); at most a few MB
  audio bytea not null,
  handled_at timestamptz,
  handled_by bigint,
  note text not null default '' check (length(note) <= 1000)
);
create index call_voice_messages_unit_idx on call_voice_messages (unit_code, received_at desc);
create index call_voice_messages_open_idx on call_voice_messages (received_at) where handled_at is null;
create index call_voice_messages_age_idx on call_voice_messages (received_at);

-- The daily report e-mailed to a province's steering committee (VIGIL_CALLS_REPORT_EMAILS): when, so a retried job
-- does not send it twice.
alter table call_reports add column emailed_at timestamptz;
