-- Linking a citizen account (or a dependant) to an existing registry record needs proof of possession (issue 13):
-- typed-in details never attach an account to a record. Proofs that complete at once (the signed personal QR of a
-- printed card) need no row; proofs that wait (an officer's approval; later a one-time code sent to the record's
-- phone) are a request here.
--
-- Retention: REGISTRY. Rows live as long as the claimant record (cascade) and are personal data (who claims which
-- record, the citizen's note).
create table person_link_requests (
  id uuid primary key default gen_random_uuid(),
  -- the citizen account asking
  user_id bigint not null references users(id) on delete cascade,
  -- the record the citizen made from typed details: their own (kind 'self') or a dependant's (kind 'dependant').
  -- Approving merges it into the record it claims to be, so the account / household link moves there.
  claimant_id uuid not null references persons(id) on delete cascade,
  kind text not null check (kind in ('self', 'dependant')),
  -- how possession is proven: 'officer' (approval on the link requests page); two-step methods added later
  -- (e.g. 'sms_code') keep their challenge in challenge_hash / attempts / expires_at
  method text not null default 'officer',
  status text not null default 'pending' check (status in ('pending', 'approved', 'rejected', 'cancelled')),
  note text check (length(note) <= 500),
  -- the unit whose officers decide: the claimant's commune when asked
  commune_code text,
  -- the existing record: chosen by the officer on approval (or designated by a proof method)
  target_id uuid references persons(id) on delete set null,
  challenge_hash text,
  attempts integer not null default 0,
  expires_at timestamptz,
  created_at timestamptz not null default now(),
  decided_at timestamptz,
  decided_by bigint,
  decided_by_username text,
  decision_note text check (length(decision_note) <= 500)
);
create unique index person_link_requests_pending_idx on person_link_requests (claimant_id) where status = 'pending';
create index person_link_requests_commune_idx on person_link_requests (commune_code, created_at) where status = 'pending';
create index person_link_requests_user_idx on person_link_requests (user_id, created_at desc);
