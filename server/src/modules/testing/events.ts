// Events the testing module publishes. `test.positive` (an individual positive) is declared by cases (TestPositive),
// which asked for it; `test.positive-withdrawn` is ours: an individual positive corrected to another result.
// The cases module subscribes ('cases.test-withdrawn'): it discards the case the test created when nothing else
// stands behind it, else flags the case for an officer's review. The reverse correction (to positive) publishes
// `test.positive` like any new positive. `test.result-corrected`: any correction (certificates revoke at once).

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

/**
 * Payload of `test.result-corrected`: every correction of a tube's result (published with the new result, in its
 * transaction). The certificates module revokes at once what it issued on the old result.
 */
export interface TestResultCorrected {
  /** the sample (tube) id */
  testId: string;
  tubeCode: string;
  previous: 'positive' | 'negative' | 'invalid';
  result: 'positive' | 'negative' | 'invalid';
  reason: string;
  /** ISO 8601 */
  correctedAt: string;
}

declare module '../../platform/events' {
  interface DomainEvents {
    'test.positive-withdrawn': TestPositiveWithdrawn;
    'test.result-corrected': TestResultCorrected;
  }
}
