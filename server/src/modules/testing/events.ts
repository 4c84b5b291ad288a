// Events the testing module publishes. `test.positive` (an individual positive) is declared by cases (TestPositive),
// which asked for it; `test.positive-withdrawn` is ours: an individual positive corrected to another result.
// The cases module subscribes ('cases.test-withdrawn'): it discards the case the test created when nothing else
// stands behind it, else flags the case for an officer's review. The reverse correction (to positive) publishes
// `test.positive` like any new positive.

/** Payload of `test.positive-withdrawn`. */
export interface TestPositiveWithdrawn {
  /** the sample (tube) id, as `test.positive`'s testId */
  testId: string;
  personId: string;
  /** the result it has now */
  result: 'negative' | 'invalid';
  /** the lab's reason for the correction */
  reason: string;
  /** ISO 8601 */
  correctedAt: string;
  /** the person's other individual samples whose current result is positive (another basis for a case) */
  otherPositiveTestIds: string[];
}

declare module '../../platform/events' {
  interface DomainEvents {
    'test.positive-withdrawn': TestPositiveWithdrawn;
  }
}
