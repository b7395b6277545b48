import type { SuiteAttempt, SuiteConfig, SuiteProgress, SuiteStatus, SuiteSummary, SuiteTest, SuiteTestResult } from '../suite-types';
import { ReporterMux, type NamedReporter } from './reporter-mux';
import type { AttemptEnd, SuiteWorker } from './suite-worker';
import { countStatuses, isFailure, suiteStatus, testStatus } from './verdict';

export interface SuiteRunOptions {
  config: SuiteConfig;
  /** The tests to run, in report order. */
  tests: readonly SuiteTest[];
  reporters: readonly NamedReporter[];
  /** Starts a worker; one per slot, and a new one after a worker crashed or was stopped. */
  startWorker: () => SuiteWorker;
  /** The process exit code for a verdict (the CLI's table). */
  exitCodeOf: (status: SuiteSummary['status']) => number;
  /** Wall ms between a running test's progress reports. Default 1000. */
  progressIntervalMs?: number;
  /** --target, passed on to every worker. */
  target?: string;
  /** Monotonic wall clock, ms. Default performance.now. */
  nowMs?: () => number;
}

export interface SuiteOutcome {
  summary: SuiteSummary;
  /** One per test, in test order. */
  results: SuiteTestResult[];
  /** Reporters that threw, as `name.hook: message`; the suite went on without them. */
  reporterErrors: string[];
}

interface Entry {
  test: SuiteTest;
  index: number;
  attempts: SuiteAttempt[];
}

/**
 * Runs a suite's tests on up to `config.workers` workers, one test per worker at a time: retries (queued behind
 * the rest, as Playwright does), --timeout (the worker is killed and replaced), --max-failures (nothing more is
 * scheduled and running tests are stopped), and a stop on a signal. Every test ends in exactly one onTestEnd.
 */
export class SuiteRun {
  readonly #options: SuiteRunOptions;
  readonly #mux: ReporterMux;
  readonly #queue: Entry[];
  readonly #results: SuiteTestResult[] = [];
  readonly #running = new Set<SuiteWorker>();
  readonly #now: () => number;
  #stop: 'max-failures' | 'signal' | undefined;
  #failures = 0;

  constructor(options: SuiteRunOptions) {
    this.#options = options;
    this.#mux = new ReporterMux(options.reporters);
    this.#queue = options.tests.map((test, index) => ({ test, index, attempts: [] }));
    this.#now = options.nowMs ?? (() => performance.now());
  }

  async run(): Promise<SuiteOutcome> {
    const { config, tests } = this.#options;
    const startMs = this.#now();
    await this.#mux.onBegin(config, tests);
    const slots = Math.max(1, Math.min(config.workers, tests.length));
    await Promise.all(Array.from({ length: slots }, () => this.#slot()));
    // What never ran, or waited for a retry that never came: its own attempts decide, else it was interrupted.
    for (const entry of this.#queue.splice(0)) await this.#finish(entry, testStatus(entry.attempts));
    const results = this.#results.filter(Boolean).sort((a, b) => indexOf(tests, a) - indexOf(tests, b));
    const status = suiteStatus(results, { failOnFlaky: config.failOnFlaky, stoppedBySignal: this.#stop === 'signal' });
    const summary: SuiteSummary = { status, exitCode: this.#options.exitCodeOf(status), counts: countStatuses(results), durationMs: Math.round(this.#now() - startMs) };
    await this.#mux.onEnd(summary, results);
    return { summary, results, reporterErrors: this.#mux.errors };
  }

  /** Stops the suite: nothing more starts, running tests are killed and end `interrupted`. */
  stop(reason: 'max-failures' | 'signal'): void {
    if (this.#stop) return;
    this.#stop = reason;
    for (const worker of this.#running) worker.kill();
  }

  async #slot(): Promise<void> {
    let worker: SuiteWorker | undefined;
    try {
      while (!this.#stop) {
        // A slot that finds the queue empty ends; the slot that queues a retry is still looping and runs it.
        const entry = this.#queue.shift();
        if (!entry) break;
        const retry = entry.attempts.length;
        await this.#mux.onTestBegin(entry.test, retry);
        if (this.#stop) {
          this.#queue.unshift(entry);
          break;
        }
        worker ??= this.#options.startWorker();
        const { end, timedOut, durationMs, progress } = await this.#attempt(worker, entry, retry);
        if (end.kind === 'crashed' || timedOut) {
          worker.kill();
          worker = undefined;
        }
        if (this.#stop && end.kind === 'crashed' && !timedOut) {
          await this.#finish(entry, 'interrupted');
          continue;
        }
        entry.attempts.push(toAttempt(end, { retry, durationMs, timedOut, timeoutS: this.#options.config.timeoutS, progress }));
        if (entry.attempts.at(-1)!.status !== 'passed' && retry < this.#options.config.retries && !this.#stop) this.#queue.push(entry);
        else await this.#finish(entry, testStatus(entry.attempts));
      }
    } finally {
      await worker?.close();
    }
  }

  async #attempt(worker: SuiteWorker, entry: Entry, retry: number): Promise<{ end: AttemptEnd; timedOut: boolean; durationMs: number; progress?: SuiteProgress }> {
    const { config, target, progressIntervalMs = 1000 } = this.#options;
    let progress: SuiteProgress | undefined;
    let timedOut = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    this.#running.add(worker);
    // The clock starts when the worker has the test, so a slow process start counts against neither duration nor timeout.
    let startMs = this.#now();
    try {
      const job = { type: 'run' as const, test: entry.test, retry, progressIntervalMs, ...(target ? { target } : {}) };
      const end = await worker.run(job, {
        onStart: () => {
          startMs = this.#now();
          if (config.timeoutS !== undefined) {
            timer = setTimeout(() => {
              timedOut = true;
              worker.kill();
            }, config.timeoutS * 1000);
          }
        },
        onProgress: (p) => {
          progress = p;
          this.#mux.onProgress(entry.test, p);
        },
      });
      return { end, timedOut, durationMs: Math.round(this.#now() - startMs), ...(progress ? { progress } : {}) };
    } finally {
      clearTimeout(timer);
      this.#running.delete(worker);
    }
  }

  async #finish(entry: Entry, status: SuiteStatus): Promise<void> {
    const result: SuiteTestResult = { test: entry.test, status, attempts: entry.attempts };
    this.#results.push(result);
    await this.#mux.onTestEnd(result);
    const { maxFailures, failOnFlaky } = this.#options.config;
    if (isFailure(status, failOnFlaky) && maxFailures !== undefined && ++this.#failures >= maxFailures) this.stop('max-failures');
  }
}

function toAttempt(end: AttemptEnd, at: { retry: number; durationMs: number; timedOut: boolean; timeoutS: number | undefined; progress: SuiteProgress | undefined }): SuiteAttempt {
  const base = { retry: at.retry, durationMs: at.durationMs, ...(end.stderr ? { stderr: end.stderr } : {}) };
  if (at.timedOut) {
    const where = at.progress ? `, at ${Math.round(at.progress.simulatedS)} of ${at.progress.durationS} s simulated` : '';
    return { ...base, status: 'timedOut', error: { message: `timed out after ${at.timeoutS} s of wall time (--timeout)${where}; its worker was stopped` } };
  }
  if (end.kind === 'result') return { ...base, status: end.result.passed ? 'passed' : 'failed', result: end.result };
  return { ...base, status: 'errored', error: end.error };
}

function indexOf(tests: readonly SuiteTest[], result: SuiteTestResult): number {
  return tests.indexOf(result.test);
}
