// The dialer: works one campaign's calls of one local day inside its call window — leases due calls up to the
// campaign's channels (and the provider's), paces new calls at the campaign's calls/second (token bucket, 100 ms
// of burst), runs the script on each answered call, records the outcome, sleeps until the next retry is due, and
// when the window closes ends the day: calls still open are exhausted and get the SMS survey link.
import { localTime } from '../../platform/time';
import type { CallClock } from './clock';
import { sendSurveyLinks } from './fallback';
import { leaseDue, nextDue, releaseStuck, unlease, type Leased } from './lease';
import { OutcomeWriter, type AttemptEnd, type OutcomeDeps } from './outcome';
import { runScript } from './runner';
import type { CampaignRow } from './tables';
import type { CallProvider, CallScript, PromptRenderer } from './types';

export interface DialerDeps extends OutcomeDeps {
  timeZone: string;
  provider: CallProvider;
  clock: CallClock;
  render: PromptRenderer;
  /** longest an answered call may last (the lease: ring timeout + this) */
  maxCallMs?: number;
  signal?: AbortSignal;
  /** a batch of outcomes failed to commit (it is tried again); for the server's log */
  onWriteError?(err: unknown): void;
}

export interface DayStats {
  placed: number;
  completed: number;
  symptomatic: number;
  invalid: number;
  exhausted: number;
  retries: number;
  /** outcomes that could not be committed (the dialer stopped, the database stayed down): the watchdog redials them */
  unrecorded: number;
  /** outcome batches: how many, rows, the largest, time spent writing them (ms, summed over concurrent writes) */
  writes?: { batches: number; rows: number; maxBatch: number; ms: number; failures: number };
  /** the day ended because the window closed (else: every call was done) */
  windowClosed: boolean;
}

export async function loadCampaign(deps: Pick<DialerDeps, 'db'>, id: string): Promise<{ c: CampaignRow; script: CallScript } | null> {
  const c = await deps.db.selectFrom('call_campaigns').selectAll().where('id', '=', id).executeTakeFirst();
  if (!c) return null;
  const s = await deps.db.selectFrom('call_scripts').select('body').where('id', '=', c.script_id).executeTakeFirstOrThrow();
  return { c, script: s.body as CallScript };
}

export async function runCampaignDay(deps: DialerDeps, campaignId: string, day: string): Promise<DayStats> {
  const loaded = await loadCampaign(deps, campaignId);
  if (!loaded) throw new Error(`no campaign ${campaignId}`);
  const { c, script } = loaded;
  const { clock, db } = deps;
  const opens = localTime(day, c.window_start, deps.timeZone);
  const closes = localTime(day, c.window_end, deps.timeZone);
  const channels = Math.min(c.channels, deps.provider.maxChannels);
  const cps = Number(c.calls_per_second);
  // 100 ms of burst — or the clock's time between two timer wake-ups when it runs faster than real time (a clock
  // ×200 passes 0.4 s between two 2 ms timers: a burst below that would cap the rate below the campaign's)
  const burst = Math.max(1, cps * Math.max(0.1, 0.002 * (clock.factor ?? 1)));
  const leaseMs = c.ring_timeout_seconds * 1000 + (deps.maxCallMs ?? 10 * 60_000);
  const stats: DayStats = { placed: 0, completed: 0, symptomatic: 0, invalid: 0, exhausted: 0, retries: 0, unrecorded: 0, windowClosed: false };
  const writer = new OutcomeWriter(deps, { signal: deps.signal, onError: deps.onWriteError });
  const inflight = new Set<Promise<void>>();
  let tokens = burst;
  let refilled = clock.now().getTime();
  // calls leased and waiting for their turn (pacing): a lease claims what the next lease's round trip will need
  const pending: Leased[] = [];
  let aheadS = 0.1;
  let drained = false;

  const call = async (l: Leased, startedAt: Date) => {
    // a call whose handling throws (a provider's session failing on hang-up…) must not bring the dialer down with
    // every other call: it is a failed attempt with the error as its reason (retried by the policy, capped by the
    // day's attempts); one that kills the process is capped by the watchdog (lease.ts, POISON_LIMIT)
    const end = await placeCall(deps, writer, c, script, l).catch((err: unknown): AttemptEnd => ({ disposition: 'failed', sipCode: null, reason: `dialer error: ${(err as Error)?.message ?? String(err)}`, endedAt: clock.now() }));
    let step;
    try {
      step = await writer.record({ c, row: l.row, attemptId: l.attemptId, end: { ...end, startedAt }, windowEnd: closes });
    } catch {
      stats.unrecorded++; // still 'calling' in the database: the watchdog gives it back
      return;
    }
    if (step.status === 'completed') stats.completed++;
    if (step.symptomatic) stats.symptomatic++;
    if (step.status === 'invalid') stats.invalid++;
    if (step.status === 'exhausted') stats.exhausted++;
    if (step.status === 'retry') stats.retries++;
  };
  const waitAny = (ms: number) => Promise.race([...inflight, clock.sleep(Math.max(1, ms))]);
  const tokenWait = () => ((1 - tokens) / cps) * 1000;

  while (!deps.signal?.aborted) {
    const now = clock.now();
    if (now < opens) {
      await clock.sleep(opens.getTime() - now.getTime());
      continue;
    }
    if (now >= closes) {
      stats.windowClosed = true;
      break;
    }
    tokens = Math.min(burst, tokens + ((now.getTime() - refilled) / 1000) * cps);
    refilled = now.getTime();
    // start the leased calls the pacing allows
    while (pending.length && tokens >= 1 && inflight.size < channels) {
      const l = pending.shift()!;
      tokens -= 1;
      stats.placed++;
      const p: Promise<void> = call(l, now).finally(() => inflight.delete(p));
      inflight.add(p);
    }
    if (!pending.length) drained = false;
    // claim more while channels are free: one round trip for as many calls as the pacing starts until the next
    // (never more: a leased call waiting for its turn shows as calling)
    const lookahead = Math.max(Math.ceil(burst), Math.ceil(cps * aheadS));
    const room = Math.min(channels - inflight.size, lookahead) - pending.length;
    if (room > 0 && !drained) {
      const want = room;
      const t0 = clock.now().getTime();
      const leased = await leaseDue(db, c.id, day, want, now, leaseMs, deps.provider.name);
      aheadS = Math.max(0.1, (2 * (clock.now().getTime() - t0)) / 1000);
      pending.push(...leased);
      if (leased.length < want) drained = true;
      if (leased.length) continue;
    }
    if (pending.length) {
      await waitAny(inflight.size >= channels ? closes.getTime() - now.getTime() : tokenWait());
      continue;
    }
    if (room <= 0) {
      await waitAny(closes.getTime() - now.getTime());
      continue;
    }
    // nothing more due now
    drained = false;
    const next = await nextDue(db, c.id, day);
    if (!next && !inflight.size) break;
    const until = Math.min(next ? next.getTime() : closes.getTime(), closes.getTime()) - clock.now().getTime();
    await waitAny(inflight.size ? Math.min(until, 60_000) : until);
  }
  // leased but never started (the window closed, the dialer stops): back in the queue as they were
  if (pending.length) await unlease(db, pending.splice(0));
  await Promise.all(inflight);
  await writer.drain();
  const b = writer.batches;
  stats.writes = { batches: b.flushes, rows: b.rows, maxBatch: b.maxBatch, ms: Math.round(b.flushMs), failures: writer.stats.failures };
  if (stats.windowClosed) stats.exhausted += await closeDay(deps, c, day);
  return stats;
}

async function placeCall(deps: DialerDeps, writer: OutcomeWriter, c: CampaignRow, script: CallScript, l: Leased): Promise<AttemptEnd> {
  const { clock } = deps;
  if (!l.row.phone) return { disposition: 'invalid-number', sipCode: null, reason: 'no phone number', endedAt: clock.now() };
  let res;
  try {
    res = await deps.provider.dial(l.row.phone, { ringTimeoutMs: c.ring_timeout_seconds * 1000 });
  } catch (err) {
    return { disposition: 'failed', sipCode: null, reason: (err as Error).message, endedAt: clock.now() };
  }
  if (res.disposition !== 'answered' || !res.session) return { disposition: res.disposition === 'answered' ? 'failed' : res.disposition, sipCode: res.sipCode, reason: res.reason, ringingAt: res.ringingAt, endedAt: clock.now() };
  const session = res.session;
  // the live dashboard tells ringing from answered calls (and the watchdog redials an answered call whose result was lost)
  writer.markAnswered(l.attemptId, res.answeredAt ?? session.answeredAt, res.ringingAt);
  let script_: AttemptEnd['script'] = null;
  let reason: string | undefined;
  try {
    script_ = await runScript(session, script, { render: deps.render, vars: { name: l.row.full_name, date: l.row.day } });
  } catch (err) {
    reason = (err as Error).message;
  } finally {
    await session.hangup();
  }
  const ended = await session.ended;
  const done = script_ && (script_.outcome === 'completed' || script_.outcome === 'message' || script_.outcome === 'wrong-person');
  return { disposition: done ? 'completed' : script_ ? 'incomplete' : 'failed', sipCode: res.sipCode, reason, ringingAt: res.ringingAt, answeredAt: res.answeredAt ?? session.answeredAt, endedAt: ended.at, script: script_ };
}

/** The window closed: calls still open today are exhausted, and their people get the survey by SMS. */
export async function closeDay(deps: Pick<DialerDeps, 'db' | 'events' | 'publicUrl' | 'smsSender' | 'clock'>, c: CampaignRow, day: string): Promise<number> {
  const now = deps.clock.now();
  await releaseStuck(deps.db, now);
  return deps.db.transaction().execute(async (trx) => {
    const rows = await trx
      .updateTable('call_daily')
      .set({ status: 'exhausted', updated_at: now })
      .where('campaign_id', '=', c.id)
      .where('day', '=', day)
      .where('status', 'in', ['queued', 'retry'])
      .returning(['id', 'phone', 'person_id', 'full_name', 'unit_code', 'campaign_id', 'day'])
      .execute();
    await sendSurveyLinks(trx, { events: deps.events, publicUrl: deps.publicUrl, sender: deps.smsSender }, rows, now);
    return rows.length;
  });
}
