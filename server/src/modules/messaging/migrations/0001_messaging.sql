-- Module messaging: the notification centre (one row per recipient, purpose and subject), SMS parts and receipts,
-- opt-outs, campaigns, one-time codes.
--
-- Retention: notifications, parts, receipts and one-time codes are personal data (a phone and what was told):
-- purged after VIGIL_SMS_RETENTION_DAYS (messaging.purge). One-time-code texts are blanked once sent. Opt-outs
-- are kept until withdrawn (they protect the person). Campaigns keep their counts after their rows are purged.

create table sms_campaigns (
  id bigint generated always as identity primary key,
  name text not null check (length(name) between 1 and 200),
  -- text per language; {name} is the only variable a campaign text may use
  text_vi text not null check (length(text_vi) between 1 and 1000),
  text_en text check (length(text_en) <= 1000),
  source text not null check (source in ('list', 'venue_exposure', 'commune_residents')),
  -- the saved filter (venue and window, commune) or, for a list, the number of valid rows
  filter jsonb not null default '{}',
  -- the unit whose officers own it (and whose figures count it)
  unit_code text not null,
  status text not null default 'scheduled' check (status in ('scheduled', 'running', 'done', 'cancelled')),
  scheduled_at timestamptz not null,
  started_at timestamptz,
  finished_at timestamptz,
  recipients integer not null default 0,
  created_by bigint,
  created_by_username text,
  created_at timestamptz not null default now()
);
create index sms_campaigns_unit_idx on sms_campaigns (unit_code, created_at desc);
create index sms_campaigns_due_idx on sms_campaigns (scheduled_at) where status = 'scheduled';

-- an uploaded list, until the campaign runs (then its rows become notifications)
create table sms_campaign_recipients (
  campaign_id bigint not null references sms_campaigns(id) on delete cascade,
  phone text not null,
  name text,
  lang text not null default 'vi',
  primary key (campaign_id, phone)
);

create table notifications (
  id bigint generated always as identity primary key,
  -- what it is for: otp.signup, otp.link, campaign, contact.warning, test.result, dose.reminder …
  purpose text not null,
  -- what it is about (a case, a campaign, a one-time-code request): with recipient and purpose, the idempotency key
  subject text not null,
  recipient text not null,                 -- E.164
  person_id uuid,
  unit_code text,                          -- area for figures and for officers' scope
  lang text not null default 'vi',
  body text not null,
  campaign_id bigint references sms_campaigns(id) on delete set null,
  -- queued → sending → accepted (the provider took every part) → delivered | failed; opted_out; cancelled
  status text not null default 'queued' check (status in ('queued', 'sending', 'accepted', 'delivered', 'failed', 'opted_out', 'cancelled')),
  provider text,
  parts integer,
  attempts integer not null default 0,
  next_attempt_at timestamptz not null default now(),
  error text,
  -- the domain event that asked for it, if any
  event_id uuid,
  created_at timestamptz not null default now(),
  sent_at timestamptz,
  final_at timestamptz,
  updated_at timestamptz not null default now(),
  unique (recipient, purpose, subject)
);
create index notifications_due_idx on notifications (next_attempt_at) where status = 'queued';
create index notifications_sending_idx on notifications (updated_at) where status = 'sending';
create index notifications_campaign_idx on notifications (campaign_id, status) where campaign_id is not null;
create index notifications_created_idx on notifications (created_at);
create index notifications_unit_idx on notifications (unit_code, created_at desc);

-- each accepted part: the provider's id, which receipts name
create table sms_parts (
  message_id text not null,
  provider text not null,
  notification_id bigint not null references notifications(id) on delete cascade,
  part integer not null,
  submitted_at timestamptz not null default now(),
  primary key (provider, message_id)
);
create index sms_parts_notification_idx on sms_parts (notification_id);

-- receipts as they come, also before their part is stored (a fast SMSC) or for ids we never sent
create table sms_receipts (
  message_id text not null,
  provider text not null,
  state text not null check (state in ('delivered', 'failed', 'enroute')),
  detail text not null,
  received_at timestamptz not null default now(),
  primary key (provider, message_id)
);
create index sms_receipts_received_idx on sms_receipts (received_at);

create table sms_opt_outs (
  phone text primary key,                  -- E.164
  source text not null check (source in ('sms', 'officer')),
  reason text check (length(reason) <= 500),
  unit_code text,
  created_by bigint,
  created_by_username text,
  created_at timestamptz not null default now()
);

-- one-time codes (sign-up by phone, linking an account to a record): only a hash of the code is kept
create table otp_codes (
  id uuid primary key default gen_random_uuid(),
  purpose text not null check (purpose in ('signup', 'link')),
  phone text not null,
  code_hash text not null,
  attempts integer not null default 0,
  expires_at timestamptz not null,
  consumed_at timestamptz,
  ip text,
  -- link: the account asking and the link request in the people module
  user_id bigint references users(id) on delete cascade,
  link_request_id uuid,
  created_at timestamptz not null default now()
);
create index otp_codes_phone_idx on otp_codes (phone, created_at desc);
create index otp_codes_ip_idx on otp_codes (ip, created_at desc);
