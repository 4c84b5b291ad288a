-- The first-visit form of a check-in in ONE statement (people/service.ts findOrCreatePublicWithDevice): the public
-- find-or-create of findOrCreatePerson (trust 'public') and the phone's new device row. It was six round trips
-- (BEGIN, a lock per key, the match, the insert, the device row, COMMIT), the largest cost of a first check-in.
-- Same rules as service.ts findMatch for public input, kept in step with it (test: people/checkin-person.test.ts):
--   * concurrent calls for the same phone / national ID are serialised (the same advisory keys as lockKey);
--   * a record matches only when phone, name key and birth year all agree (duplicateReason 'phone_name_year': a
--     candidate holding the same ID number counts as 'national_id' there, not as this match) and no ID number
--     conflicts; the oldest such record wins and only its last_seen_at moves;
--   * otherwise a new record, without an ID number another active record already holds.
-- plpgsql takes a fresh snapshot per statement (READ COMMITTED), so the match runs after the locks are held and sees
-- a record a concurrent call committed meanwhile.
create function people_find_or_create_with_device(
  p_full_name text, p_name_key text, p_birth_date date, p_birth_year smallint, p_sex text, p_national_id text,
  p_phone text, p_address text, p_commune_code text, p_source text, p_origin text, p_now timestamptz,
  out o_person uuid, out o_created boolean, out o_device uuid)
language plpgsql volatile as $$
declare
  v_nid text := p_national_id;
begin
  if p_phone is not null then perform pg_advisory_xact_lock(hashtextextended('phone:' || p_phone, 7411)); end if;
  if p_national_id is not null then perform pg_advisory_xact_lock(hashtextextended('nid:' || p_national_id, 7411)); end if;
  o_person := null;
  if p_phone is not null and p_birth_year is not null then
    select p.id into o_person from persons p
     where p.phone = p_phone and p.name_key = p_name_key and p.merged_into is null
       and p.birth_year = p_birth_year
       and (p.national_id is null or p_national_id is null)
     order by p.created_at
     limit 1;
  end if;
  if o_person is not null then
    update persons set last_seen_at = p_now where id = o_person and last_seen_at < p_now;
    o_created := false;
  else
    if v_nid is not null and exists (select 1 from persons where national_id = v_nid and merged_into is null) then
      v_nid := null;
    end if;
    insert into persons (full_name, name_key, birth_date, birth_year, sex, national_id, phone, address, commune_code,
                         source, created_at, updated_at, last_seen_at)
    values (p_full_name, p_name_key, p_birth_date, p_birth_year, p_sex, v_nid, p_phone, p_address, p_commune_code,
            p_source, p_now, p_now, p_now)
    returning id into o_person;
    o_created := true;
  end if;
  insert into person_devices (person_id, origin, created_at, last_used_at)
  values (o_person, p_origin, p_now, p_now)
  returning id into o_device;
end
$$;
