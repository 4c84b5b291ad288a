import { sql, type Generated, type Selectable } from 'kysely';
import type { DbOrTx } from '../../platform/db/types';

export interface AdminUnitTable {
  code: string;
  name: string;
  name_en: string | null;
  level: string;
  depth: number;
  parent_code: string | null;
  path: string;
  population: number | null;
  geometry: unknown | null;
  bbox: number[] | null;
  /** the boundary was drawn by Vigil (illustrative, e.g. the demo's generated districts), not imported */
  geometry_generated: Generated<boolean>;
  updated_at: Generated<Date>;
}

declare module '../../platform/db/types' {
  interface Database {
    admin_units: AdminUnitTable;
  }
}

export type AdminUnitRow = Selectable<AdminUnitTable>;

const listColumns = ['code', 'name', 'name_en', 'level', 'depth', 'parent_code', 'path', 'population'] as const;

export const findUnit = (db: DbOrTx, code: string) =>
  db
    .selectFrom('admin_units as u')
    .select(listColumns.map((c) => `u.${c}` as const))
    .select((eb) => [
      eb.selectFrom('admin_units as c').whereRef('c.parent_code', '=', 'u.code').select(eb.fn.countAll<string>().as('n')).as('child_count'),
      sql<boolean>`u.geometry is not null`.as('has_geometry'),
    ])
    .where('u.code', '=', code)
    .executeTakeFirst();

export interface UnitListFilter {
  parentCode?: string;
  codes?: string[];
  /** Search by name/code inside the subtree of this path. */
  q?: { text: string; pathPrefix: string };
  limit: number;
  offset: number;
}

export async function listUnits(db: DbOrTx, f: UnitListFilter) {
  let q = db.selectFrom('admin_units as u');
  if (f.parentCode) q = q.where('u.parent_code', '=', f.parentCode);
  if (f.codes) q = q.where('u.code', 'in', f.codes.length ? f.codes : ['']);
  if (f.q) {
    const like = `%${f.q.text.replace(/[%_\\]/g, '\\$&')}%`;
    q = q
      .where('u.path', 'like', `${f.q.pathPrefix}%`)
      .where((eb) => eb.or([eb('u.name', 'ilike', like), eb(sql`unaccent_vi(u.name)`, 'ilike', sql`unaccent_vi(${like})`), eb('u.code', '=', f.q!.text)]));
  }
  const [items, total] = await Promise.all([
    q
      .select(listColumns.map((c) => `u.${c}` as const))
      .select((eb) => [
        eb.selectFrom('admin_units as c').whereRef('c.parent_code', '=', 'u.code').select(eb.fn.countAll<string>().as('n')).as('child_count'),
        sql<boolean>`u.geometry is not null`.as('has_geometry'),
      ])
      .orderBy('u.depth')
      .orderBy('u.code')
      .limit(f.limit)
      .offset(f.offset)
      .execute(),
    q.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { items, total: Number(total.n) };
}

export const unitsWithGeometry = (db: DbOrTx, codes: { parentCode?: string; codes?: string[] }) => {
  let q = db
    .selectFrom('admin_units as u')
    .select(['u.code', 'u.name', 'u.name_en', 'u.level', 'u.population', 'u.geometry', 'u.geometry_generated'])
    .select((eb) => eb.selectFrom('admin_units as c').whereRef('c.parent_code', '=', 'u.code').select(eb.fn.countAll<string>().as('n')).as('child_count'))
    .where('u.geometry', 'is not', null);
  if (codes.parentCode) q = q.where('u.parent_code', '=', codes.parentCode);
  if (codes.codes) q = q.where('u.code', 'in', codes.codes.length ? codes.codes : ['']);
  return q.orderBy('u.code').execute();
};

export const allUnitsBrief = (db: DbOrTx) => db.selectFrom('admin_units').select(['code', 'name', 'level', 'path']).execute();

export const ancestorsOf = (db: DbOrTx, path: string) => {
  const codes = path.split('/').filter(Boolean);
  return db.selectFrom('admin_units').select(['code', 'name', 'name_en', 'level']).where('code', 'in', codes).orderBy('depth').execute();
};

/** Recompute depth and path of every unit from the parent links (after an import). */
export async function recomputePaths(db: DbOrTx) {
  await sql`
    with recursive tree as (
      select code, 0 as depth, '/' || code || '/' as path from admin_units where parent_code is null
      union all
      select u.code, t.depth + 1, t.path || u.code || '/' from admin_units u join tree t on u.parent_code = t.code
    )
    update admin_units a set depth = t.depth, path = t.path
    from tree t where a.code = t.code and (a.depth <> t.depth or a.path <> t.path)`.execute(db);
}
