// Hand-built tracing scenarios for the tests (not imported by production code): people, venues, stays, households
// and venue declarations written straight into the tables, so every expected answer can be worked out by hand.
import type { Db } from '../../platform/db/types';
import { sql } from 'kysely';

let seq = 0;

export interface Scenario {
  person(name: string, opts?: { commune?: string; phone?: string; nationalId?: string }): Promise<string>;
  venue(code: string, defaultStayMinutes?: number): Promise<string>;
  /** a stay: check-in at `at` (ISO), explicit check-out `out` or none (the venue's default stay applies) */
  stay(person: string, venue: string, at: string, out?: string | null): Promise<void>;
  household(manager: string, dependant: string): Promise<void>;
  declareAt(person: string, venue: string, at: string): Promise<void>;
  commune: string;
  otherCommune: string;
}

export async function scenario(db: Db): Promise<Scenario> {
  const communes = await db.selectFrom('admin_units').select(['code', 'parent_code']).where('level', '=', 'commune').where('path', 'like', '/VN/40/%').orderBy('code').execute();
  const commune = communes[0]!.code;
  const otherCommune = communes.find((c) => c.parent_code !== communes[0]!.parent_code)!.code;
  const stays = new Map<string, number>();
  return {
    commune,
    otherCommune,
    async person(name, opts = {}) {
      const n = ++seq;
      const r = await db
        .insertInto('persons')
        .values({
          full_name: name,
          name_key: name.toLowerCase().normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/g, 'd'),
          phone: opts.phone ?? `+8491${String(1_000_000 + n * 37 + process.pid % 1000).slice(-7)}`,
          national_id: opts.nationalId ?? null,
          commune_code: opts.commune ?? commune,
          source: 'officer',
        } as never)
        .returning('id')
        .executeTakeFirstOrThrow();
      return (r as { id: string }).id;
    },
    async venue(code, defaultStayMinutes = 60) {
      const r = await db
        .insertInto('venues')
        .values({ code: `${code}-${++seq}`, name: `Venue ${code}`, type: 'market', commune_code: commune, default_stay_minutes: defaultStayMinutes, status: 'approved' } as never)
        .returning('id')
        .executeTakeFirstOrThrow();
      const id = (r as { id: string }).id;
      stays.set(id, defaultStayMinutes);
      return id;
    },
    async stay(person, venue, at, out = null) {
      const inAt = new Date(at);
      if (!stays.has(venue)) stays.set(venue, (await db.selectFrom('venues').select('default_stay_minutes').where('id', '=', venue).executeTakeFirstOrThrow()).default_stay_minutes);
      const auto = new Date(inAt.getTime() + Math.min(stays.get(venue)!, 720) * 60_000);
      const day = inAt.toISOString().slice(0, 10); // check-ins are partitioned by UTC day (venues module)
      await sql`select checkins_create_partitions(${day}::date, ${day}::date)`.execute(db);
      await sql`insert into checkins (client_id, person_id, venue_id, checkin_at, checkout_at, auto_checkout_at, source)
        values (gen_random_uuid(), ${person}, ${venue}, ${inAt}, ${out ? new Date(out) : null}, ${auto}, 'import')`.execute(db);
    },
    async household(manager, dependant) {
      await sql`insert into person_links (manager_id, dependant_id, relationship) values (${manager}, ${dependant}, 'child')`.execute(db);
    },
    async declareAt(person, venue, at) {
      await sql`insert into declarations (form_key, form_version, kind, subject_person_id, channel, venue_id, responsible_unit_code, answers, submitted_at)
        values ('venue', 1, 'venue', ${person}, 'public', ${venue}, ${commune}, '{}'::jsonb, ${new Date(at)})`.execute(db);
    },
  };
}
