import type { SuiteAttempt, SuiteConfig, SuiteReporter, SuiteSummary, SuiteTestResult } from '../suite-types';
import { expectationLines, failedExpectations } from './expectation-lines';
import { element, junitSeconds, xmlText } from './junit-xml';
import { writeReportFile } from './report-file';
import { attemptProblems, testLabel } from './text';

export const JUNIT_REPORT_FILE = 'junit.xml';

/**
 * `<output>/junit.xml`: a `<testsuite>` per scenario file, a `<testcase>` per test (classname = file, name = title).
 * A failed expectation is a `<failure>` whose message names it, what was observed against what was expected, and its
 * file:line; an errored test is an `<error>`; a timed-out one a `<failure type="timedOut">`; an interrupted one
 * `<skipped>`. Earlier attempts follow Surefire: `<flakyFailure>` before a pass, `<rerunFailure>` before a failure.
 * Skipped expectations and the seed are in `<system-out>`. Validates against test/fixtures/junit/junit-10.xsd.
 */
export class JunitReporter implements SuiteReporter {
  readonly #outputDir: string;
  #config: SuiteConfig | undefined;

  constructor(outputDir: string) {
    this.#outputDir = outputDir;
  }

  onBegin(config: SuiteConfig): void {
    this.#config = config;
  }

  async onEnd(summary: SuiteSummary, results: readonly SuiteTestResult[]): Promise<void> {
    await writeReportFile(this.#outputDir, JUNIT_REPORT_FILE, junitXml(summary, results, { failOnFlaky: this.#config?.failOnFlaky ?? false }));
  }
}

export function junitXml(summary: SuiteSummary, results: readonly SuiteTestResult[], options: { failOnFlaky: boolean }): string {
  const byFile = new Map<string, SuiteTestResult[]>();
  for (const r of results) byFile.set(r.test.file, [...(byFile.get(r.test.file) ?? []), r]);
  const tally = (rs: readonly SuiteTestResult[]) => ({
    tests: rs.length,
    failures: rs.filter((r) => r.status === 'failed' || r.status === 'timedOut' || (r.status === 'flaky' && options.failOnFlaky)).length,
    errors: rs.filter((r) => r.status === 'errored').length,
    skipped: rs.filter((r) => r.status === 'interrupted').length,
    time: junitSeconds(rs.reduce((ms, r) => ms + duration(r), 0)),
  });
  const suites = [...byFile].map(([file, rs]) => `  ${element('testsuite', { name: file, ...tally(rs) }, `\n${rs.map((r) => testcase(r, options)).join('')}  `)}\n`);
  const all = tally(results);
  return `<?xml version="1.0" encoding="UTF-8"?>\n${element('testsuites', { name: 'twinbed test', tests: all.tests, failures: all.failures, errors: all.errors, time: junitSeconds(summary.durationMs) }, `\n${suites.join('')}`)}\n`;
}

function testcase(result: SuiteTestResult, options: { failOnFlaky: boolean }): string {
  const { test, status, attempts } = result;
  const last = attempts.at(-1);
  const children: string[] = [];
  // Attempts before the last: reruns, in Surefire's words.
  for (const attempt of attempts.slice(0, -1)) {
    const kind = status === 'flaky' ? (attempt.status === 'errored' ? 'flakyError' : 'flakyFailure') : attempt.status === 'errored' ? 'rerunError' : 'rerunFailure';
    const problems = attemptProblems(test, attempt);
    children.push(element(kind, { type: attempt.status, message: `attempt ${attempt.retry + 1}: ${problems[0] ?? attempt.status}` }, element('stackTrace', {}, xmlText(problems.join('\n')))));
  }
  if (last && (status === 'failed' || status === 'timedOut')) children.push(...failures(result, last));
  if (status === 'errored' && last) children.push(element('error', { type: 'errored', message: last.error?.message ?? 'twinbed failed' }, xmlText(last.error?.stack ?? last.error?.message ?? '')));
  if (status === 'flaky' && options.failOnFlaky) children.push(element('failure', { type: 'flaky', message: `flaky: passed only on retry ${last?.retry} (--fail-on-flaky)` }, ''));
  if (status === 'interrupted') children.push(element('skipped', { message: 'interrupted: the suite stopped before this test finished (--max-failures or a signal)' }));
  children.push(element('system-out', {}, xmlText(systemOut(result))));
  const stderr = attempts.map((a) => a.stderr).filter(Boolean).join('\n');
  if (stderr) children.push(element('system-err', {}, xmlText(stderr)));
  const name = test.id.includes('#') ? `${test.title} (repeat ${test.repeatIndex + 1})` : test.title;
  return `    ${element('testcase', { classname: test.file, name, time: junitSeconds(duration(result)) }, `\n${children.map((c) => `      ${c}\n`).join('')}    `)}\n`;
}

/** One `<failure>` per failed expectation (or the timeout), each message complete on its own. */
function failures(result: SuiteTestResult, last: SuiteAttempt): string[] {
  const { test } = result;
  if (last.status === 'timedOut') return [element('failure', { type: 'timedOut', message: `${last.error?.message ?? 'timed out'} (${test.file}:${test.line})` }, '')];
  const failed = failedExpectations(test, last.result?.expectations ?? []);
  if (!failed.length) return [element('failure', { type: 'failed', message: `${testLabel(test)} failed (${test.file}:${test.line})` }, '')];
  return failed.map(({ expectation, line }) => {
    const message = `${expectation.name}: ${expectation.detail} (${test.file}:${line})`;
    return element('failure', { type: expectation.type, message }, xmlText(`${message}\nreproduce: twinbed run ${test.file} --seed ${test.seed}`));
  });
}

function systemOut(result: SuiteTestResult): string {
  const { test } = result;
  const run = result.attempts.at(-1)?.result;
  const lines = [`${testLabel(test)}: ${result.status}, seed ${test.seed}${run ? `, target ${run.target}, ${run.simulatedS} s simulated, telemetry sha256 ${run.telemetrySha256}` : ''}`];
  if (run) {
    const where = expectationLines(test, run.expectations);
    run.expectations.forEach((e, i) => {
      const mark = e.skipped !== undefined ? 'skipped' : e.passed ? 'passed' : 'FAILED';
      lines.push(`${mark}: ${e.name}: ${e.detail} (${test.file}:${where[i]})`);
    });
  }
  if (result.status === 'flaky') lines.push(`flaky: failed on ${result.attempts.length - 1} of ${result.attempts.length} attempts, passed on retry ${result.attempts.at(-1)!.retry}`);
  return `${lines.join('\n')}\n`;
}

function duration(result: SuiteTestResult): number {
  return result.attempts.reduce((ms, a) => ms + a.durationMs, 0);
}
