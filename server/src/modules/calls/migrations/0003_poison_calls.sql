-- A call that brings its dialer down whenever it is answered (a far end whose media or keys break the process, a
-- script the call cannot finish) used to be given back by the watchdog, uncounted, again and again: every dialer
-- restart placed it first and died again. The watchdog now counts those losses (`crashes`); at the limit the call
-- is `failed` with its reason (`failed_reason`, a code the supervisor's page words) and is not placed again.
alter table call_daily add column crashes integer not null default 0, add column failed_reason text;
alter table call_daily drop constraint call_daily_status_check;
alter table call_daily add constraint call_daily_status_check
  check (status in ('queued', 'calling', 'retry', 'completed', 'exhausted', 'invalid', 'opted-out', 'cancelled', 'failed')) not valid;
alter table call_daily validate constraint call_daily_status_check;
