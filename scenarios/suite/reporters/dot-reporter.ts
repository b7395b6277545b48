import type { SuiteReporter, SuiteStatus, SuiteSummary, SuiteTestResult } from '../suite-types';
import { MARKS, resultDetails, summaryLine, testLabel } from './text';

/** Playwright's dot marks: one character per finished test, 80 to a line. */
const DOTS: Record<SuiteStatus, string> = { passed: '·', failed: 'F', flaky: '±', timedOut: 'T', errored: 'E', interrupted: '-' };

/** One character per test as it ends, then every test that did not pass, with why, then the counts. */
export class DotReporter implements SuiteReporter {
  readonly #write: (text: string) => void;
  #column = 0;

  constructor(write: (text: string) => void) {
    this.#write = write;
  }

  onTestEnd(result: SuiteTestResult): void {
    this.#write(DOTS[result.status]);
    if (++this.#column % 80 === 0) this.#write('\n');
  }

  onEnd(summary: SuiteSummary, results: readonly SuiteTestResult[]): void {
    if (this.#column % 80 !== 0) this.#write('\n');
    for (const result of results.filter((r) => r.status !== 'passed')) {
      this.#write(`\n  ${MARKS[result.status]} ${testLabel(result.test)}\n`);
      for (const line of resultDetails(result)) this.#write(`      ${line}\n`);
    }
    this.#write(`\n${summaryLine(summary)}\n`);
  }
}
