-- The version of the document signer directory shared by every process on this database: a rotation or retirement
-- bumps it, and the other processes (servers, the CLI) reload their signers when they see it change.
-- Retention class: CONFIGURATION (one row, no personal data).
create table dcc_signer_state (
  id boolean primary key default true check (id),
  version bigint not null default 0,
  changed_at timestamptz not null default now()
);
insert into dcc_signer_state (id) values (true);
