import type { SuiteConfig, SuiteReporter, SuiteTestResult } from '../suite-types';
import { failedExpectations } from './expectation-lines';
import { attemptProblems, testLabel } from './text';

/** A workflow command's message: `%`, CR and LF escaped (GitHub Actions' toolkit, `escapeData`). */
export function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** A workflow command's property value: as data, and `:` and `,` too (`escapeProperty`). */
export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

function annotation(level: 'error' | 'warning', where: { file: string; line: number; title: string }, message: string): string {
  return `::${level} file=${escapeProperty(where.file)},line=${where.line},title=${escapeProperty(where.title)}::${escapeData(message)}\n`;
}

/**
 * GitHub Actions annotations: an `::error` on the line of each failed `expect:` entry, on the `name:` line of a test
 * that timed out or errored, and a `::warning` there for a flaky one (an error under --fail-on-flaky). Counts are
 * the terminal reporters' job (`--reporter dot,github`).
 */
export class GithubReporter implements SuiteReporter {
  readonly #write: (text: string) => void;
  #failOnFlaky = false;

  constructor(write: (text: string) => void) {
    this.#write = write;
  }

  onBegin(config: SuiteConfig): void {
    this.#failOnFlaky = config.failOnFlaky;
  }

  onEnd(_summary: unknown, results: readonly SuiteTestResult[]): void {
    for (const result of results) this.#write(annotations(result, this.#failOnFlaky).join(''));
  }
}

export function annotations(result: SuiteTestResult, failOnFlaky: boolean): string[] {
  const { test, status } = result;
  const last = result.attempts.at(-1);
  const title = testLabel(test);
  const at = { file: test.file, line: test.line };
  switch (status) {
    case 'failed':
      return failedExpectations(test, last?.result?.expectations ?? []).map(({ expectation, line }) =>
        annotation('error', { file: test.file, line, title: `${title}: ${expectation.name}` }, `${expectation.detail}\nreproduce: twinbed run ${test.file} --seed ${test.seed}`),
      );
    case 'timedOut':
    case 'errored':
      return [annotation('error', { ...at, title: `${title}: ${status === 'timedOut' ? 'timed out' : 'twinbed failed'}` }, last?.error?.message ?? status)];
    case 'flaky': {
      const first = result.attempts[0]!;
      const why = attemptProblems(test, first).join('\n');
      return [annotation(failOnFlaky ? 'error' : 'warning', { ...at, title: `${title}: flaky` }, `failed on attempt 1, passed on retry ${last!.retry}\n${why}`)];
    }
    default:
      return [];
  }
}
