import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../../../scenarios/reporter';
import type { RunJob } from '../../../../scenarios/suite/ipc';
import { SuiteRun } from '../../../../scenarios/suite/runner/dispatcher';
import type { AttemptEnd, AttemptEvents, SuiteWorker } from '../../../../scenarios/suite/runner/suite-worker';
import type { SuiteConfig, SuiteReporter, SuiteSummary, SuiteTest, SuiteTestResult } from '../../../../scenarios/suite/suite-types';

type Step = 'pass' | 'fail' | 'error' | 'crash' | 'hang';

const EXIT: Record<SuiteSummary['status'], number> = { passed: 0, failed: 1, errored: 3, timedOut: 4, interrupted: 130 };

function test(id: string): SuiteTest {
  return { id, file: id, title: id, line: 1, seed: 1, repeatIndex: 0, durationS: 10 };
}

/** Workers that are not processes: each test follows its script, one step per attempt. */
class FakeWorkers {
  started = 0;
  killed = 0;
  readonly #scripts: Map<string, Step[]>;
  readonly #running = new Set<() => void>();

  constructor(scripts: Record<string, Step[]>) {
    this.#scripts = new Map(Object.entries(scripts));
  }

  /** Resolves when `n` tests are running at once. */
  async runningAtLeast(n: number): Promise<void> {
    while (this.#running.size < n) await new Promise((resolve) => setImmediate(resolve));
  }

  start = (): SuiteWorker => {
    this.started++;
    let crash: (() => void) | undefined;
    return {
      run: (job: RunJob, events: AttemptEvents): Promise<AttemptEnd> => {
        events.onStart();
        events.onProgress({ simulatedS: 5, durationS: 10, speedup: 50 });
        const step = this.#scripts.get(job.test.id)?.shift() ?? 'pass';
        const result = (passed: boolean) => ({ kind: 'result' as const, result: { passed, simulatedS: 10, expectations: [] } as unknown as RunResult });
        if (step === 'pass' || step === 'fail') return Promise.resolve(result(step === 'pass'));
        if (step === 'error') return Promise.resolve({ kind: 'error', error: { message: 'the broker would not start' } });
        if (step === 'crash') return Promise.resolve({ kind: 'crashed', error: { message: 'the worker process exited with code 1 while running the test' } });
        return new Promise((resolve) => {
          crash = () => resolve({ kind: 'crashed', error: { message: 'the worker process was ended by SIGKILL while running the test' } });
          this.#running.add(crash);
        });
      },
      kill: () => {
        this.killed++;
        if (crash) this.#running.delete(crash);
        crash?.();
      },
      close: async () => undefined,
    };
  };
}

/** Records every event, to check each test ends exactly once and in what state. */
class Recorder implements SuiteReporter {
  readonly begins: string[] = [];
  readonly ends: SuiteTestResult[] = [];
  summary: SuiteSummary | undefined;
  onTestBegin(t: SuiteTest, retry: number): void {
    this.begins.push(`${t.id}@${retry}`);
  }
  onTestEnd(result: SuiteTestResult): void {
    this.ends.push(result);
  }
  onEnd(summary: SuiteSummary): void {
    this.summary = summary;
  }
}

function suite(ids: string[], scripts: Record<string, Step[]>, config: Partial<SuiteConfig> = {}, extra: SuiteReporter[] = []) {
  const workers = new FakeWorkers(scripts);
  const recorder = new Recorder();
  const run = new SuiteRun({
    config: { patterns: [], workers: 1, retries: 0, repeatEach: 1, failOnFlaky: false, outputDir: 'out', ...config },
    tests: ids.map(test),
    reporters: [...extra.map((reporter, i) => ({ name: `extra${i}`, reporter })), { name: 'recorder', reporter: recorder }],
    startWorker: workers.start,
    exitCodeOf: (status) => EXIT[status],
  });
  return { run, workers, recorder };
}

const statuses = (results: readonly SuiteTestResult[]) => Object.fromEntries(results.map((r) => [r.test.id, r.status]));

describe('SuiteRun', () => {
  it('reports a test that passes only on a retry as flaky, and passes the suite unless failOnFlaky', async () => {
    const scripts = () => ({ a: ['fail', 'pass'] as Step[], b: ['fail', 'fail', 'fail'] as Step[], c: ['pass'] as Step[] });
    const { run, recorder } = suite(['a', 'c'], { a: scripts().a, c: scripts().c }, { retries: 2 });
    const outcome = await run.run();
    expect(statuses(outcome.results)).toEqual({ a: 'flaky', c: 'passed' });
    expect(outcome.summary).toMatchObject({ status: 'passed', exitCode: 0, counts: { flaky: 1, passed: 1 } });
    // Retries go behind the tests not yet run, as in Playwright.
    expect(recorder.begins).toEqual(['a@0', 'c@0', 'a@1']);

    const strict = await suite(['a', 'b'], scripts(), { retries: 2, failOnFlaky: true }).run.run();
    expect(statuses(strict.results)).toEqual({ a: 'flaky', b: 'failed' });
    expect(strict.results[1]!.attempts.map((x) => x.status)).toEqual(['failed', 'failed', 'failed']);
    expect(strict.summary).toMatchObject({ status: 'failed', exitCode: 1 });
    const onlyFlaky = await suite(['a'], { a: ['fail', 'pass'] }, { retries: 1, failOnFlaky: true }).run.run();
    expect(onlyFlaky.summary.status).toBe('failed');
  });

  it('kills a worker that runs past timeoutS, records timedOut with how far it got, and runs the next test on a new worker', async () => {
    const { run, workers } = suite(['slow', 'next'], { slow: ['hang'] }, { timeoutS: 0.05 });
    const outcome = await run.run();
    expect(statuses(outcome.results)).toEqual({ slow: 'timedOut', next: 'passed' });
    expect(outcome.results[0]!.attempts[0]!.error!.message).toBe('timed out after 0.05 s of wall time (--timeout), at 5 of 10 s simulated; its worker was stopped');
    expect(outcome.summary).toMatchObject({ status: 'timedOut', exitCode: 4 });
    expect(workers.started).toBe(2);
  });

  it('records a worker that dies as an errored test (exit 3) and replaces it; a thrown error is errored too', async () => {
    const { run, workers } = suite(['dies', 'throws', 'fine'], { dies: ['crash'], throws: ['error'] });
    const outcome = await run.run();
    expect(statuses(outcome.results)).toEqual({ dies: 'errored', throws: 'errored', fine: 'passed' });
    expect(outcome.results[0]!.attempts[0]!.error!.message).toContain('exited with code 1');
    expect(outcome.summary).toMatchObject({ status: 'errored', exitCode: 3 });
    expect(workers.started).toBe(2);
  });

  it('stops at --max-failures: nothing more starts, running tests are stopped, and all of them end interrupted', async () => {
    const serial = await suite(['a', 'b', 'c'], { b: ['fail'] }, { maxFailures: 1 }).run.run();
    expect(statuses(serial.results)).toEqual({ a: 'passed', b: 'failed', c: 'interrupted' });
    expect(serial.summary).toMatchObject({ status: 'failed', exitCode: 1, counts: { interrupted: 1 } });

    const { run, workers, recorder } = suite(['long', 'bad', 'later'], { long: ['hang'], bad: ['fail'] }, { maxFailures: 1, workers: 2 });
    const outcome = await run.run();
    expect(statuses(outcome.results)).toEqual({ long: 'interrupted', bad: 'failed', later: 'interrupted' });
    expect(workers.killed).toBeGreaterThanOrEqual(1);
    expect(recorder.ends.map((r) => r.test.id).sort()).toEqual(['bad', 'later', 'long']);
  });

  it('on a signal, stops running tests and ends the suite interrupted, still reporting every test', async () => {
    const { run, workers, recorder } = suite(['long', 'queued'], { long: ['hang'] });
    const done = run.run();
    await workers.runningAtLeast(1);
    run.stop('signal');
    const outcome = await done;
    expect(statuses(outcome.results)).toEqual({ long: 'interrupted', queued: 'interrupted' });
    expect(outcome.summary).toMatchObject({ status: 'interrupted', exitCode: 130 });
    expect(recorder.summary?.status).toBe('interrupted');
  });

  it('records a reporter that throws and goes on: the other reporters still see every event', async () => {
    const broken: SuiteReporter = {
      onTestEnd: () => {
        throw new Error('disk full');
      },
    };
    const { run, recorder } = suite(['a', 'b'], {}, {}, [broken]);
    const outcome = await run.run();
    expect(outcome.reporterErrors).toEqual(['extra0.onTestEnd: disk full']);
    expect(recorder.ends).toHaveLength(2);
    expect(recorder.summary?.status).toBe('passed');
  });
});
