-- Saved-filter campaigns over cases' data: everyone at an exposure notice's venue in its window, the F1/F2 of a
-- commune under monitoring.
alter table sms_campaigns drop constraint sms_campaigns_source_check;
alter table sms_campaigns add constraint sms_campaigns_source_check
  check (source in ('list', 'venue_exposure', 'commune_residents', 'exposure_notice', 'commune_contacts'));
