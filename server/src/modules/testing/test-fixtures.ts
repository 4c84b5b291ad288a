// Test fixtures of the testing module (not imported by production code): registry people written straight into the
// table, in a commune of Nghệ An (and one of another district).
import type { Db } from '../../platform/db/types';

let seq = 0;

export interface Scenario {
  commune: string;
  otherCommune: string;
  person(name: string, opts?: { commune?: string; phone?: string; nationalId?: string }): Promise<string>;
}

export async function scenario(db: Db): Promise<Scenario> {
  const communes = await db.selectFrom('admin_units').select(['code', 'parent_code']).where('level', '=', 'commune').where('path', 'like', '/VN/40/%').orderBy('code').execute();
  const commune = communes[0]!.code;
  const otherCommune = communes.find((c) => c.parent_code !== communes[0]!.parent_code)!.code;
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
          phone: opts.phone ?? `+8491${String(1_000_000 + n * 37 + (process.pid % 1000)).slice(-7)}`,
          national_id: opts.nationalId ?? null,
          commune_code: opts.commune ?? commune,
          source: 'officer',
        } as never)
        .returning('id')
        .executeTakeFirstOrThrow();
      return (r as { id: string }).id;
    },
  };
}
