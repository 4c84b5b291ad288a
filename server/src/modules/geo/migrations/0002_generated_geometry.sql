-- Boundaries drawn by Vigil rather than imported (the demo's generated districts and communes): the map says they
-- are illustrative. An import that brings a real boundary clears the flag.
alter table admin_units add column geometry_generated boolean not null default false;
