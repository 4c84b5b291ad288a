-- First-visit forms in sets (the check-in batch, venues migration 0006): people_find_or_create_with_device (0005)
-- for many forms at once, with the same answers as calling it for each form in order, but set-based for the forms
-- that cannot affect one another. A form finds a record only through its phone (phone + name key + birth year), and
-- changes what another form finds only through its phone (the record it creates) or its ID number (a new record
-- does not take an ID number an active record holds). So:
--   * forms that share neither their phone nor their ID number with another form of the call are found or created
--     in ONE statement: one match look-up each, one insert of all new records, one insert of all device rows (it
--     was a plpgsql call per form with four statements of its own: ≈ 175 µs of PostgreSQL CPU a form row in the
--     check-in batch, bench/checkin-pg.ts);
--   * forms that share a phone or an ID number with another form (the same newcomer from two phones in one batch, a
--     household on one phone) go through people_find_or_create_with_device one at a time, in their order, exactly as
--     before: the later one matches the record the earlier created, or is refused its ID number.
--   The two groups share no phone and no ID number, so the order between them changes nothing.
-- Locks as before: every phone's and every ID number's advisory lock first (phones, then ID numbers, each sorted), so
-- the match runs after them and sees a record another transaction committed meanwhile, and no two callers deadlock.
-- Arguments: one element per row; a row with a null name key is no form (skipped). Returns one row per form:
-- its position (1-based), the person found or created, whether created, the new device row.
create function people_find_or_create_many(
  p_full_name text[], p_name_key text[], p_birth_date date[], p_birth_year smallint[], p_sex text[], p_national_id text[],
  p_phone text[], p_address text[], p_commune_code text[], p_source text, p_origin text, p_now timestamptz[],
  out n int, out person uuid, out created boolean, out device uuid)
returns setof record
language plpgsql volatile as $$
declare
  v_shared int[];
  r record;
begin
  perform pg_advisory_xact_lock(k) from (
    select distinct kind, hashtextextended(x, 7411) as k
    from (select 1 as kind, 'phone:' || ph as x from unnest(p_phone, p_name_key) u(ph, nk) where ph is not null and nk is not null
          union all
          select 2, 'nid:' || nid from unnest(p_national_id, p_name_key) u(nid, nk) where nid is not null and nk is not null) s
    order by kind, k) keys;

  -- the forms that share a phone or an ID number with another form of this call
  select coalesce(array_agg(x.i order by x.i), '{}') into v_shared
  from (select u.i::int as i, u.ph, u.nid, count(*) over (partition by u.ph) as same_phone, count(*) over (partition by u.nid) as same_nid
        from unnest(p_name_key, p_phone, p_national_id) with ordinality as u(nk, ph, nid, i)
        where u.nk is not null) x
  where (x.ph is not null and x.same_phone > 1) or (x.nid is not null and x.same_nid > 1);

  -- the others, in one statement (each of their phones and ID numbers is theirs alone within the call)
  return query
  with f as (
    select u.i::int as i, u.full_name, u.nk, u.birth_date, u.by, u.sex, u.nid, u.ph, u.address, u.commune, u.at
    from unnest(p_full_name, p_name_key, p_birth_date, p_birth_year, p_sex, p_national_id, p_phone, p_address, p_commune_code, p_now)
      with ordinality as u(full_name, nk, birth_date, by, sex, nid, ph, address, commune, at, i)
    where u.nk is not null and not (u.i::int = any(v_shared))
  ),
  -- the oldest active record with the same phone, name key and birth year, unless the ID numbers conflict
  m as (
    select f.*,
      case when f.ph is not null and f.by is not null then
        (select p.id from persons p
          where p.phone = f.ph and p.name_key = f.nk and p.merged_into is null and p.birth_year = f.by
            and (p.national_id is null or f.nid is null)
          order by p.created_at limit 1)
      end as matched
    from f
  ),
  touched as (
    update persons x set last_seen_at = m.at from m where x.id = m.matched and x.last_seen_at < m.at
    returning 1
  ),
  -- a new record does not take an ID number an active record holds
  fresh as (
    select m.i, gen_random_uuid() as id,
      case when m.nid is not null and exists (select 1 from persons x where x.national_id = m.nid and x.merged_into is null) then null else m.nid end as nid
    from m where m.matched is null
  ),
  made as (
    insert into persons (id, full_name, name_key, birth_date, birth_year, sex, national_id, phone, address, commune_code,
                         source, created_at, updated_at, last_seen_at)
    select fr.id, m.full_name, m.nk, m.birth_date, m.by, m.sex, fr.nid, m.ph, m.address, m.commune, p_source, m.at, m.at, m.at
    from fresh fr join m on m.i = fr.i
    returning 1
  ),
  res as (
    select m.i, coalesce(m.matched, fr.id) as person, m.matched is null as created, gen_random_uuid() as device, m.at
    from m left join fresh fr on fr.i = m.i
  ),
  dev as (
    insert into person_devices (id, person_id, origin, created_at, last_used_at)
    select res.device, res.person, p_origin, res.at, res.at from res
    returning 1
  )
  select res.i, res.person, res.created, res.device from res;

  -- the forms that share a key, one at a time in their order (the earlier one's record is there for the later)
  for i in 1 .. cardinality(v_shared) loop
    n := v_shared[i];
    select o_person, o_created, o_device into r from people_find_or_create_with_device(
      p_full_name[n], p_name_key[n], p_birth_date[n], p_birth_year[n], p_sex[n], p_national_id[n],
      p_phone[n], p_address[n], p_commune_code[n], p_source, p_origin, p_now[n]);
    person := r.o_person;
    created := r.o_created;
    device := r.o_device;
    return next;
  end loop;
end
$$;
