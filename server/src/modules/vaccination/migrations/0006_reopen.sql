-- Reopening a closed site or campaign (close.ts reopenSite / reopenCampaign). A close lowers each slot's capacity to
-- the seats still booked; open_capacity keeps what it had before (set by the close, cleared by a reopen), so staff who
-- choose to reopen the future slots give them back their seats. Slots closed before this column existed get the
-- site's capacity for their length (as sessions cut them).
alter table vaccination_slots add column open_capacity int check (open_capacity is null or open_capacity >= 0);
