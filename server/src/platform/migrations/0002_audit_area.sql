-- The administrative area a change affects (e.g. a nationwide risk rule: '/', a province's switch-off:
-- '/VN/40/'), so the officers who own that area see it in their audit log even when someone elsewhere made it.
alter table audit_log add column area_path text;
create index audit_log_area_idx on audit_log (area_path, at desc) where area_path is not null;
