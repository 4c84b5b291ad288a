-- Short entrance codes a person can type when the QR cannot be scanned: "<province>-<venue>-<entrance>", e.g.
-- 40-ZPBMEV-1 (printed on the poster as host/c/40-ZPBMEV-1). The venue part is the random part of a generated
-- venue code ("40-ZPBMEV", so the poster's venue code and typed address agree), else random: no guessable
-- sequence, an alphabet without look-alikes (no I, O, 0, 1). The entrance part numbers a venue's entrances from 1
-- in the order they were added. The province part comes from the venue's commune when shown, checked when typed.
create function venue_short_code(venue_code text) returns text language plpgsql volatile as $$
declare
  alphabet constant text := 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  s text;
begin
  if venue_code ~ '^[0-9]{1,6}-[A-HJ-NP-Z2-9]{6}$' then
    s := split_part(venue_code, '-', 2);
    if not exists (select 1 from venues where short_code = s) then
      return s;
    end if;
  end if;
  loop
    s := '';
    for i in 1..6 loop
      s := s || substr(alphabet, 1 + floor(random() * 32)::int, 1);
    end loop;
    exit when not exists (select 1 from venues where short_code = s);
  end loop;
  return s;
end $$;

alter table venues add column short_code text;
do $$
declare r record;
begin
  for r in select id, code from venues order by created_at, id loop
    update venues set short_code = venue_short_code(r.code) where id = r.id;
  end loop;
end $$;
create function venues_fill_short_code() returns trigger language plpgsql as $$
begin
  if new.short_code is null then
    new.short_code := venue_short_code(new.code);
  end if;
  return new;
end $$;
create trigger venues_short_code before insert on venues for each row execute function venues_fill_short_code();
alter table venues alter column short_code set not null;
create unique index venues_short_code_key on venues (short_code);

alter table venue_entrances add column number integer;
update venue_entrances e set number = r.n
  from (select id, row_number() over (partition by venue_id order by created_at, id) as n from venue_entrances) r
  where r.id = e.id;

-- Numbering is serialised per venue by locking the venue row (entrances are added rarely).
create function venue_entrance_number() returns trigger language plpgsql as $$
begin
  if new.number is null then
    perform 1 from venues where id = new.venue_id for update;
    select coalesce(max(number), 0) + 1 into new.number from venue_entrances where venue_id = new.venue_id;
  end if;
  return new;
end $$;
create trigger venue_entrances_number before insert on venue_entrances
  for each row execute function venue_entrance_number();
alter table venue_entrances alter column number set not null;
create unique index venue_entrances_number_key on venue_entrances (venue_id, number);
