-- A tracer's own call (POST /api/calls/manual, phone in hand) has its own source on the lists: 'manual'. It was
-- stored as 'inbound' (the hotline's), so the symptomatic list said a tracer's call came in on the hotline.
alter table call_flags drop constraint call_flags_source_check;
alter table call_flags add constraint call_flags_source_check check (source in ('outbound', 'inbound', 'sms', 'manual'));
-- the flags made by a manual call so far: the call and its flag were written with the same instant for the person
update call_flags f set source = 'manual'
where f.source = 'inbound'
  and exists (select 1 from call_attempts a where a.kind = 'manual' and a.person_id = f.person_id and a.started_at = f.created_at);
