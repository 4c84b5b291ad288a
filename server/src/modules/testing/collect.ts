// Sample collection: one tube, its test type, and the one or more people in it (a pool). Checks the pool size the
// test type allows, that the tube code is new, that nobody is in another tube of the same day still waiting for
// its result; a phone's client id makes a resubmission (offline queue) return the sample already stored.
// Collecting a sample from someone with an open retest (individual tube) or resample task closes that task.
import { sql } from 'kysely';
import type { DbOrTx } from '../../platform/db/types';
import { AppError, conflict, invalidField } from '../../platform/http/errors';
import type { AppContext } from '../../platform/module';
import { localDay } from '../../platform/time';
import type { SampleSubmission } from './schema';
import type { SampleRow } from './tables';
import { resolveSamplePerson, type Resolved } from './who';

/** How far ahead of the server clock a phone's collection time may be (clock drift). */
const FUTURE_SLACK_MS = 15 * 60_000;
/** How old a collection an offline phone (or a file) may still submit. */
const MAX_AGE_DAYS = 60;

export interface CollectOptions {
  userId: string | null;
  source: 'app' | 'import';
  now: Date;
  /** throws 403 unless the caller may collect samples in this commune */
  authorize(communeCode: string): Promise<void>;
  /** who the people are (defaults to tokens/typed details of a submission) */
  resolve?: (index: number, defaultCommune: string) => Promise<Resolved>;
  /** prefix of field paths in errors ('body', 'body.items[3]', 'line') */
  prefix?: string;
}

export interface Collected {
  sample: SampleRow;
  replay: boolean;
  created: Set<string>;
}

const uniqueViolation = (err: unknown, constraint: string) => (err as { code?: string; constraint?: string }).code === '23505' && (err as { constraint?: string }).constraint === constraint;

export async function sampleByClientId(db: DbOrTx, clientId: string) {
  return db.selectFrom('samples').selectAll().where('client_id', '=', clientId).executeTakeFirst();
}

function replayOf(existing: SampleRow, userId: string | null, path: string): Collected {
  // a client id is the phone's own: someone else's id never reveals their sample
  if (existing.collected_by !== userId) throw new AppError(409, 'CONFLICT', `${path}: was already used by another submission`, [{ path, message: 'already used' }]);
  return { sample: existing, replay: true, created: new Set() };
}

export async function collectSample(ctx: AppContext, input: SampleSubmission, o: CollectOptions): Promise<Collected> {
  const p = o.prefix ?? 'body';
  if (input.clientId) {
    const existing = await sampleByClientId(ctx.db, input.clientId);
    if (existing) return replayOf(existing, o.userId, `${p}.clientId`);
  }
  const tube = input.tubeCode.trim();
  const type = await ctx.db.selectFrom('test_types').selectAll().where('code', '=', input.testType).executeTakeFirst();
  if (!type || !type.active) throw invalidField(`${p}.testType`, `is not a known test type ("${input.testType}")`);
  if (input.people.length > type.max_pool)
    throw invalidField(`${p}.people`, `a tube of ${type.code} holds at most ${type.max_pool} ${type.max_pool === 1 ? 'person' : 'people'} (${input.people.length} given)`);

  let pointId: string | null = null;
  let commune: string | null = null;
  if (input.pointCode) {
    const point = await ctx.db.selectFrom('sampling_points').selectAll().where('code', '=', input.pointCode).executeTakeFirst();
    if (!point || !point.active) throw invalidField(`${p}.pointCode`, `is not an active sampling point ("${input.pointCode}")`);
    pointId = point.id;
    commune = point.commune_code;
  } else if (input.communeCode) {
    const u = await ctx.access.resolver.unit(input.communeCode);
    if (!u || u.level === 'country') throw invalidField(`${p}.communeCode`, `is not a known administrative unit ("${input.communeCode}")`);
    commune = u.code;
  } else throw invalidField(`${p}.pointCode`, 'give the sampling point (or the commune of the sample)');
  await o.authorize(commune);

  const collectedAt = new Date(input.collectedAt);
  if (Number.isNaN(collectedAt.getTime())) throw invalidField(`${p}.collectedAt`, 'is not a valid instant');
  if (collectedAt.getTime() > o.now.getTime() + FUTURE_SLACK_MS) throw invalidField(`${p}.collectedAt`, 'is in the future');
  if (collectedAt.getTime() < o.now.getTime() - MAX_AGE_DAYS * 86400_000) throw invalidField(`${p}.collectedAt`, `is more than ${MAX_AGE_DAYS} days ago`);
  const day = localDay(collectedAt, ctx.config.timeZone);

  try {
    return await ctx.db.transaction().execute(async (tx) => {
      // one writer per tube code: the second of two racing submissions sees the first
      await sql`select pg_advisory_xact_lock(hashtextextended(${`tube:${tube}`}, 7412))`.execute(tx);
      if (input.clientId) {
        const again = await sampleByClientId(tx, input.clientId);
        if (again) return replayOf(again, o.userId, `${p}.clientId`);
      }
      const used = await tx.selectFrom('samples').select(['collected_on']).where('tube_code', '=', tube).executeTakeFirst();
      if (used) throw conflict(`${p}.tubeCode: tube ${tube} was already collected (${used.collected_on})`, [{ path: `${p}.tubeCode`, message: 'was already collected' }]);

      const people: string[] = [];
      const created = new Set<string>();
      for (let i = 0; i < input.people.length; i++) {
        const path = `${p}.people[${i}]`;
        const r = o.resolve ? await o.resolve(i, commune) : await resolveSamplePerson(ctx, tx, input.people[i]!, commune, o.now, path, o.userId);
        if (people.includes(r.personId)) throw invalidField(path, 'is the same person as another one in this tube');
        people.push(r.personId);
        if (r.created) created.add(r.personId);
      }
      const open = await tx
        .selectFrom('sample_members as m')
        .innerJoin('samples as s', 's.id', 'm.sample_id')
        .select(['m.person_id', 's.tube_code'])
        .where('m.person_id', 'in', people)
        .where('s.collected_on', '=', day)
        .where('s.result', 'is', null)
        .execute();
      if (open.length) {
        const i = people.indexOf(open[0]!.person_id);
        throw conflict(`${p}.people[${i}]: is already in tube ${open[0]!.tube_code} of the same day, still waiting for its result`, [
          { path: `${p}.people[${i}]`, message: `already in tube ${open[0]!.tube_code} of ${day}` },
        ]);
      }

      const sample = await tx
        .insertInto('samples')
        .values({
          tube_code: tube,
          test_type: type.code,
          collected_at: collectedAt,
          collected_on: day,
          point_id: pointId,
          commune_code: commune,
          collector: input.collector ?? '',
          collected_by: o.userId,
          client_id: input.clientId ?? null,
          pool_size: people.length,
          source: o.source,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      await tx
        .insertInto('sample_members')
        .values(people.map((person_id, position) => ({ sample_id: sample.id, person_id, position })))
        .execute();
      // the sample does the people's open tasks: a resample in any tube, a retest only in an individual tube
      let closing = tx
        .updateTable('testing_tasks')
        .set({ status: 'done', closed_at: o.now, closed_by: o.userId, done_sample_id: sample.id })
        .where('person_id', 'in', people)
        .where('status', '=', 'open');
      if (people.length > 1) closing = closing.where('kind', '=', 'resample');
      await closing.execute();
      return { sample, replay: false, created };
    });
  } catch (err) {
    // a racing submission with the same client id committed first: answer as a replay
    if (input.clientId && uniqueViolation(err, 'samples_client_id_key')) {
      const existing = await sampleByClientId(ctx.db, input.clientId);
      if (existing) return replayOf(existing, o.userId, `${p}.clientId`);
    }
    if (uniqueViolation(err, 'samples_tube_code_key')) throw conflict(`${p}.tubeCode: tube ${tube} was already collected`, [{ path: `${p}.tubeCode`, message: 'was already collected' }]);
    throw err;
  }
}
