// Recording how attempts ended: the CDR, the person's call of the day (done, retry later, never again, no more
// today), and what follows — the follow-up and lists (results.ts), the wrong-number list, the SMS survey link after
// the day's last attempt (fallback.ts).
//
// A dialer at hundreds of channels ends several calls a millisecond; a transaction (and a disk flush) per call was
// most of its time. Outcomes are written by group commit (platform/batcher.ts): the calls that ended while the
// last batch was being written go together in one transaction, and each call counts as done only once that
// transaction committed. A batch that fails is written again (a failed transaction wrote nothing; every write here
// is idempotent, so even a commit whose acknowledgement was lost is safe to repeat); if the dialer dies first, the
// watchdog (lease.ts) finds the attempt open and dials the person again.
import { sql } from 'kysely';
import { Batcher, BatcherFullError } from '../../platform/batcher';
import type { Db, DbOrTx } from '../../platform/db/types';
import type { Events } from '../../platform/events';
import { assess } from './answers';
import { sendSurveyLinks } from './fallback';
import { flagWrongNumber, recordSurveys } from './results';
import { afterAttempt, type DayStep } from './retry';
import type { CampaignRow, DailyRow } from './tables';
import type { Disposition, ScriptResult } from './types';

export interface AttemptEnd {
  disposition: Disposition;
  sipCode: number | null;
  reason?: string;
  ringingAt?: Date;
  answeredAt?: Date;
  endedAt: Date;
  script?: ScriptResult | null;
  /** when the call was placed (the CDR's start; else the lease's time stays) */
  startedAt?: Date;
}

export interface OutcomeDeps {
  db: Db;
  events: Events;
  publicUrl: string;
  smsSender: string;
}

/** One finished attempt: the leased call of the day (as leased), its CDR row, how it ended. */
export interface Outcome {
  c: CampaignRow;
  row: DailyRow;
  attemptId: string;
  end: AttemptEnd;
  windowEnd: Date;
}

/** The day's next step for the call; `recorded` false: the lease had been taken back (the watchdog), only the CDR and answers counted. */
export type OutcomeResult = DayStep & { symptomatic: boolean; recorded: boolean };

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

function stepOf(o: Outcome): DayStep {
  const { c, row, end: e } = o;
  if (e.script?.outcome === 'wrong-person') return { status: 'invalid' };
  return afterAttempt(e.disposition, row.attempts, e.endedAt, o.windowEnd, { busyMinutes: c.retry_busy_minutes, noAnswerMinutes: c.retry_no_answer_minutes, failedMinutes: c.retry_failed_minutes, maxAttempts: c.max_attempts });
}

/** Writes the outcomes of many attempts in one transaction; one result per outcome, in order. */
export async function writeOutcomes(deps: OutcomeDeps, items: Outcome[]): Promise<OutcomeResult[]> {
  const planned = items.map((o) => {
    const answers = o.end.script?.answers ?? {};
    const step = stepOf(o);
    const symptomatic = step.status === 'completed' && assess(answers, o.end.script?.set).symptomatic;
    return { o, answers, step, symptomatic };
  });
  return deps.db.transaction().execute(async (trx) => {
    const cdrs = planned.map(({ o: { attemptId, end: e }, answers }) => ({
      id: attemptId,
      started_at: iso(e.startedAt),
      ringing_at: iso(e.ringingAt),
      answered_at: iso(e.answeredAt),
      ended_at: iso(e.endedAt),
      sip_code: e.sipCode,
      disposition: e.disposition,
      reason: e.reason?.slice(0, 200) ?? null,
      billsec: e.answeredAt ? Math.round((e.endedAt.getTime() - e.answeredAt.getTime()) / 100) / 10 : 0,
      digits: Object.values(answers).join(' '),
      answers: e.script ? answers : null,
      outcome: e.script?.outcome ?? null,
    }));
    await sql`update call_attempts a set started_at = coalesce(x.started_at, a.started_at), ringing_at = x.ringing_at, answered_at = x.answered_at, ended_at = x.ended_at,
        sip_code = x.sip_code, disposition = x.disposition, reason = x.reason, billsec = x.billsec, digits = x.digits,
        answers = x.answers, outcome = x.outcome
      from jsonb_to_recordset(${JSON.stringify(cdrs)}::jsonb) as x(id bigint, started_at timestamptz, ringing_at timestamptz, answered_at timestamptz,
        ended_at timestamptz, sip_code integer, disposition text, reason text, billsec numeric, digits text, answers jsonb, outcome text)
      where a.id = x.id`.execute(trx);

    // the answers count whoever holds the lease now: they were given
    const who = (o: Outcome) => ({ personId: o.row.person_id, phone: o.row.phone, fullName: o.row.full_name, unitCode: o.row.unit_code ?? o.c.unit_code, campaignId: o.c.id });
    // (one person order across batches: two transactions touching the same people take their locks in one order)
    const completed = planned.filter((p) => p.step.status === 'completed').sort((a, b) => String(a.o.row.person_id).localeCompare(String(b.o.row.person_id)));
    // set-based: the batch's follow-ups, flags and alerts in a few statements (results.ts recordSurveys)
    await recordSurveys(trx, deps, completed.map(({ o, answers }) => ({ who: who(o), answers, set: o.end.script?.set, day: o.row.day, at: o.end.endedAt, alertPhones: o.c.alert_phones })));

    // the day's row only while this dialer's lease holds (the same attempt number: not taken back, not leased again)
    const days = planned.map(({ o: { row, end: e }, step, answers, symptomatic }) => ({
      id: row.id,
      attempts: row.attempts,
      status: step.status,
      next_at: step.status === 'retry' ? iso(step.nextAt) : null,
      last_disposition: e.disposition,
      last_sip_code: e.sipCode,
      answers: e.script ? answers : null,
      symptomatic: step.status === 'completed' ? symptomatic : null,
      completed_at: step.status === 'completed' ? iso(e.endedAt) : null,
      updated_at: iso(e.endedAt),
    }));
    const updated = await sql<{ id: string }>`update call_daily d set status = x.status, next_at = coalesce(x.next_at, d.next_at),
        lease_until = null, last_disposition = x.last_disposition, last_sip_code = x.last_sip_code,
        answers = coalesce(x.answers, d.answers), symptomatic = x.symptomatic, completed_at = x.completed_at, updated_at = x.updated_at
      from jsonb_to_recordset(${JSON.stringify(days)}::jsonb) as x(id bigint, attempts integer, status text, next_at timestamptz,
        last_disposition text, last_sip_code integer, answers jsonb, symptomatic boolean, completed_at timestamptz, updated_at timestamptz)
      where d.id = x.id and d.status = 'calling' and d.attempts = x.attempts
      returning d.id`.execute(trx);
    const held = new Set(updated.rows.map((r) => String(r.id)));
    const mine = planned.filter((p) => held.has(String(p.o.row.id)));

    for (const { o } of mine.filter((p) => p.step.status === 'invalid')) {
      const reason = o.end.script?.outcome === 'wrong-person' ? 'answered: not this person' : (o.end.reason ?? 'number does not exist');
      await flagWrongNumber(trx, who(o), { day: o.row.day, at: o.end.endedAt, sipCode: o.end.sipCode, reason });
    }
    await surveyLinksOf(trx, deps, mine.filter((p) => p.step.status === 'exhausted').map((p) => p.o));
    return planned.map((p) => ({ ...p.step, symptomatic: p.symptomatic, recorded: held.has(String(p.o.row.id)) }));
  });
}

/** The day's last attempt went unanswered: the survey by SMS (one message request per campaign and day of the batch). */
async function surveyLinksOf(trx: DbOrTx, deps: OutcomeDeps, done: Outcome[]) {
  const groups = new Map<string, Outcome[]>();
  for (const o of done) {
    const k = `${o.c.id}|${o.row.day}`;
    groups.set(k, [...(groups.get(k) ?? []), o]);
  }
  for (const g of groups.values())
    await sendSurveyLinks(trx, { events: deps.events, publicUrl: deps.publicUrl, sender: deps.smsSender }, g.map((o) => o.row), new Date(Math.max(...g.map((o) => o.end.endedAt.getTime()))));
}

/** One attempt's outcome in its own transaction (a single call: the CLI's, a test's). */
export async function recordAttempt(deps: OutcomeDeps, c: CampaignRow, row: DailyRow, attemptId: string, e: AttemptEnd, windowEnd: Date): Promise<OutcomeResult> {
  return (await writeOutcomes(deps, [{ c, row, attemptId, end: e, windowEnd }]))[0]!;
}

/** An error of the data (bad value, constraint), not of the database: worth writing the batch's halves apart. */
const isDataError = (err: unknown) => /^(22|23)/.test(String((err as { code?: unknown })?.code ?? ''));

export interface OutcomeWriterOptions {
  /** tries of a batch that fails before the outcome is left to the watchdog (default 8: about 13 s) */
  maxTries?: number;
  /** stop retrying (the dialer is stopping): the outcome is left to the watchdog */
  signal?: AbortSignal;
  /** a batch failed (it is tried again) */
  onError?(err: unknown): void;
}

/**
 * The dialer's outcome writer: record() resolves once the outcome is committed with others of its batch. A failed
 * batch is tried again after a pause (50 ms, doubling up to 4 s) until it commits; after `maxTries`, or when the
 * dialer stops, record() rejects and the attempt stays open for the watchdog — nothing is reported done that is
 * not in the database.
 */
export class OutcomeWriter {
  private readonly outcomes: Batcher<Outcome, OutcomeResult>;
  private readonly answered: Batcher<{ id: string; answered_at: string | null; ringing_at: string | null }, true>;
  /** batches written, failed tries, outcomes given up (left to the watchdog) */
  readonly stats = { failures: 0, givenUp: 0 };

  constructor(
    deps: OutcomeDeps,
    private readonly o: OutcomeWriterOptions = {},
  ) {
    this.outcomes = new Batcher({ write: (rows) => writeOutcomes(deps, rows), maxRows: 250, maxWaitMs: 2, maxConcurrent: 2, maxQueuedRows: 100_000, isolatable: isDataError });
    // answered calls for the live dashboard and the watchdog (an answered call whose result was lost is dialled again)
    this.answered = new Batcher({
      write: async (rows) => {
        await sql`update call_attempts a set answered_at = x.answered_at, ringing_at = coalesce(a.ringing_at, x.ringing_at)
          from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as x(id bigint, answered_at timestamptz, ringing_at timestamptz)
          where a.id = x.id and a.ended_at is null`.execute(deps.db);
        return rows.map(() => true as const);
      },
      maxRows: 500,
      maxWaitMs: 5,
      maxConcurrent: 1,
      maxQueuedRows: 100_000,
    });
  }

  get batches() {
    return this.outcomes.stats;
  }

  /** The call was answered (not awaited: the dashboard's figure, written with others). */
  markAnswered(attemptId: string, answeredAt: Date | undefined, ringingAt: Date | undefined): void {
    this.answered.add([{ id: attemptId, answered_at: iso(answeredAt ?? new Date()), ringing_at: iso(ringingAt) }]).catch((err: unknown) => this.o.onError?.(err));
  }

  async record(outcome: Outcome): Promise<OutcomeResult> {
    const maxTries = this.o.maxTries ?? 8;
    for (let attempt = 1; ; attempt++) {
      try {
        return (await this.outcomes.add([outcome]))[0]!;
      } catch (err) {
        this.stats.failures++;
        this.o.onError?.(err);
        if (attempt >= maxTries || this.o.signal?.aborted) {
          this.stats.givenUp++;
          throw err;
        }
        await pause(err instanceof BatcherFullError ? err.retryAfterSeconds * 1000 : Math.min(4000, 50 * 2 ** (attempt - 1)), this.o.signal);
      }
    }
  }

  async drain(): Promise<void> {
    await Promise.all([this.outcomes.drain(), this.answered.drain()]);
  }
}

const pause = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
