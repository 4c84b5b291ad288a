-- Planning a province's day (a million call rows in one INSERT … SELECT) pays for every index of call_daily on
-- every row. Two of them cost without serving: the survey-token key indexed a million NULLs (only unreached
-- people ever get a token), and (day, campaign_id, status) repeated what the day's key gives when it starts with
-- the day. The day's key now leads with the day, so reports by day and a campaign's day both use it.
alter table call_daily drop constraint call_daily_survey_token_key;
create unique index call_daily_survey_token_key on call_daily (survey_token) where survey_token is not null;
drop index call_daily_day_idx;
alter table call_daily drop constraint call_daily_campaign_id_day_member_key_key;
alter table call_daily add constraint call_daily_day_key unique (day, campaign_id, member_key);
-- The members who left a campaign (few): the plan cancels their open calls without reading the whole day.
create index call_audience_left_idx on call_audience (campaign_id, member_key) where not active;
