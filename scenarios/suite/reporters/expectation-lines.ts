import type { ExpectationResult } from '../../expectations';
import type { SuiteTest } from '../suite-types';

/**
 * The scenario line each expectation result is about. Results come in `expect:` order, so each is matched to the
 * next `expect:` entry of its type; any other (a threshold) goes to its metric's key under `thresholds:`, else to
 * that section, else to the scenario's `name:`.
 */
export function expectationLines(test: SuiteTest, expectations: readonly ExpectationResult[]): number[] {
  const lines = test.lines;
  if (!lines) return expectations.map(() => test.line);
  const metrics = Object.keys(lines.thresholds).sort((a, b) => b.length - a.length);
  let next = 0;
  return expectations.map((expectation) => {
    const entry = lines.expect[next];
    if (entry && entry.type === expectation.type) {
      next++;
      return entry.line;
    }
    const metric = metrics.find((m) => expectation.name.includes(m));
    return (metric ? lines.thresholds[metric] : undefined) ?? lines.sections.thresholds ?? lines.sections.expect ?? test.line;
  });
}

/** A failed (not skipped) expectation of a run, with the line it is declared on. */
export interface FailedExpectation {
  expectation: ExpectationResult;
  line: number;
}

export function failedExpectations(test: SuiteTest, expectations: readonly ExpectationResult[]): FailedExpectation[] {
  const lines = expectationLines(test, expectations);
  return expectations.flatMap((expectation, i) => (expectation.passed || expectation.skipped !== undefined ? [] : [{ expectation, line: lines[i]! }]));
}
