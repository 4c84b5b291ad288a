-- Editing and closing sites and campaigns (routes-admin.ts, close.ts).
-- A closed site or campaign takes no new session, booking or walk-in. Its slots that have not ended are marked closed
-- and their capacity lowered to the seats still booked (0 when the staff member chose to cancel those bookings), so
-- CHECK (booked <= capacity) and every seat statement (`booked < capacity`, vaccination_book_seats) refuse a new seat
-- whatever a cache in front of them believes; a kept booking cancelled later gives its seat back to no one (freeSeat
-- lowers the capacity of a closed slot with it). Who closed it, when and why is kept on the row (and in the audit log).
alter table vaccination_sites
  add column closed_at timestamptz,
  add column closed_by bigint,
  add column close_reason text check (close_reason is null or length(close_reason) between 1 and 500),
  add column updated_at timestamptz;

alter table vaccination_campaigns
  add column closed_at timestamptz,
  add column closed_by bigint,
  add column close_reason text check (close_reason is null or length(close_reason) between 1 and 500),
  add column updated_at timestamptz;

alter table vaccination_slots add column closed boolean not null default false;
