// Wording shared by the terminal reporters (list, dot) and the CI ones (JUnit, GitHub): one test, one reason.
import type { SuiteAttempt, SuiteStatus, SuiteSummary, SuiteTest, SuiteTestResult } from '../suite-types';
import { failedExpectations } from './expectation-lines';

export const MARKS: Record<SuiteStatus, string> = { passed: '✓', failed: '✗', flaky: '±', timedOut: '⏱', errored: '!', interrupted: '-' };

const WORDS: Record<SuiteStatus, string> = { passed: 'passed', failed: 'failed', flaky: 'flaky', timedOut: 'timed out', errored: 'errored', interrupted: 'interrupted' };

/** `scenarios/a.yaml › title`, with the repeat when there are several. */
export function testLabel(test: SuiteTest): string {
  return `${test.file} › ${test.title}${test.id.includes('#') ? ` (repeat ${test.repeatIndex + 1})` : ''}`;
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** The attempt a test's verdict rests on: the last one (for flaky, the passing retry). */
export function lastAttempt(result: SuiteTestResult): SuiteAttempt | undefined {
  return result.attempts.at(-1);
}

/** Why an attempt did not pass, one line per reason: each failed expectation with its file:line, or the error. */
export function attemptProblems(test: SuiteTest, attempt: SuiteAttempt): string[] {
  if (attempt.status === 'passed') return [];
  if (attempt.error) return [`${attempt.status === 'timedOut' ? 'timed out' : 'error'}: ${attempt.error.message}`];
  return failedExpectations(test, attempt.result?.expectations ?? []).map(({ expectation, line }) => `✗ ${expectation.name}: ${expectation.detail} (${test.file}:${line})`);
}

/** The lines a terminal reporter prints under a test that did not simply pass. */
export function resultDetails(result: SuiteTestResult): string[] {
  const { test } = result;
  if (result.status === 'passed') return [];
  if (result.status === 'interrupted') return ['interrupted before it finished (--max-failures or a signal)'];
  const lines: string[] = [];
  result.attempts.forEach((attempt) => {
    const problems = attemptProblems(test, attempt);
    if (!problems.length) return;
    if (result.attempts.length > 1) lines.push(`attempt ${attempt.retry + 1}${attempt.retry ? ` (retry ${attempt.retry})` : ''}: ${attempt.status}`);
    lines.push(...problems.map((p) => (result.attempts.length > 1 ? `  ${p}` : p)));
    if (attempt.status === 'errored' && attempt.stderr) lines.push(...attempt.stderr.split('\n').slice(-10).map((l) => `  | ${l}`));
  });
  if (result.status === 'flaky') lines.push(`passed on retry ${lastAttempt(result)!.retry}`);
  lines.push(`reproduce: twinbed run ${test.file} --seed ${test.seed}`);
  return lines;
}

/** `2 passed, 1 failed, 1 flaky (12.3 s)`: the statuses that occurred, in a fixed order. */
export function summaryLine(summary: SuiteSummary): string {
  const order: SuiteStatus[] = ['passed', 'flaky', 'failed', 'timedOut', 'errored', 'interrupted'];
  const parts = order.filter((s) => summary.counts[s] > 0).map((s) => `${summary.counts[s]} ${WORDS[s]}`);
  const verdict = summary.status === 'passed' ? 'PASSED' : `${summary.status === 'timedOut' ? 'TIMED OUT' : summary.status.toUpperCase()} (exit ${summary.exitCode})`;
  return `${verdict}: ${parts.join(', ') || 'no tests'} in ${seconds(summary.durationMs)}`;
}

export function statusWord(status: SuiteStatus): string {
  return WORDS[status];
}
