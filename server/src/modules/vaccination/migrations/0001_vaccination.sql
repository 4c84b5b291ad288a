-- Vaccination: products (EU DCC codes), lots and stock per site, priority groups with eligibility rules, campaigns,
-- sites, sessions and slots, registrations, bookings, screenings, doses, AEFI.
--
-- Retention classes
--   vaccination_registrations, vaccination_bookings, vaccination_screenings, vaccination_doses, vaccination_aefi
--       HEALTH RECORD: personal health data kept as the immunisation record (no automatic purge).
--   vaccine_products, vaccine_lots, priority_groups, vaccination_campaigns, vaccination_sites, vaccination_sessions,
--   vaccination_slots   CONFIGURATION / LOGISTICS.
--
-- No overbooking: a slot's `booked` counter is updated atomically and CHECK (booked <= capacity) makes the database
-- refuse a seat that does not exist whatever the application does. A lot's `used + wasted <= quantity` likewise.

create table vaccine_products (
  code text primary key check (length(code) between 1 and 80),          -- EU DCC mp, e.g. EU/1/20/1528
  name text not null check (length(name) between 1 and 200),
  manufacturer_code text not null check (length(manufacturer_code) between 1 and 80),   -- EU DCC ma
  manufacturer_name text not null,
  prophylaxis_code text not null default '1119349007',                  -- EU DCC vp (SARS-CoV-2 mRNA vaccine …)
  doses_in_schedule integer not null check (doses_in_schedule between 1 and 5),
  interval_days integer not null check (interval_days between 0 and 365),
  min_age integer not null default 18 check (min_age between 0 and 120),
  max_age integer check (max_age is null or max_age between 0 and 130),
  active boolean not null default true,
  check (max_age is null or max_age >= min_age)
);

create table priority_groups (
  code text primary key check (code ~ '^[a-z0-9_-]{1,40}$'),
  rank integer not null check (rank between 1 and 100),
  name_vi text not null,
  name_en text not null,
  -- eligibility: { "minAge": 65 } | { "occupations": ["health_worker"] } | { "conditions": ["chronic"] } (any listed key must hold)
  rule jsonb not null default '{}'::jsonb,
  active boolean not null default true
);

create table vaccination_sites (
  id uuid primary key default gen_random_uuid(),
  code text not null unique check (code ~ '^[A-Za-z0-9_-]{1,40}$'),
  name text not null check (length(name) between 1 and 200),
  address text not null default '' check (length(address) <= 500),
  commune_code text not null references admin_units(code) on update cascade,
  capacity_per_hour integer not null check (capacity_per_hour between 1 and 10000),
  -- [{ "days": [1,2,3,4,5,6], "from": "07:30", "to": "11:30" }, …] (ISO weekday 1 = Monday)
  opening_hours jsonb not null default '[]'::jsonb,
  active boolean not null default true,
  created_at timestamptz not null default now()
);
create index vaccination_sites_commune_idx on vaccination_sites (commune_code);

create table vaccine_lots (
  id uuid primary key default gen_random_uuid(),
  site_id uuid not null references vaccination_sites(id),
  product_code text not null references vaccine_products(code) on update cascade,
  lot_number text not null check (length(lot_number) between 1 and 60),
  expires_on date not null,
  quantity integer not null check (quantity between 0 and 10000000),
  used integer not null default 0,
  wasted integer not null default 0,
  received_at timestamptz not null default now(),
  check (used >= 0 and wasted >= 0 and used + wasted <= quantity),
  unique (site_id, product_code, lot_number)
);

create table vaccination_campaigns (
  id uuid primary key default gen_random_uuid(),
  name text not null check (length(name) between 1 and 200),
  unit_code text not null references admin_units(code) on update cascade,   -- the area it runs in (province…)
  starts_on date not null,
  ends_on date not null,
  product_codes text[] not null default '{}',
  priority_codes text[] not null default '{}',      -- groups invited, in this order
  status text not null default 'active' check (status in ('planned', 'active', 'closed')),
  created_at timestamptz not null default now(),
  check (ends_on >= starts_on)
);

create table vaccination_sessions (
  id uuid primary key default gen_random_uuid(),
  campaign_id uuid not null references vaccination_campaigns(id),
  site_id uuid not null references vaccination_sites(id),
  day date not null,
  product_code text not null references vaccine_products(code) on update cascade,
  created_at timestamptz not null default now(),
  unique (site_id, day, campaign_id, product_code)
);
create index vaccination_sessions_day_idx on vaccination_sessions (day, site_id);

create table vaccination_slots (
  id uuid primary key default gen_random_uuid(),
  session_id uuid not null references vaccination_sessions(id) on delete cascade,
  starts_at timestamptz not null,
  ends_at timestamptz not null,
  capacity integer not null check (capacity between 0 and 10000),
  booked integer not null default 0,
  check (booked >= 0 and booked <= capacity),
  check (ends_at > starts_at),
  unique (session_id, starts_at)
);

create table vaccination_registrations (
  id uuid primary key default gen_random_uuid(),
  campaign_id uuid not null references vaccination_campaigns(id),
  person_id uuid not null,                      -- people module (no FK: re-pointed on merge)
  priority_code text references priority_groups(code),
  channel text not null check (channel in ('self', 'staff', 'bulk')),
  organisation text check (organisation is null or length(organisation) <= 200),
  occupation text check (occupation is null or length(occupation) <= 80),
  account_person_id uuid,                       -- the account holder who registered (family), null for staff
  registered_by bigint,                         -- the staff user
  commune_code text not null,                   -- jurisdiction: the person's commune at registration
  invited_at timestamptz,
  created_at timestamptz not null default now(),
  unique (campaign_id, person_id)
);
create index vaccination_registrations_person_idx on vaccination_registrations (person_id);

create table vaccination_bookings (
  id uuid primary key default gen_random_uuid(),
  person_id uuid not null,
  campaign_id uuid not null references vaccination_campaigns(id),
  slot_id uuid not null references vaccination_slots(id),
  dose_number integer not null check (dose_number between 1 and 5),
  status text not null default 'booked' check (status in ('booked', 'cancelled', 'moved', 'attended')),
  walk_in boolean not null default false,
  replaced_by uuid references vaccination_bookings(id),
  booked_by bigint,
  created_at timestamptz not null default now(),
  closed_at timestamptz
);
-- one live appointment per person and dose: a retried or concurrent second booking is refused by the database
create unique index vaccination_bookings_live_idx on vaccination_bookings (person_id, dose_number) where status = 'booked';
create index vaccination_bookings_slot_idx on vaccination_bookings (slot_id) where status = 'booked';

create table vaccination_screenings (
  id uuid primary key default gen_random_uuid(),
  person_id uuid not null,
  site_id uuid not null references vaccination_sites(id),
  answers jsonb not null,
  temperature numeric(4,1),
  outcome text not null check (outcome in ('eligible', 'caution', 'postpone', 'contraindicated')),
  rules text[] not null default '{}',            -- every rule that fired, the deciding one first
  consent boolean not null default false,
  consent_by text check (consent_by is null or consent_by in ('self', 'guardian')),
  screened_by bigint,
  screened_at timestamptz not null default now()
);
create index vaccination_screenings_person_idx on vaccination_screenings (person_id, screened_at);

create table vaccination_doses (
  id uuid primary key default gen_random_uuid(),
  person_id uuid not null,
  product_code text not null references vaccine_products(code) on update cascade,
  lot_id uuid references vaccine_lots(id),
  lot_number text,
  dose_number integer not null check (dose_number between 1 and 5),
  series_doses integer not null,
  given_at timestamptz not null,
  given_on date not null,
  site_id uuid references vaccination_sites(id),
  commune_code text not null,                    -- the site's commune: jurisdiction of the record
  vaccinator text not null check (length(vaccinator) between 1 and 200),
  screening_id uuid references vaccination_screenings(id),
  booking_id uuid references vaccination_bookings(id),
  warnings text[] not null default '{}',
  observe_until timestamptz not null,
  observation_ended_at timestamptz,
  observation_note text,
  status text not null default 'valid' check (status in ('valid', 'voided')),
  void_reason text,
  voided_at timestamptz,
  recorded_by bigint,
  created_at timestamptz not null default now()
);
create unique index vaccination_doses_live_idx on vaccination_doses (person_id, dose_number) where status = 'valid';
create index vaccination_doses_day_idx on vaccination_doses (given_on, commune_code);

create table vaccination_aefi (
  id uuid primary key default gen_random_uuid(),
  dose_id uuid not null references vaccination_doses(id),
  severity text not null check (severity in ('mild', 'moderate', 'severe', 'serious')),
  symptoms text[] not null,
  onset_at timestamptz not null,
  outcome text not null check (outcome in ('recovered', 'recovering', 'not_recovered', 'recovered_with_sequelae', 'died', 'unknown')),
  hospitalised boolean not null default false,
  notes text not null default '' check (length(notes) <= 2000),
  recorded_by bigint,
  recorded_at timestamptz not null default now()
);
create index vaccination_aefi_dose_idx on vaccination_aefi (dose_id);

create table vaccination_reminders (
  dose_id uuid primary key references vaccination_doses(id),
  sent_on date not null
);

-- demo configuration: the 11 priority groups of Decision 1210/QĐ-BYT (2021)
insert into priority_groups (code, rank, name_vi, name_en, rule) values
  ('g01-health', 1, 'Người làm việc trong cơ sở y tế, ngành y tế', 'Health-care workers', '{"occupations":["health_worker"]}'),
  ('g02-frontline', 2, 'Người tham gia phòng chống dịch', 'Front-line epidemic control (committees, tracers, volunteers, press)', '{"occupations":["frontline"]}'),
  ('g03-military', 3, 'Quân đội', 'Military', '{"occupations":["military"]}'),
  ('g04-police', 4, 'Công an', 'Police', '{"occupations":["police"]}'),
  ('g05-diplomatic', 5, 'Nhân viên, cán bộ ngoại giao, hải quan, xuất nhập cảnh', 'Diplomatic, customs and immigration staff', '{"occupations":["diplomatic","customs"]}'),
  ('g06-essential', 6, 'Người cung cấp dịch vụ thiết yếu', 'Essential service workers (aviation, transport, tourism, power, water)', '{"occupations":["essential"]}'),
  ('g07-teachers', 7, 'Giáo viên, người làm việc tại cơ sở giáo dục, đào tạo', 'Teachers and staff of schools, agencies with frequent public contact', '{"occupations":["teacher","public_contact"]}'),
  ('g08-chronic', 8, 'Người mắc bệnh mạn tính, người trên 65 tuổi', 'People with chronic disease, people over 65', '{"minAge":65,"conditions":["chronic"]}'),
  ('g09-outbreak', 9, 'Người sinh sống tại vùng có dịch', 'People living in outbreak areas', '{"outbreakArea":true}'),
  ('g10-poor', 10, 'Người nghèo, đối tượng chính sách xã hội', 'The poor and social-policy beneficiaries', '{"conditions":["poor","social_policy"]}'),
  ('g11-abroad', 11, 'Người được cơ quan nhà nước cử đi công tác, học tập, lao động ở nước ngoài', 'People sent abroad for work or study by the state', '{"occupations":["abroad"]}');

-- products as the EU DCC value sets name them (mp, ma; vp 1119349007 = mRNA, 1119305005 = antigen, J07BX03 = other)
insert into vaccine_products (code, name, manufacturer_code, manufacturer_name, prophylaxis_code, doses_in_schedule, interval_days, min_age, max_age) values
  ('EU/1/21/1529', 'Vaxzevria (AstraZeneca)', 'ORG-100001699', 'AstraZeneca AB', 'J07BX03', 2, 56, 18, null),
  ('EU/1/20/1528', 'Comirnaty (Pfizer-BioNTech)', 'ORG-100030215', 'Biontech Manufacturing GmbH', '1119349007', 2, 21, 12, null),
  ('EU/1/20/1507', 'Spikevax (Moderna)', 'ORG-100031184', 'Moderna Biotech Spain S.L.', '1119349007', 2, 28, 18, null),
  ('BBIBP-CorV', 'Vero Cell (Sinopharm)', 'ORG-100020693', 'China Sinopharm International Corp. - Beijing location', 'J07BX03', 2, 21, 18, 65);

-- who was scanned at which site (a staff member may screen a person from outside their area only after scanning
-- the QR the person shows at their site)
create table vaccination_scans (
  site_id uuid not null references vaccination_sites(id),
  person_id uuid not null,
  scanned_at timestamptz not null,
  scanned_by bigint,
  primary key (site_id, person_id, scanned_at)
);
