-- Administrative units: country → province → district → commune (levels configurable).
-- path is the materialized chain of codes from the root ('/VN/40/412/'), so "inside jurisdiction X" is a
-- prefix match served by the text_pattern_ops index.
create table admin_units (
  code text primary key,
  name text not null,
  name_en text,
  level text not null,
  depth smallint not null,
  parent_code text references admin_units(code) on update cascade,
  path text not null,
  population integer check (population is null or population >= 0),
  geometry jsonb,
  bbox double precision[],
  updated_at timestamptz not null default now(),
  check ((parent_code is null) = (depth = 0))
);
create index admin_units_parent_idx on admin_units (parent_code, name);
create index admin_units_path_idx on admin_units (path text_pattern_ops);
create index admin_units_level_idx on admin_units (level);

insert into admin_units (code, name, name_en, level, depth, parent_code, path)
values ('VN', 'Việt Nam', 'Vietnam', 'country', 0, null, '/VN/');

-- Diacritic-insensitive search for Vietnamese names ("nghe an" finds "Nghệ An") without the unaccent extension,
-- which an external managed PostgreSQL may not allow.
create function unaccent_vi(t text) returns text language sql immutable parallel safe as $$
  select lower(translate(t,
    'àáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđÀÁẠẢÃÂẦẤẬẨẪĂẰẮẶẲẴÈÉẸẺẼÊỀẾỆỂỄÌÍỊỈĨÒÓỌỎÕÔỒỐỘỔỖƠỜỚỢỞỠÙÚỤỦŨƯỪỨỰỬỮỲÝỴỶỸĐ',
    'aaaaaaaaaaaaaaaaaeeeeeeeeeeeiiiiiooooooooooooooooouuuuuuuuuuuyyyyydAAAAAAAAAAAAAAAAAEEEEEEEEEEEIIIIIOOOOOOOOOOOOOOOOOUUUUUUUUUUUYYYYYD'))
$$;
