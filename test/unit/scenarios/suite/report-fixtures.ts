// Suite results for reporter tests, built by hand: every status, and text that XML and workflow commands must escape.
import type { RunResult } from '../../../../scenarios/reporter';
import { scenarioLines } from '../../../../scenarios/suite/loader/scenario-lines';
import type { SuiteAttempt, SuiteSummary, SuiteTest, SuiteTestResult } from '../../../../scenarios/suite/suite-types';

export const SOURCE = [
  'name: "pump <1> & co"', // 1
  'durationS: 4', // 2
  'twins:', // 3
  '  - template: pump', // 4
  '    id: pump-1', // 5
  'expect:', // 6
  '  - type: stored-exactly-once', // 7
  '  - type: alert', // 8
  '    device: pump-1', // 9
  'thresholds:', // 10
  "  qos1_lost: ['==0']", // 11
  '',
].join('\n');

export function suiteTest(file: string, title = 'pump <1> & co'): SuiteTest {
  return { id: file, file, title, line: 1, seed: 7, repeatIndex: 0, durationS: 4, lines: scenarioLines(SOURCE) };
}

export function run(passed: boolean, detail = 'no alert on pump-1 during the 4 s run; peak accel rms 0.03 against a threshold of 0.2'): RunResult {
  return {
    scenario: 'pump <1> & co',
    seed: 7,
    target: 'embedded',
    passed,
    simulatedS: 4,
    expectations: [
      { name: 'every QoS 1 reading stored exactly once', type: 'stored-exactly-once', passed: true, detail: 'QoS 1 published 100, stored 100' },
      { name: 'alert on pump-1', type: 'alert', passed, detail: passed ? 'raised at 1 s' : detail },
      { name: 'qos1_lost ==0', type: 'threshold', passed: true, detail: 'qos1_lost = 0' },
    ],
    telemetrySha256: 'ab'.repeat(32),
  } as unknown as RunResult;
}

const attempt = (retry: number, status: SuiteAttempt['status'], extra: Partial<SuiteAttempt> = {}): SuiteAttempt => ({ retry, status, durationMs: 1234, ...extra });

/** One test in each status, in file order a…f. */
export function everyStatus(): SuiteTestResult[] {
  return [
    { test: suiteTest('s/a-passed.yaml'), status: 'passed', attempts: [attempt(0, 'passed', { result: run(true) })] },
    { test: suiteTest('s/b-failed.yaml'), status: 'failed', attempts: [attempt(0, 'failed', { result: run(false, 'observed "0.03" < expected 0.2,\nsee ::here:: 100%\u0007') })] },
    { test: suiteTest('s/c-flaky.yaml'), status: 'flaky', attempts: [attempt(0, 'failed', { result: run(false) }), attempt(1, 'passed', { result: run(true) })] },
    { test: suiteTest('s/d-timed-out.yaml'), status: 'timedOut', attempts: [attempt(0, 'timedOut', { error: { message: 'timed out after 2 s of wall time (--timeout)' } })] },
    {
      test: suiteTest('s/e-errored.yaml'),
      status: 'errored',
      attempts: [attempt(0, 'errored', { error: { message: 'the worker process was ended by SIGKILL while running the test' }, stderr: 'FATAL <oops> & "gone"' })],
    },
    { test: suiteTest('s/f-interrupted.yaml'), status: 'interrupted', attempts: [] },
  ];
}

export const SUMMARY: SuiteSummary = {
  status: 'errored',
  exitCode: 3,
  counts: { passed: 1, failed: 1, flaky: 1, timedOut: 1, errored: 1, interrupted: 1 },
  durationMs: 98_765_432,
};
