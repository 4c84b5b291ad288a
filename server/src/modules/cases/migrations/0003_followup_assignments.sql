-- Tracers' daily lists: who follows up whom. One tracer per person under follow-up (a contact under an order or a
-- case isolating at home); an officer assigns, reassigning overwrites. CASE RECORD (work allocation, no health data).
create table followup_assignments (
  person_id uuid primary key,
  tracer_user_id bigint not null references users(id) on delete cascade,
  unit_code text not null,
  assigned_by bigint,
  assigned_at timestamptz not null default now()
);
create index followup_assignments_tracer_idx on followup_assignments (tracer_user_id);
