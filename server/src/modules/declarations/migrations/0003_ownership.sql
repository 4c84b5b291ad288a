-- Forms, risk rules and zone lists have an owner jurisdiction (null = national: changed by national admins only).
-- A province or district adds its own (they apply inside its area only) and may switch a national rule off for its
-- own area (declaration_rule_switch_offs); the rule keeps applying elsewhere.
alter table declaration_forms add column owner_unit_code text;
alter table declaration_risk_rules add column owner_unit_code text;
alter table declaration_zone_lists add column owner_unit_code text;

-- CONFIGURATION: no personal data, kept.
create table declaration_rule_switch_offs (
  rule_key text not null references declaration_risk_rules(key) on delete cascade,
  unit_code text not null,                  -- the rule does not apply to declarations followed up inside this unit
  reason text not null check (length(reason) between 1 and 500),
  at timestamptz not null default now(),
  by_user_id bigint,
  by_username text,
  primary key (rule_key, unit_code)
);

-- the unit of the venue a declaration was made at sees it too (the person's home commune follows it up)
create index declarations_venue_unit_idx on declarations (venue_unit_code, submitted_at) where flagged and venue_unit_code is not null;
