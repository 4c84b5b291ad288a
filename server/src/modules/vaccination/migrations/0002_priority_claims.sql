-- A priority group claimed at registration counts only once it is checked: `priority_status` says whether the claim
-- was accepted (a criterion the system verified, e.g. the age from the birth date, or vouched for by staff or the
-- organisation's list), is waiting for staff review (a criterion the system cannot verify, e.g. a citizen's own
-- occupation or chronic disease), or was refused (the verifiable criteria fail); `priority_reason` is the code of
-- the deciding rule, shown to the citizen. Invitations follow the priority order of accepted claims only.
alter table vaccination_registrations
  add column priority_status text not null default 'none' check (priority_status in ('none', 'accepted', 'review', 'refused')),
  add column priority_reason text check (priority_reason is null or priority_reason ~ '^[a-z0-9-]{1,40}$'),
  add column priority_reviewed_by bigint,
  add column priority_reviewed_at timestamptz,
  add check ((priority_code is null) = (priority_status = 'none'));
-- claims recorded before the check existed were made by staff or organisations' lists
update vaccination_registrations set priority_status = 'accepted', priority_reason = 'staff-verified' where priority_code is not null;
create index vaccination_registrations_review_idx on vaccination_registrations (campaign_id, created_at) where priority_status = 'review';
