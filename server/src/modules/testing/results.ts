// Lab results by tube, one or many at a time (a lab's file is recorded in chunks, a chunk in one transaction: set-based
// statements, not one transaction per line). The same result again changes nothing; another result is a correction,
// kept with the one it replaces and the reason. What a (new) result sets off, in the same transaction:
//   pooled positive     → one individual-retest task per person in the tube
//   individual positive → `test.positive` (cases confirms a case and tracing starts)
//   invalid             → one resample task per person
//   every result        → a notice per person (SMS through `messaging.requested` when they have a phone; recorded)
// A correction away from positive/invalid cancels the open tasks the earlier result opened.
import { sql } from 'kysely';
import type { Tx } from '../../platform/db/types';
import { AppError } from '../../platform/http/errors';
import type { AppContext } from '../../platform/module';
import type { ResultValue } from './schema';
import type { SampleRow } from './tables';
import './events';
import { profiled } from './profile';

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

/** One result (the lab page): an error becomes the thrown 4xx. */
export async function recordResult(ctx: AppContext, input: ResultInput, o: ResultOptions) {
  const [out] = await recordResults(ctx, [input], o);
  if (out!.status === 'error') throw out!.error;
  return out!;
}

/** The staging table of results (one row per line; a line refused while read carries only its error). */
export const RESULT_STAGE_DDL = sql`
  create temp table result_stage (idx int, tube text, result text, at timestamptz, lab text, reason text,
    err_status int, err_code text, err_path text, err text) on commit drop`;

/** Many results in one transaction; every line gets its outcome (errors do not stop the others). */
export async function recordResults(ctx: AppContext, inputs: ResultInput[], o: ResultOptions): Promise<LineOutcome[]> {
  return ctx.db.transaction().execute(async (tx) => {
    await RESULT_STAGE_DDL.execute(tx);
    await sql`
      insert into result_stage (idx, tube, result, at, lab, reason)
      select * from unnest(${inputs.map((_, i) => i)}::int[], ${inputs.map((i) => i.tubeCode.trim())}::text[], ${inputs.map((i) => i.result)}::text[],
                           ${inputs.map((i) => (Number.isNaN(i.resultedAt.getTime()) ? null : i.resultedAt.toISOString()))}::timestamptz[],
                           ${inputs.map((i) => i.labCode || null)}::text[], ${inputs.map((i) => i.reason?.trim() || null)}::text[])`.execute(tx);
    await recordStagedKeepingLines(ctx, tx, o);
    const rows = (await sql<{ idx: number; sample_id: string | null; status: LineStatus; err_status: number | null; err_code: string | null; err_path: string | null; err: string | null; retests: number; resamples: number }>`
      select idx, sample_id, status, err_status, err_code, err_path, err, retests, resamples from result_check order by idx`.execute(tx)).rows;
    const ids = rows.filter((r) => r.sample_id).map((r) => r.sample_id!);
    const samples = new Map(ids.length ? (await sql<SampleRow>`select * from samples where id = any(${ids}::uuid[])`.execute(tx)).rows.map((s) => [s.id, s]) : []);
    return rows.map((r): LineOutcome => {
      if (r.status === 'error') {
        const path = `${inputs[r.idx]!.path}.${r.err_path}`;
        return { status: 'error', error: fieldError(r.err_status!, r.err_code!, path, r.err!) };
      }
      return { status: r.status, sample: samples.get(r.sample_id!)!, retestTasks: r.retests, resampleTasks: r.resamples };
    });
  });
}

type LineStatus = 'error' | 'unchanged' | 'recorded' | 'corrected';

/** A database error one line's values can cause (data exceptions, integrity violations), not one of the database itself. */
const isLineFault = (err: unknown) => /^2[23]/.test(String((err as { code?: unknown }).code ?? ''));

/**
 * recordStaged, with the lines kept whatever one of them does: a line whose values the database refuses for a
 * reason the rules above do not foresee (a data exception, a constraint) does not take the file down. The file is
 * recorded in a savepoint; if a line faults, the savepoint is rolled back and the lines are recorded in halves, each in
 * a savepoint of its own, down to the faulting line(s), which get their error ('line': could not be recorded, and
 * the database's reason); every other line is recorded as it would have been. Errors of the database itself (lost
 * connection, timeout) still fail the whole file: nothing of it is recorded, and sending it again is safe.
 */
export async function recordStagedKeepingLines(ctx: AppContext, tx: Tx, o: ResultOptions): Promise<void> {
  await sql`savepoint record_file`.execute(tx);
  try {
    await recordStaged(ctx, tx, o);
    await sql`release savepoint record_file`.execute(tx);
    return;
  } catch (err) {
    if (!isLineFault(err)) throw err;
    await sql`rollback to savepoint record_file`.execute(tx);
  }
  await sql`alter table result_stage rename to result_stage_all`.execute(tx);
  const idx = (await sql<{ idx: number }>`select idx from result_stage_all order by idx`.execute(tx)).rows.map((r) => r.idx);
  const faults: { idx: number; message: string }[] = [];
  let recorded = false;
  const piece = async (lo: number, hi: number): Promise<void> => {
    await RESULT_STAGE_DDL.execute(tx);
    await sql`insert into result_stage select * from result_stage_all where idx between ${idx[lo]!} and ${idx[hi - 1]!}`.execute(tx);
    await sql`savepoint record_piece`.execute(tx);
    try {
      await recordStaged(ctx, tx, o);
      await sql`release savepoint record_piece`.execute(tx);
    } catch (err) {
      if (!isLineFault(err)) throw err;
      await sql`rollback to savepoint record_piece`.execute(tx);
      await sql`drop table result_stage`.execute(tx);
      if (hi - lo === 1) faults.push({ idx: idx[lo]!, message: `could not be recorded: ${(err as Error).message}`.slice(0, 300) });
      else {
        const mid = (lo + hi) >> 1;
        await piece(lo, mid);
        await piece(mid, hi);
      }
      return;
    }
    if (recorded) await sql`insert into result_check_kept select * from result_check`.execute(tx);
    else await sql`create temp table result_check_kept on commit drop as select * from result_check`.execute(tx);
    recorded = true;
    await sql`drop table result_check, result_stage`.execute(tx);
  };
  await piece(0, idx.length);
  if (recorded) await sql`alter table result_check_kept rename to result_check`.execute(tx);
  else
    await sql`
      create temp table result_check on commit drop as
      select idx, tube, null::uuid as sample_id, null::text as status, null::int as err_status, null::text as err_code, null::text as err_path,
             null::text as err, null::bigint as new_id, 0 as retests, 0 as resamples from result_stage_all where false`.execute(tx);
  await sql`
    insert into result_check (idx, tube, status, err_status, err_code, err_path, err, retests, resamples)
    select f.idx, s.tube, 'error', 400, 'VALIDATION', 'line', f.message, 0, 0
    from unnest(${faults.map((f) => f.idx)}::int[], ${faults.map((f) => f.message)}::text[]) f(idx, message) join result_stage_all s on s.idx = f.idx`.execute(tx);
  await sql`alter table result_stage_all rename to result_stage`.execute(tx);
}

/**
 * Record the results staged in `result_stage` (this transaction's temporary table), set-based: one statement per
 * rule and per effect, whatever the number of lines. Leaves `result_check` (idx, sample_id, status, the error,
 * retests, resamples) for the caller to read.
 */
export async function recordStaged(ctx: AppContext, tx0: Tx, o: ResultOptions): Promise<void> {
  const tx = profiled(tx0);
  const now = o.now;
  // the tubes named are locked first (a concurrent result for the same tube waits), then read
  await sql`select 1 from samples where tube_code in (select tube from result_stage where err is null) order by id for update`.execute(tx);
  await sql`
    create temp table result_check on commit drop as
    select r.idx, r.tube, r.result, r.at, r.lab, r.reason, s.id as sample_id, s.commune_code, s.collected_at, s.collected_on::text as collected_on,
           s.pool_size, s.result as cur_result, s.result_id as cur_id,
           case when r.err is not null then 'error' when s.id is null then 'error' end as status,
           case when r.err is not null then r.err_status when s.id is null then 404 end as err_status,
           case when r.err is not null then r.err_code when s.id is null then 'NOT_FOUND' end as err_code,
           case when r.err is not null then r.err_path when s.id is null then 'tubeCode' end as err_path,
           case when r.err is not null then r.err when s.id is null then 'no sample was collected in tube ' || r.tube end as err,
           null::bigint as new_id, 0 as retests, 0 as resamples
    from result_stage r left join samples s on s.tube_code = r.tube`.execute(tx);
  await sql`analyze result_check`.execute(tx);
  const fail = (status: number, code: string, path: string, message: ReturnType<typeof sql>, where: ReturnType<typeof sql>) =>
    sql`update result_check c set status = 'error', err_status = ${status}, err_code = ${code}, err_path = ${path}, err = ${message} where c.status is null and ${where}`.execute(tx);

  // jurisdiction: asked once per commune of the file
  const communes = (await sql<{ commune_code: string }>`select distinct commune_code from result_check where status is null`.execute(tx)).rows.map((r) => r.commune_code);
  const refused: string[] = [];
  for (const c of communes) if (!(await o.allowed(c))) refused.push(c);
  if (refused.length) await fail(403, 'FORBIDDEN', 'tubeCode', sql`'that sample is outside your jurisdiction'`, sql`c.commune_code = any(${refused}::text[])`);
  // the instant (10 min of clock drift allowed before the collection, 15 min into the future)
  await fail(
    400,
    'VALIDATION',
    'resultedAt',
    sql`case when c.at is null then 'is not a valid instant' when c.at > ${now}::timestamptz + interval '15 minutes' then 'is in the future'
        else 'is before the sample was collected (' || to_char(c.collected_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') || ')' end`,
    sql`(c.at is null or c.at > ${now}::timestamptz + interval '15 minutes' or c.at < c.collected_at - interval '10 minutes')`,
  );
  // the same tube twice in one batch: the first line counts; the same result again is unchanged, another one is
  // not a correction anybody asked for
  await sql`
    update result_check c set status = case when c.result = f.result then 'unchanged' else 'error' end,
           err_status = case when c.result <> f.result then 400 end, err_code = case when c.result <> f.result then 'VALIDATION' end,
           err_path = case when c.result <> f.result then 'result' end,
           err = case when c.result <> f.result then format('tube %s has another result (%s) earlier in this file', c.tube, f.result) end
    from (select idx, first_value(result) over w as result, first_value(idx) over w as first_idx from result_check
          where status is null and tube in (select tube from result_check where status is null group by tube having count(*) > 1)
          window w as (partition by tube order by idx)) f
    where c.idx = f.idx and f.idx <> f.first_idx`.execute(tx);
  await sql`update result_check c set status = 'unchanged' where c.status is null and c.cur_result = c.result`.execute(tx);
  // another result for a tube that has one is a correction: it needs a reason (a file gives its own)
  await sql`update result_check c set reason = coalesce(c.reason, ${o.defaultReason ?? null}::text) where c.status is null and c.cur_id is not null`.execute(tx);
  await fail(400, 'VALIDATION', 'reason', sql`format('tube %s already has the result %s: a correction needs a reason', c.tube, c.cur_result)`, sql`c.cur_id is not null and c.reason is null`);

  // the results, then the tubes' current result
  await sql`
    with ins as (
      insert into test_results (sample_id, result, resulted_at, lab_code, recorded_at, recorded_by, source, replaces_id, reason)
      select sample_id, result, at, lab, ${now}, ${o.userId}::bigint, ${o.source}, cur_id, case when cur_id is not null then reason end
      from result_check where status is null order by idx
      returning id, sample_id)
    update result_check c set new_id = ins.id, status = case when c.cur_id is null then 'recorded' else 'corrected' end
    from ins where c.sample_id = ins.sample_id and c.status is null`.execute(tx);
  await sql`
    update samples s set result = c.result, resulted_at = c.at, lab_code = c.lab, result_id = c.new_id
    from result_check c where c.new_id is not null and s.id = c.sample_id`.execute(tx);

  // corrections away from what opened tasks cancel them
  await sql`
    update testing_tasks k set status = 'cancelled', closed_at = ${now}, note = 'the result that opened it was corrected'
    from result_check c
    where c.new_id is not null and k.sample_id = c.sample_id and k.status = 'open'
      and ((k.kind = 'retest' and c.cur_result = 'positive' and c.pool_size > 1) or (k.kind = 'resample' and c.cur_result = 'invalid'))`.execute(tx);
  // a pooled positive: a retest per person; invalid: a resample per person (a task cancelled by an earlier
  // correction opens again when the result comes back to what opened it)
  await sql`
    with opened as (
      insert into testing_tasks (kind, person_id, sample_id, commune_code, created_at)
      select case when c.result = 'invalid' then 'resample' else 'retest' end, m.person_id, c.sample_id, c.commune_code, ${now}
      from result_check c join sample_members m on m.sample_id = c.sample_id
      where c.new_id is not null and ((c.result = 'positive' and c.pool_size > 1) or c.result = 'invalid')
      on conflict (kind, sample_id, person_id) do update set status = 'open', closed_at = null, closed_by = null, created_at = ${now}
        where testing_tasks.status = 'cancelled'
      returning 1)
    select count(*) from opened`.execute(tx);
  await sql`
    update result_check c set retests = case when c.result = 'positive' then n.n else 0 end, resamples = case when c.result = 'invalid' then n.n else 0 end
    from (select sample_id, count(*)::int as n from sample_members
          where sample_id in (select sample_id from result_check where new_id is not null and ((result = 'positive' and pool_size > 1) or result = 'invalid'))
          group by sample_id) n
    where c.new_id is not null and n.sample_id = c.sample_id and ((c.result = 'positive' and c.pool_size > 1) or c.result = 'invalid')`.execute(tx);

  await publishEffects(ctx, tx, now);
  await notify(ctx, tx, now);
}

/** The events of the new results: corrections, withdrawn individual positives (rare: one by one), new individual positives (in bulk). */
async function publishEffects(ctx: AppContext, tx: Tx, now: Date) {
  const corrected = (await sql<{ sample_id: string; tube: string; cur_result: ResultValue; result: ResultValue; reason: string | null; pool_size: number; person_id: string | null; others: string[] | null }>`
    select c.sample_id, c.tube, c.cur_result, c.result, c.reason, c.pool_size, m.person_id,
           case when c.pool_size = 1 and c.cur_result = 'positive' and c.result <> 'positive' then
             array(select s.id from sample_members om join samples s on s.id = om.sample_id
                   where om.person_id = m.person_id and s.pool_size = 1 and s.result = 'positive' and s.id <> c.sample_id) end as others
    from result_check c left join sample_members m on m.sample_id = c.sample_id and c.pool_size = 1
    where c.status = 'corrected' order by c.idx`.execute(tx)).rows;
  // an individual positive corrected to another result: the case it made may have to be undone (cases decides)
  for (const c of corrected.filter((x) => x.others && x.person_id))
    await ctx.events.publish(tx, 'test.positive-withdrawn', {
      testId: c.sample_id,
      personId: c.person_id!,
      result: c.result as 'negative' | 'invalid',
      reason: c.reason ?? '',
      correctedAt: now.toISOString(),
      otherPositiveTestIds: c.others!,
    });
  // every correction (certificates revoke what was issued on the old result)
  await ctx.events.publishMany(
    tx,
    'test.result-corrected',
    corrected.map((c) => ({ testId: c.sample_id, tubeCode: c.tube, previous: c.cur_result, result: c.result, reason: c.reason ?? '', correctedAt: now.toISOString() })),
  );
  const positives = (await sql<{ sample_id: string; person_id: string; collected_on: string; at: Date; commune_code: string }>`
    select c.sample_id, m.person_id, c.collected_on, c.at, c.commune_code
    from result_check c join sample_members m on m.sample_id = c.sample_id
    where c.new_id is not null and c.result = 'positive' and c.pool_size = 1 order by c.idx`.execute(tx)).rows;
  await ctx.events.publishMany(
    tx,
    'test.positive',
    positives.map((p) => ({ testId: p.sample_id, personId: p.person_id, sampledOn: p.collected_on, resultAt: p.at.toISOString(), communeCode: p.commune_code, setting: 'community' as const })),
  );
}

/**
 * One notice per person and result, in one statement (the phone read from the registry: a read-only join, like the
 * tracing engine's); an SMS (one messaging request per round of a shared phone) to those with a phone.
 */
async function notify(ctx: AppContext, tx: Tx, now: Date) {
  await sql`
    insert into test_notices (result_id, person_id, kind, channel, created_at)
    select c.new_id, m.person_id, case when c.result = 'positive' and c.pool_size > 1 then 'pool-positive' else c.result end,
           case when p.phone is not null then 'sms' else 'none' end, ${now}
    from result_check c join sample_members m on m.sample_id = c.sample_id left join persons p on p.id = m.person_id
    where c.new_id is not null`.execute(tx);
  const recipients = (await sql<{ result_id: string; person_id: string; phone: string; full_name: string; commune_code: string; collected_on: string; kind: keyof typeof RESULT_TEXT }>`
    select n.result_id, n.person_id, p.phone, p.full_name, c.commune_code, c.collected_on, n.kind
    from result_check c join test_notices n on n.result_id = c.new_id join persons p on p.id = n.person_id join sample_members m on m.sample_id = c.sample_id and m.person_id = n.person_id
    where c.new_id is not null and n.channel = 'sms' and p.phone is not null
    order by c.idx, m.position`.execute(tx)).rows;
  if (!recipients.length) return;
  const first = recipients.reduce((m, r) => (BigInt(r.result_id) < BigInt(m) ? r.result_id : m), recipients[0]!.result_id);
  // people sharing a phone (a family, a child without one) each get their own message, naming whose result it is:
  // messaging sends one message per phone and request, so the k-th person of a phone goes in the k-th request
  const rounds: { phone: string; personId: string; unitCode: string; vars: Record<string, string> }[][] = [];
  const perPhone = new Map<string, number>();
  for (const r of recipients) {
    const k = perPhone.get(r.phone) ?? 0;
    perPhone.set(r.phone, k + 1);
    (rounds[k] ??= []).push({ phone: r.phone, personId: r.person_id, unitCode: r.commune_code, vars: { name: shortName(r.full_name), date: r.collected_on, result: RESULT_TEXT[r.kind] } });
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
