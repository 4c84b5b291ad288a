// A person's results: for officers (their area) and for citizens (their own record and their dependants'). A pooled
// positive is shown as "pool positive: retest", never as the person's positive.
import type { AuthUser } from '../../platform/auth/service';
import type { DbOrTx } from '../../platform/db/types';
import { dependantsOf, getPersonIdentities, resolvePersonId } from '../people';

async function resultsOf(db: DbOrTx, personId: string) {
  const rows = await db
    .selectFrom('sample_members as m')
    .innerJoin('samples as s', 's.id', 'm.sample_id')
    .leftJoin('sampling_points as p', 'p.id', 's.point_id')
    .select(['s.id', 's.tube_code', 's.test_type', 's.collected_at', 's.pool_size', 's.result', 's.resulted_at', 's.commune_code', 'p.name as point_name'])
    .where('m.person_id', '=', personId)
    .orderBy('s.collected_at', 'desc')
    .limit(200)
    .execute();
  const open = await db.selectFrom('testing_tasks').select(['sample_id', 'kind']).where('person_id', '=', personId).where('status', '=', 'open').execute();
  return rows.map((r) => ({
    sampleId: r.id,
    tubeCode: r.tube_code,
    testType: r.test_type,
    collectedAt: r.collected_at.toISOString(),
    pooled: r.pool_size > 1,
    outcome: r.result === null ? ('waiting' as const) : r.result === 'positive' && r.pool_size > 1 ? ('pool-positive' as const) : r.result,
    resultedAt: r.resulted_at?.toISOString() ?? null,
    pointName: r.point_name,
    openTask: open.find((t) => t.sample_id === r.id)?.kind ?? null,
    communeCode: r.commune_code,
  }));
}

export async function personResults(db: DbOrTx, requested: string) {
  const id = await resolvePersonId(db, requested);
  if (!id) return null;
  const person = (await getPersonIdentities(db, [id])).get(id);
  if (!person) return null;
  const items = await resultsOf(db, id);
  return {
    communeCode: person.communeCode,
    sampleCommunes: [...new Set(items.map((i) => i.communeCode))],
    results: { person: { id, fullName: person.fullName }, items: items.map(({ communeCode: _c, ...rest }) => rest) },
  };
}

export async function myResults(db: DbOrTx, user: AuthUser) {
  if (!user.personId) return [];
  const ids = [user.personId, ...(await dependantsOf(db, user.personId)).map((d) => d.id)];
  const out = [];
  for (const id of ids) {
    const r = await personResults(db, id);
    if (r) out.push(r.results);
  }
  return out;
}
