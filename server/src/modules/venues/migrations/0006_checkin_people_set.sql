-- The first visits of a check-in batch found or created as a set (people_find_or_create_many, people migration 0006)
-- instead of one people_find_or_create_with_device call per form row: same arguments, answers, locks and atomicity
-- as migration 0005 (a later form of the same person in the batch still matches the record an earlier one created:
-- forms sharing a phone or an ID number are taken one at a time, in order, by the people module's function).
create or replace function venues_insert_checkins_people(
  p_client uuid[], p_person uuid[], p_venue uuid[], p_entrance uuid[], p_at timestamptz[], p_auto timestamptz[],
  p_checkout timestamptz[], p_source text[], p_recorded_by bigint[],
  np_full_name text[], np_name_key text[], np_birth_date date[], np_birth_year smallint[], np_sex text[],
  np_national_id text[], np_phone text[], np_address text[], np_commune text[], np_now timestamptz[]
) returns table (n int, id bigint, person_id uuid, created boolean, device uuid)
language plpgsql as $$
#variable_conflict use_column
declare
  v_person uuid[];
  v_created boolean[];
  v_device uuid[];
begin
  select array_agg(coalesce(f.person, t.p) order by t.i), array_agg(f.created order by t.i), array_agg(f.device order by t.i)
    into v_person, v_created, v_device
  from unnest(p_person) with ordinality as t(p, i)
  left join people_find_or_create_many(np_full_name, np_name_key, np_birth_date, np_birth_year, np_sex, np_national_id,
                                       np_phone, np_address, np_commune, 'checkin', 'form', np_now) f on f.n = t.i;
  return query
  select c.n, c.id, c.person_id, v_created[c.n], v_device[c.n]
  from venues_insert_checkins(p_client, v_person, p_venue, p_entrance, p_at, p_auto, p_checkout, p_source, p_recorded_by) c
  order by c.n;
end
$$;
