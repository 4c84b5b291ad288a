-- Templates edited by national staff (one per purpose; the built-in text applies until edited), and every change.
create table sms_templates (
  purpose text primary key,
  text_vi text not null check (length(text_vi) between 1 and 1000),
  text_en text not null check (length(text_en) between 1 and 1000),
  updated_by text not null,
  updated_at timestamptz not null
);
create table sms_template_history (
  id bigserial primary key,
  purpose text not null,
  text_vi text not null,
  text_en text not null,
  changed_by text not null,
  changed_at timestamptz not null
);
create index sms_template_history_purpose_idx on sms_template_history (purpose, id desc);
