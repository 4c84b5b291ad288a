// The province both check-in benches write into (checkin.ts over HTTP, checkin-pg.ts the statement alone): the
// schema migrated, the demo administrative units, `venues` approved venues with one entrance each, `people` people.
import { sql } from 'kysely';
import type { Db } from '../server/src/platform/db/types';
import { migrate } from '../server/src/platform/db';
import { migrationSources } from '../server/src/platform/cli';
import { modules } from '../server/src/modules';
import { seedGeoDemo } from '../server/src/modules/geo';

/** Returns the commune codes. */
export async function seedCheckinProvince(db: Db, o: { venues: number; people: number }): Promise<string[]> {
  await migrate(db, migrationSources(modules));
  await seedGeoDemo(db, ['province', 'district', 'commune']);
  const communes = (await db.selectFrom('admin_units').select('code').where('level', '=', 'commune').execute()).map((r) => r.code);
  await sql`
    insert into venues (code, name, type, commune_code, status, default_stay_minutes)
    select 'B-' || i, 'Địa điểm ' || i, 'market', (${communes}::text[])[1 + i % ${communes.length}], 'approved', 60
    from generate_series(1, ${o.venues}) i`.execute(db);
  await sql`insert into venue_entrances (venue_id, name) select id, 'Lối vào chính' from venues`.execute(db);
  await sql`
    insert into persons (full_name, name_key, phone, commune_code, source)
    select 'Người ' || i, 'nguoi ' || i, '+8491' || lpad(i::text, 7, '0'), (${communes}::text[])[1 + i % ${communes.length}], 'checkin'
    from generate_series(1, ${o.people}) i`.execute(db);
  return communes;
}

/** Base-26 letters for a number (names may not contain digits). */
export const letters = (n: number) => {
  let s = '';
  do {
    s = String.fromCharCode(97 + (n % 26)) + s;
    n = Math.floor(n / 26);
  } while (n > 0);
  return s;
};
