-- A lab file writes a notice per person of every tube in one statement (100k results of pools of 10: a million
-- notices); each row paid its foreign-key trigger to test_results on top of its two indexes (2.5 s of 3 s for the
-- notices of 10k pooled results). Results are never deleted (case record, no purge) and notices are written only
-- in the transaction of their result (results.ts), so the trigger guarded nothing; the unique (result_id,
-- person_id) stays.
alter table test_notices drop constraint test_notices_result_id_fkey;
