// Sampling points: a site (code, name) in a commune, with its team. Created and changed by the area's officers.
import type { Access } from '../../platform/auth/access';
import type { JurisdictionResolver } from '../../platform/auth/jurisdiction';
import type { AuthUser } from '../../platform/auth/service';
import type { DbOrTx } from '../../platform/db/types';
import { conflict, invalidField, notFound } from '../../platform/http/errors';
import type { SamplingPoint } from './schema';

type PointRow = { id: string; code: string; name: string; commune_code: string; team: string; active: boolean };

async function present(resolver: JurisdictionResolver, rows: PointRow[]): Promise<SamplingPoint[]> {
  const names = new Map<string, string>();
  for (const c of new Set(rows.map((r) => r.commune_code))) names.set(c, (await resolver.unit(c))?.name ?? c);
  return rows.map((r) => ({ id: r.id, code: r.code, name: r.name, communeCode: r.commune_code, communeName: names.get(r.commune_code) ?? r.commune_code, team: r.team, active: r.active }));
}

export async function listPoints(db: DbOrTx, resolver: JurisdictionResolver, scope: string[] | null, includeInactive: boolean) {
  let q = db.selectFrom('sampling_points').select(['id', 'code', 'name', 'commune_code', 'team', 'active']);
  if (scope) q = q.where('commune_code', 'in', scope.length ? scope : ['-']);
  if (!includeInactive) q = q.where('active', '=', true);
  return present(resolver, await q.orderBy('code').limit(2000).execute());
}

export async function createPoint(db: DbOrTx, access: Access, user: AuthUser, b: { code: string; name: string; communeCode: string; team?: string }) {
  const u = await access.resolver.unit(b.communeCode);
  if (!u || u.level === 'country') throw invalidField('body.communeCode', `is not a known administrative unit ("${b.communeCode}")`);
  await access.authorize(user, 'testing.manage', { unitCode: u.code });
  const row = await db
    .insertInto('sampling_points')
    .values({ code: b.code, name: b.name.trim(), commune_code: u.code, team: b.team?.trim() ?? '', created_by: user.id })
    .onConflict((oc) => oc.column('code').doNothing())
    .returning(['id', 'code', 'name', 'commune_code', 'team', 'active'])
    .executeTakeFirst();
  if (!row) throw conflict(`body.code: sampling point ${b.code} exists already`, [{ path: 'body.code', message: 'exists already' }]);
  return (await present(access.resolver, [row]))[0]!;
}

export async function updatePoint(db: DbOrTx, access: Access, user: AuthUser, id: string, b: { name?: string; team?: string; active?: boolean }) {
  const cur = await db.selectFrom('sampling_points').select(['id', 'commune_code']).where('id', '=', id).executeTakeFirst();
  if (!cur) throw notFound('Sampling point');
  await access.authorize(user, 'testing.manage', { unitCode: cur.commune_code });
  const row = await db
    .updateTable('sampling_points')
    .set({ ...(b.name !== undefined && { name: b.name.trim() }), ...(b.team !== undefined && { team: b.team.trim() }), ...(b.active !== undefined && { active: b.active }) })
    .where('id', '=', id)
    .returning(['id', 'code', 'name', 'commune_code', 'team', 'active'])
    .executeTakeFirstOrThrow();
  return (await present(access.resolver, [row]))[0]!;
}
