// Retest and resample tasks: listed for the area's teams, closed when a new sample is collected from the person
// (collect.ts) or by hand (done elsewhere, or cancelled with a note).
import type { DbOrTx } from '../../platform/db/types';
import { conflict, notFound } from '../../platform/http/errors';
import { getPersonIdentities, maskPhone } from '../people';
import type { Task, TaskListQuery } from './schema';

type TaskJoined = {
  id: string;
  kind: 'retest' | 'resample';
  status: string;
  created_at: Date;
  closed_at: Date | null;
  note: string;
  tube_code: string;
  sample_id: string;
  commune_code: string;
  person_id: string;
  done_sample_id: string | null;
};

const taskBase = (db: DbOrTx) => db.selectFrom('testing_tasks as t').innerJoin('samples as s', 's.id', 't.sample_id');
const taskColumns = ['t.id', 't.kind', 't.status', 't.created_at', 't.closed_at', 't.note', 's.tube_code', 't.sample_id', 't.commune_code', 't.person_id', 't.done_sample_id'] as const;

async function present(db: DbOrTx, rows: TaskJoined[], fullPhone: boolean): Promise<Task[]> {
  const people = await getPersonIdentities(db, rows.map((r) => r.person_id));
  return rows.map((r) => {
    const p = people.get(r.person_id);
    return {
      id: r.id,
      kind: r.kind,
      status: r.status,
      since: r.created_at.toISOString(),
      closedAt: r.closed_at?.toISOString() ?? null,
      note: r.note,
      tubeCode: r.tube_code,
      sampleId: r.sample_id,
      communeCode: r.commune_code,
      person: { id: r.person_id, fullName: p?.fullName ?? '', phone: p?.phone ? (fullPhone ? p.phone : maskPhone(p.phone)) : null, birthYear: p?.birthYear ?? null },
      doneSampleId: r.done_sample_id,
    };
  });
}

export async function listTasks(db: DbOrTx, scope: string[] | null, q: TaskListQuery, o: { fullPhone: boolean }) {
  let base = taskBase(db).where('t.status', '=', q.status);
  if (scope) base = base.where('t.commune_code', 'in', scope.length ? scope : ['-']);
  if (q.kind) base = base.where('t.kind', '=', q.kind);
  const [rows, total] = await Promise.all([
    base.select(taskColumns).orderBy('t.created_at').orderBy('s.tube_code').limit(q.limit).offset(q.offset).execute(),
    base.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { items: await present(db, rows as TaskJoined[], o.fullPhone), total: Number(total.n) };
}

export async function closeTask(
  db: DbOrTx,
  id: string,
  b: { status: 'done' | 'cancelled'; note?: string },
  o: { userId: string; now: Date; authorize(unitCode: string): Promise<void>; fullPhone: boolean },
): Promise<Task> {
  const cur = await db.selectFrom('testing_tasks').select(['id', 'commune_code', 'status']).where('id', '=', id).executeTakeFirst();
  if (!cur) throw notFound('Task');
  await o.authorize(cur.commune_code);
  const row = await db
    .updateTable('testing_tasks')
    .set({ status: b.status, closed_at: o.now, closed_by: o.userId, note: b.note?.trim() ?? '' })
    .where('id', '=', id)
    .where('status', '=', 'open')
    .returning('id')
    .executeTakeFirst();
  if (!row) throw conflict(`The task is already ${cur.status}`);
  const full = await taskBase(db).select(taskColumns).where('t.id', '=', id).executeTakeFirstOrThrow();
  return (await present(db, [full as TaskJoined], o.fullPhone))[0]!;
}

/** `vigil testing retests --json`: open retest tasks with the person's national ID and phone (for the teams' lists). */
export async function openRetests(db: DbOrTx) {
  const rows = (await taskBase(db).select(taskColumns).where('t.status', '=', 'open').where('t.kind', '=', 'retest').orderBy('t.created_at').orderBy('s.tube_code').execute()) as TaskJoined[];
  const people = await getPersonIdentities(db, rows.map((r) => r.person_id));
  return rows.map((r) => {
    const p = people.get(r.person_id);
    return { tube_code: r.tube_code, person_id: r.person_id, person_name: p?.fullName ?? null, national_id: p?.nationalId ?? null, phone: p?.phone ?? null, commune_code: r.commune_code, since: r.created_at.toISOString() };
  });
}
