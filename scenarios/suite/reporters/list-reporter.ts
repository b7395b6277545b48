import type { SuiteConfig, SuiteReporter, SuiteSummary, SuiteTest, SuiteTestResult } from '../suite-types';
import { MARKS, resultDetails, seconds, statusWord, summaryLine, testLabel } from './text';

/** One line per finished test (✓ ✗ ± ⏱ ! -), with why a test did not pass under it, then the counts. */
export class ListReporter implements SuiteReporter {
  readonly #write: (text: string) => void;
  #done = 0;
  #total = 0;

  constructor(write: (text: string) => void) {
    this.#write = write;
  }

  onBegin(config: SuiteConfig, tests: readonly SuiteTest[]): void {
    this.#total = tests.length;
    const workers = Math.max(1, Math.min(config.workers, tests.length));
    const shard = config.shard ? `, shard ${config.shard.current}/${config.shard.total}` : '';
    const retries = config.retries ? `, up to ${config.retries} ${config.retries === 1 ? 'retry' : 'retries'}` : '';
    this.#write(`Running ${tests.length} ${tests.length === 1 ? 'test' : 'tests'} using ${workers} ${workers === 1 ? 'worker' : 'workers'}${shard}${retries}\n`);
  }

  onTestEnd(result: SuiteTestResult): void {
    this.#done++;
    const duration = result.attempts.reduce((ms, a) => ms + a.durationMs, 0);
    const word = result.status === 'passed' ? '' : ` ${statusWord(result.status)}`;
    const last = result.attempts.at(-1)?.result;
    const simulated = last ? `, ${last.simulatedS} s simulated` : '';
    const counter = `[${this.#done}/${this.#total}]`;
    this.#write(`  ${MARKS[result.status]} ${counter} ${testLabel(result.test)}${word} (seed ${result.test.seed}${simulated}, ${seconds(duration)})\n`);
    for (const line of resultDetails(result)) this.#write(`      ${line}\n`);
  }

  onEnd(summary: SuiteSummary): void {
    this.#write(`\n${summaryLine(summary)}\n`);
  }
}
