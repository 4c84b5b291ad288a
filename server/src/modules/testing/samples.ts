// Sample lists and one sample's result history and tasks.
import type { DbOrTx } from '../../platform/db/types';
import type { SampleListQuery } from './schema';

export async function listSamples(db: DbOrTx, scope: string[] | null, q: SampleListQuery) {
  let base = db.selectFrom('samples');
  if (scope) base = base.where('commune_code', 'in', scope.length ? scope : ['-']);
  if (q.day) base = base.where('collected_on', '=', q.day);
  if (q.tube) base = base.where('tube_code', '=', q.tube.trim());
  if (q.status === 'waiting') base = base.where('result', 'is', null);
  else if (q.status) base = base.where('result', '=', q.status);
  if (q.point) {
    const point = await db.selectFrom('sampling_points').select('id').where('code', '=', q.point).executeTakeFirst();
    base = base.where('point_id', '=', point?.id ?? '00000000-0000-0000-0000-000000000000');
  }
  const [rows, total] = await Promise.all([
    base.selectAll().orderBy('collected_at', 'desc').orderBy('tube_code').limit(q.limit).offset(q.offset).execute(),
    base.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(total.n) };
}

export async function sampleDetail(db: DbOrTx, id: string) {
  const sample = await db.selectFrom('samples').selectAll().where('id', '=', id).executeTakeFirst();
  if (!sample) return null;
  const results = await db.selectFrom('test_results').selectAll().where('sample_id', '=', id).orderBy('id').execute();
  const tasks = await db.selectFrom('testing_tasks').selectAll().where('sample_id', '=', id).orderBy('created_at').execute();
  const byId = new Map(results.map((r) => [r.id, r]));
  return {
    sample,
    history: results.map((r) => {
      const old = r.replaces_id ? byId.get(r.replaces_id) : undefined;
      return {
        id: r.id,
        result: r.result,
        resultedAt: r.resulted_at.toISOString(),
        labCode: r.lab_code,
        recordedAt: r.recorded_at.toISOString(),
        source: r.source,
        replaces: old ? { id: old.id, result: old.result } : null,
        reason: r.reason,
      };
    }),
    tasks: tasks.map((t) => ({ id: t.id, kind: t.kind, personId: t.person_id, status: t.status, createdAt: t.created_at.toISOString() })),
  };
}
