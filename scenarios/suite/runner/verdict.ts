import type { SuiteAttempt, SuiteStatus, SuiteSummary, SuiteTestResult } from '../suite-types';

/** A test's status from its attempts: the last one's, except that a pass after a failed attempt is `flaky`. */
export function testStatus(attempts: readonly SuiteAttempt[]): SuiteStatus {
  const last = attempts.at(-1);
  if (!last) return 'interrupted';
  if (last.status === 'passed') return attempts.length > 1 ? 'flaky' : 'passed';
  return last.status;
}

/** Whether a test counts against --max-failures and the suite's verdict. */
export function isFailure(status: SuiteStatus, failOnFlaky: boolean): boolean {
  return status === 'failed' || status === 'timedOut' || status === 'errored' || (status === 'flaky' && failOnFlaky);
}

export function countStatuses(results: readonly SuiteTestResult[]): Record<SuiteStatus, number> {
  const counts: Record<SuiteStatus, number> = { passed: 0, failed: 0, flaky: 0, timedOut: 0, errored: 0, interrupted: 0 };
  for (const r of results) counts[r.status]++;
  return counts;
}

/**
 * The suite's verdict, by precedence: stopped by a signal › a test errored (twinbed failed) › a test timed out ›
 * a test failed (or was flaky under --fail-on-flaky) › passed. Tests left `interrupted` by --max-failures do not
 * count: the failures that stopped the suite give the verdict.
 */
export function suiteStatus(results: readonly SuiteTestResult[], options: { failOnFlaky: boolean; stoppedBySignal: boolean }): SuiteSummary['status'] {
  const counts = countStatuses(results);
  if (options.stoppedBySignal) return 'interrupted';
  if (counts.errored) return 'errored';
  if (counts.timedOut) return 'timedOut';
  if (counts.failed || (options.failOnFlaky && counts.flaky)) return 'failed';
  return 'passed';
}
