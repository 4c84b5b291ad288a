-- EU DCC certificates issued by this deployment (vaccination now; test and recovery share the table).
--
-- Retention class: HEALTH RECORD. A certificate is the person's proof of vaccination: kept while the person's record
-- is kept (the people module asks `personsWithCertificates` before purging a person). The HC1 text holds name and
-- birth date (signed, so it cannot be re-derived later): it is personal data, read only through audited routes.
create table dcc_certificates (
  id uuid primary key default gen_random_uuid(),
  person_id uuid not null,
  kind char(1) not null check (kind in ('v', 't', 'r')),
  -- the vaccination module's dose id (v), else the test/recovery record id
  source_id text not null check (length(source_id) between 1 and 100),
  uvci text not null unique check (uvci like 'URN:UVCI:01:VN:%'),
  hc1 text not null check (hc1 like 'HC1:%'),
  kid text not null,
  commune_code text,
  issued_at timestamptz not null,
  expires_at timestamptz not null,
  revoked_at timestamptz,
  revoked_reason text
);
-- one live certificate per dose (a correction revokes the old one first)
create unique index dcc_certificates_live_source on dcc_certificates (kind, source_id) where revoked_at is null;
create index dcc_certificates_person on dcc_certificates (person_id, issued_at desc);
