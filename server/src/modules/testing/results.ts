// Lab results by tube, one or many at a time (a lab's file is recorded in chunks, a chunk in one transaction: set-based
// statements, not one transaction per line). The same result again changes nothing; another result is a correction,
// kept with the one it replaces and the reason. What a (new) result sets off, in the same transaction:
//   pooled positive     → one individual-retest task per person in the tube
//   individual positive → `test.positive` (cases confirms a case and tracing starts)
//   invalid             → one resample task per person
//   every result        → a notice per person (SMS through `messaging.requested` when they have a phone; recorded)
// A correction away from positive/invalid cancels the open tasks the earlier result opened.
import { sql } from 'kysely';
import type { DbOrTx } from '../../platform/db/types';
import { AppError } from '../../platform/http/errors';
import type { AppContext } from '../../platform/module';
import { getPersonIdentities } from '../people';
import type { ResultValue } from './schema';
import type { SampleRow, TestResultRow } from './tables';
import './events';

export interface ResultInput {
  tubeCode: string;
  result: ResultValue;
  resultedAt: Date;
  labCode: string | null;
  reason?: string | null;
  /** field path prefix of this line's errors ('body', 'line') */
  path: string;
}

export interface ResultOptions {
  now: Date;
  userId: string | null;
  source: 'entry' | 'upload' | 'import';
  /** false when the caller may not record results for this commune's samples (the line is refused, 403) */
  allowed(communeCode: string): Promise<boolean>;
  /** a correction without a reason: refused (a lab page), or given this one (a re-imported file) */
  defaultReason?: string;
}

export type LineOutcome =
  | { status: 'recorded' | 'unchanged' | 'corrected'; sample: SampleRow; retestTasks: number; resampleTasks: number }
  | { status: 'error'; error: AppError };

const RESULT_TEXT: Record<ResultValue | 'pool-positive', string> = {
  negative: 'ÂM TÍNH',
  positive: 'DƯƠNG TÍNH, cơ quan y tế sẽ liên hệ với bạn',
  'pool-positive': 'mẫu gộp DƯƠNG TÍNH, bạn cần lấy mẫu xét nghiệm lại riêng',
  invalid: 'mẫu không đạt, bạn cần lấy mẫu lại',
};

const fieldError = (status: number, code: string, path: string, message: string) => new AppError(status, code, `${path}: ${message}`, [{ path, message }]);

/** Why a result at `resultedAt` cannot belong to a sample collected at `collectedAt` (10 min of clock drift allowed). */
function resultTimeProblem(resultedAt: Date, collectedAt: Date, now: Date): string | null {
  if (Number.isNaN(resultedAt.getTime())) return 'is not a valid instant';
  if (resultedAt.getTime() > now.getTime() + 15 * 60_000) return 'is in the future';
  if (resultedAt.getTime() < collectedAt.getTime() - 10 * 60_000) return `is before the sample was collected (${collectedAt.toISOString()})`;
  return null;
}

/** One result (the lab page): an error becomes the thrown 4xx. */
export async function recordResult(ctx: AppContext, input: ResultInput, o: ResultOptions) {
  const [out] = await recordResults(ctx, [input], o);
  if (out!.status === 'error') throw out!.error;
  return out!;
}

/** Many results in one transaction; every line gets its outcome (errors do not stop the others). */
export async function recordResults(ctx: AppContext, inputs: ResultInput[], o: ResultOptions): Promise<LineOutcome[]> {
  return ctx.db.transaction().execute(async (tx) => {
    const tubes = [...new Set(inputs.map((i) => i.tubeCode.trim()))];
    // array parameters (one per column), not thousands of placeholders: a lab file is written 1000 lines at a time
    const samples = new Map((await sql<SampleRow>`select * from samples where tube_code = any(${tubes}::text[]) order by tube_code for update`.execute(tx)).rows.map((s) => [s.tube_code, s]));
    const currentIds = [...samples.values()].map((s) => s.result_id).filter((x): x is string => !!x);
    const current = new Map(currentIds.length ? (await sql<TestResultRow>`select * from test_results where id = any(${currentIds}::bigint[])`.execute(tx)).rows.map((r) => [r.sample_id, r]) : []);
    const allowed = new Map<string, boolean>();
    const out: LineOutcome[] = [];
    const todo: { i: number; input: ResultInput; sample: SampleRow; previous: TestResultRow | null; reason: string | null }[] = [];
    const seen = new Map<string, ResultValue>();
    for (const [i, input] of inputs.entries()) {
      const tube = input.tubeCode.trim();
      const sample = samples.get(tube);
      const p = input.path;
      if (!sample) {
        out[i] = { status: 'error', error: fieldError(404, 'NOT_FOUND', `${p}.tubeCode`, `no sample was collected in tube ${tube}`) };
        continue;
      }
      if (!allowed.has(sample.commune_code)) allowed.set(sample.commune_code, await o.allowed(sample.commune_code));
      if (!allowed.get(sample.commune_code)) {
        out[i] = { status: 'error', error: fieldError(403, 'FORBIDDEN', `${p}.tubeCode`, 'that sample is outside your jurisdiction') };
        continue;
      }
      const problem = resultTimeProblem(input.resultedAt, sample.collected_at, o.now);
      if (problem) {
        out[i] = { status: 'error', error: fieldError(400, 'VALIDATION', `${p}.resultedAt`, problem) };
        continue;
      }
      // the same tube twice in one batch: a second, different result is not a correction anybody asked for
      const earlier = seen.get(tube);
      if (earlier !== undefined) {
        out[i] = earlier === input.result ? { status: 'unchanged', sample, retestTasks: 0, resampleTasks: 0 } : { status: 'error', error: fieldError(400, 'VALIDATION', `${p}.result`, `tube ${tube} has another result (${earlier}) earlier in this file`) };
        continue;
      }
      seen.set(tube, input.result);
      const previous = current.get(sample.id) ?? null;
      if (previous && previous.result === input.result) {
        out[i] = { status: 'unchanged', sample, retestTasks: 0, resampleTasks: 0 };
        continue;
      }
      const reason = input.reason?.trim() || (previous ? o.defaultReason : null) || null;
      if (previous && !reason) {
        out[i] = { status: 'error', error: fieldError(400, 'VALIDATION', `${p}.reason`, `tube ${tube} already has the result ${previous.result}: a correction needs a reason`) };
        continue;
      }
      todo.push({ i, input, sample, previous, reason });
    }
    if (!todo.length) return out;

    const rows = (
      await sql<TestResultRow>`
        insert into test_results (sample_id, result, resulted_at, lab_code, recorded_at, recorded_by, source, replaces_id, reason)
        select v.sample_id, v.result, v.resulted_at, v.lab_code, ${o.now}, ${o.userId}::bigint, ${o.source}, v.replaces_id, v.reason
        from unnest(${todo.map((t) => t.sample.id)}::uuid[], ${todo.map((t) => t.input.result)}::text[], ${todo.map((t) => t.input.resultedAt.toISOString())}::timestamptz[],
                    ${todo.map((t) => t.input.labCode || null)}::text[], ${todo.map((t) => t.previous?.id ?? null)}::bigint[], ${todo.map((t) => (t.previous ? t.reason : null))}::text[])
             as v(sample_id, result, resulted_at, lab_code, replaces_id, reason)
        returning *`.execute(tx)
    ).rows;
    const bySample = new Map(rows.map((r) => [r.sample_id, r]));
    const updated = await sql<SampleRow>`
      update samples s set result = r.result, resulted_at = r.resulted_at, lab_code = r.lab_code, result_id = r.id
      from test_results r where r.id = any(${rows.map((r) => r.id)}::bigint[]) and s.id = r.sample_id returning s.*`.execute(tx);
    const fresh = new Map(updated.rows.map((s) => [s.id, s]));
    const effects = await applyEffects(ctx, tx, todo.map((t) => ({ sample: fresh.get(t.sample.id)!, row: bySample.get(t.sample.id)!, previous: t.previous })), o.now);
    for (const t of todo)
      out[t.i] = { status: t.previous ? 'corrected' : 'recorded', sample: fresh.get(t.sample.id)!, ...(effects.get(t.sample.id) ?? { retestTasks: 0, resampleTasks: 0 }) };
    return out;
  });
}

type Change = { sample: SampleRow; row: TestResultRow; previous: TestResultRow | null };

async function applyEffects(ctx: AppContext, tx: DbOrTx, changes: Change[], now: Date) {
  const ids = changes.map((c) => c.sample.id);
  const members = (await sql<{ sample_id: string; person_id: string }>`select sample_id, person_id from sample_members where sample_id = any(${ids}::uuid[]) order by sample_id, position`.execute(tx)).rows;
  const peopleOf = new Map<string, string[]>();
  for (const m of members) peopleOf.set(m.sample_id, [...(peopleOf.get(m.sample_id) ?? []), m.person_id]);

  // corrections away from what opened tasks cancel them
  const cancel = (kind: 'retest' | 'resample', sampleIds: string[]) =>
    sampleIds.length
      ? sql`update testing_tasks set status = 'cancelled', closed_at = ${now}, note = 'the result that opened it was corrected'
            where sample_id = any(${sampleIds}::uuid[]) and kind = ${kind} and status = 'open'`.execute(tx)
      : null;
  await cancel('retest', changes.filter((c) => c.previous?.result === 'positive' && c.sample.pool_size > 1).map((c) => c.sample.id));
  await cancel('resample', changes.filter((c) => c.previous?.result === 'invalid').map((c) => c.sample.id));

  const effects = new Map<string, { retestTasks: number; resampleTasks: number }>();
  const tasks: { kind: 'retest' | 'resample'; person_id: string; sample_id: string; commune_code: string }[] = [];
  for (const c of changes) {
    const kind = c.row.result === 'positive' && c.sample.pool_size > 1 ? 'retest' : c.row.result === 'invalid' ? 'resample' : null;
    if (!kind) continue;
    const people = peopleOf.get(c.sample.id) ?? [];
    for (const person_id of people) tasks.push({ kind, person_id, sample_id: c.sample.id, commune_code: c.sample.commune_code });
    effects.set(c.sample.id, { retestTasks: kind === 'retest' ? people.length : 0, resampleTasks: kind === 'resample' ? people.length : 0 });
  }
  // a task cancelled by an earlier correction opens again when the result comes back to what opened it
  if (tasks.length)
    await sql`
      insert into testing_tasks (kind, person_id, sample_id, commune_code, created_at)
      select v.kind, v.person_id, v.sample_id, v.commune_code, ${now}
      from unnest(${tasks.map((x) => x.kind)}::text[], ${tasks.map((x) => x.person_id)}::uuid[], ${tasks.map((x) => x.sample_id)}::uuid[], ${tasks.map((x) => x.commune_code)}::text[])
           as v(kind, person_id, sample_id, commune_code)
      on conflict (kind, sample_id, person_id) do update set status = 'open', closed_at = null, closed_by = null, created_at = ${now}
        where testing_tasks.status = 'cancelled'`.execute(tx);

  // an individual positive corrected to another result: the case it made may have to be undone (cases decides)
  const withdrawn = changes.filter((c) => c.previous?.result === 'positive' && c.row.result !== 'positive' && c.sample.pool_size === 1);
  for (const c of withdrawn) {
    const personId = peopleOf.get(c.sample.id)![0]!;
    const others = (await sql<{ id: string }>`
      select s.id from sample_members m join samples s on s.id = m.sample_id
      where m.person_id = ${personId} and s.pool_size = 1 and s.result = 'positive' and s.id <> ${c.sample.id}`.execute(tx)).rows;
    await ctx.events.publish(tx, 'test.positive-withdrawn', {
      testId: c.sample.id,
      personId,
      result: c.row.result as 'negative' | 'invalid',
      reason: c.row.reason ?? '',
      correctedAt: now.toISOString(),
      otherPositiveTestIds: others.map((o) => o.id),
    });
  }
  for (const c of changes) {
    if (c.row.result !== 'positive' || c.sample.pool_size > 1) continue;
    await ctx.events.publish(tx, 'test.positive', {
      testId: c.sample.id,
      personId: peopleOf.get(c.sample.id)![0]!,
      sampledOn: c.sample.collected_on,
      resultAt: c.row.resulted_at.toISOString(),
      communeCode: c.sample.commune_code,
      setting: 'community',
    });
  }
  await notify(ctx, tx, changes, peopleOf, now);
  return effects;
}

/** One notice per person and result: recorded here, and sent by SMS (one messaging request per batch) to those with a phone. */
async function notify(ctx: AppContext, tx: DbOrTx, changes: Change[], peopleOf: Map<string, string[]>, now: Date) {
  const who = await getPersonIdentities(tx, [...peopleOf.values()].flat());
  const notices: { result_id: string; person_id: string; kind: 'negative' | 'positive' | 'pool-positive' | 'invalid'; channel: 'sms' | 'none' }[] = [];
  const recipients: { phone: string; personId: string; unitCode: string; vars: Record<string, string> }[] = [];
  for (const c of changes) {
    const kind = c.row.result === 'positive' && c.sample.pool_size > 1 ? 'pool-positive' : c.row.result;
    for (const id of peopleOf.get(c.sample.id) ?? []) {
      const person = who.get(id);
      notices.push({ result_id: c.row.id, person_id: id, kind, channel: person?.phone ? 'sms' : 'none' });
      if (person?.phone) recipients.push({ phone: person.phone, personId: id, unitCode: c.sample.commune_code, vars: { name: shortName(person.fullName), date: c.sample.collected_on, result: RESULT_TEXT[kind] } });
    }
  }
  if (notices.length)
    await sql`
      insert into test_notices (result_id, person_id, kind, channel, created_at)
      select v.result_id, v.person_id, v.kind, v.channel, ${now}
      from unnest(${notices.map((x) => x.result_id)}::bigint[], ${notices.map((x) => x.person_id)}::uuid[], ${notices.map((x) => x.kind)}::text[], ${notices.map((x) => x.channel)}::text[])
           as v(result_id, person_id, kind, channel)
      on conflict do nothing`.execute(tx);
  if (!recipients.length) return;
  const first = changes.reduce((m, c) => (BigInt(c.row.id) < BigInt(m) ? c.row.id : m), changes[0]!.row.id);
  // people sharing a phone (a family, a child without one) each get their own message, naming whose result it is:
  // messaging sends one message per phone and request, so the k-th person of a phone goes in the k-th request
  const rounds: (typeof recipients)[] = [];
  const perPhone = new Map<string, number>();
  for (const r of recipients) {
    const k = perPhone.get(r.phone) ?? 0;
    perPhone.set(r.phone, k + 1);
    (rounds[k] ??= []).push(r);
  }
  for (const [k, round] of rounds.entries())
    await ctx.events.publish(tx, 'messaging.requested', {
      purpose: 'test.result',
      // results are recorded once each: the first result id of the batch names it (with recipient and purpose, the
      // key); the k-th person of a shared phone has their own subject
      subject: k === 0 ? `test-result:${first}` : `test-result:${first}:${k + 1}`,
      recipients: round,
      vars: { sender: 'Vigil', link: `${ctx.config.publicUrl}/ket-qua-xet-nghiem` },
    });
}

/**
 * How a result message names its person: the given name (last word of a Vietnamese name) after the initials of the
 * others, "Nguyễn Văn An" → "N.V. An": enough for a family sharing a phone to tell whose result it is, without the
 * full name on a screen anyone may read.
 */
export function shortName(fullName: string): string {
  const parts = fullName.trim().split(/\s+/).filter(Boolean);
  if (parts.length <= 1) return parts[0] ?? '';
  const given = parts.pop()!;
  return `${parts.map((p) => `${p[0]!.toLocaleUpperCase('vi')}.`).join('')} ${given}`;
}
