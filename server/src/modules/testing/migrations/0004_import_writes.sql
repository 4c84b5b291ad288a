-- What every tube of a bulk sample import paid that guarded nothing (measured with VIGIL_IMPORT_PROFILE on the bench's
-- 100k tubes; see bench/testing.ts):
--   * the foreign keys to test_types and sampling_points: two trigger queries per tube (a locking look-up each).
--     Both are configuration that is never deleted (deactivated with `active`, no delete route or statement), and
--     every writer checks the code first (collect.ts, sample-import.ts: unknown or inactive types and points are the
--     line's error), so the triggers only repeated that check;
--   * the unique index on client_id held a row for every tube, though only the phone's submissions carry a client id
--     (imports never do): now a partial unique index of the same name, which collect.ts's replay check names.
alter table samples drop constraint samples_test_type_fkey;
alter table samples drop constraint samples_point_id_fkey;
alter table samples drop constraint samples_client_id_key;
create unique index samples_client_id_key on samples (client_id) where client_id is not null;
