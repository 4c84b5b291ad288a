-- A case confirmed from a positive test that the lab corrected to negative, with nothing else behind it, is
-- discarded (not deleted: the record of what happened, and of the contacts it put under orders, stays). A case
-- that has another basis is left as it is and flagged for an officer to review.
alter table cases drop constraint cases_status_check;
alter table cases add constraint cases_status_check check (status in ('active', 'recovered', 'died', 'discarded'));
alter table cases add column status_reason text check (status_reason is null or length(status_reason) <= 500);
-- why an officer should look at the case again (null: nothing to review)
alter table cases add column review_reason text check (review_reason is null or length(review_reason) <= 500);
alter table cases add column review_flagged_at timestamptz;
create index cases_review_idx on cases (commune_code) where review_reason is not null;

-- a contact's order ended early (its case was discarded): status 'ended' and why
alter table case_contacts drop constraint case_contacts_status_check;
alter table case_contacts add constraint case_contacts_status_check check (status in ('monitoring', 'completed', 'became_case', 'lost', 'ended'));
alter table case_contacts add column end_reason text check (end_reason is null or length(end_reason) <= 200);
