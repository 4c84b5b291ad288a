-- Bulk sample imports write a million members in one statement: each row paid its foreign-key trigger to samples
-- on top of the two indexes. Samples are never deleted (case record, no purge) and members are only written
-- together with their tube (collect.ts, sample-import.ts, both in the tube's transaction), so the trigger
-- guarded nothing. The primary key (sample_id, person_id: the people of a tube, once each) and the person index
-- (a person's tubes: open pools of a day, their results page) are read by every screen and stay.
alter table sample_members drop constraint sample_members_sample_id_fkey;
