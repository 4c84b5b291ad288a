-- Tracing reads every check-in at a venue during each island of source presence: at full size (bench trace, 10M
-- check-ins) the F2 of a case with 3,970 F1s read 205k check-ins, and 311k of its 600k buffers were heap pages
-- (check-ins of one venue lie scattered across the day's partition in arrival order), 4.9 of the statement's 5.5 s.
-- The (venue_id, checkin_at) index now carries the columns a stay needs (person, check-out, automatic check-out), so
-- the scan is index-only (the visibility map of a day's partition is set by autovacuum once the day is written).
-- It replaces the venues module's index of the same leading columns (every query that used it can use this one; one
-- index to write per check-in, as before).
create index checkins_venue_stay_idx on checkins (venue_id, checkin_at) include (person_id, checkout_at, auto_checkout_at);
drop index if exists checkins_venue_time_idx;
