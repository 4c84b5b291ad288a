// What happens to a person's call of the day after an attempt: done, never again (the number does not exist),
// another attempt later (busy → soon, no answer → later), or no more today (max attempts or the window closes).
import type { Disposition } from './types';

export interface RetryPolicy {
  busyMinutes: number;
  noAnswerMinutes: number;
  failedMinutes: number;
  maxAttempts: number;
}

export type DayStep = { status: 'completed' } | { status: 'invalid' } | { status: 'retry'; nextAt: Date } | { status: 'exhausted' };

export function delayMinutes(d: Disposition, p: RetryPolicy): number {
  if (d === 'busy') return p.busyMinutes;
  if (d === 'failed') return p.failedMinutes;
  return p.noAnswerMinutes; // no-answer, rejected, incomplete (hung up mid-survey)
}

/** The step after attempt number `attempts` ended at `at` with `d`; `windowEnd` closes the day's calls. */
export function afterAttempt(d: Disposition, attempts: number, at: Date, windowEnd: Date, p: RetryPolicy): DayStep {
  if (d === 'completed') return { status: 'completed' };
  if (d === 'invalid-number') return { status: 'invalid' };
  if (attempts >= p.maxAttempts) return { status: 'exhausted' };
  const nextAt = new Date(at.getTime() + delayMinutes(d, p) * 60_000);
  if (nextAt >= windowEnd) return { status: 'exhausted' };
  return { status: 'retry', nextAt };
}
