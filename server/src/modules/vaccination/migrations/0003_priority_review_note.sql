-- Staff review of priority claims (the review page): the reviewer's words beside the decision — why a claim was
-- refused (required), or what was checked when it was accepted (optional). Shown to staff of the area on the review
-- page; the audit row records the decision, not the text.
alter table vaccination_registrations
  add column priority_review_note text check (priority_review_note is null or length(priority_review_note) between 1 and 500);
create index vaccination_registrations_reviewed_idx on vaccination_registrations (campaign_id, priority_reviewed_at desc) where priority_reviewed_at is not null;
