import { formatRunProgress } from '../progress-line';
import type { SuiteProgress, SuiteReporter, SuiteTest, SuiteTestResult } from './suite-types';

/**
 * The live line of `twinbed test`: tests done, failed and flaky, simulated seconds of the whole suite, its speed
 * (simulated ÷ wall) and an ETA from that speed. Fed like a reporter; `text()` is read on every redraw.
 */
export class SuiteProgressText implements SuiteReporter {
  readonly #nowMs: () => number;
  #startMs = 0;
  #tests: readonly SuiteTest[] = [];
  #done = 0;
  #failed = 0;
  #flaky = 0;
  #doneS = 0;
  readonly #running = new Map<string, SuiteProgress>();

  /** @param nowMs monotonic wall clock, ms */
  constructor(nowMs: () => number) {
    this.#nowMs = nowMs;
  }

  onBegin(_config: unknown, tests: readonly SuiteTest[]): void {
    this.#tests = tests;
    this.#startMs = this.#nowMs();
  }

  onTestBegin(test: SuiteTest): void {
    this.#running.set(test.id, { simulatedS: 0, durationS: test.durationS ?? 0, speedup: 0 });
  }

  onProgress(test: SuiteTest, progress: SuiteProgress): void {
    this.#running.set(test.id, progress);
  }

  onTestEnd(result: SuiteTestResult): void {
    this.#running.delete(result.test.id);
    this.#done++;
    this.#doneS += result.test.durationS ?? 0;
    if (result.status === 'flaky') this.#flaky++;
    else if (result.status !== 'passed' && result.status !== 'interrupted') this.#failed++;
  }

  text(): string {
    const totalS = this.#tests.reduce((s, t) => s + (t.durationS ?? 0), 0);
    const simulatedS = this.#doneS + [...this.#running.values()].reduce((s, p) => s + p.simulatedS, 0);
    const wallS = Math.max((this.#nowMs() - this.#startMs) / 1000, 1e-3);
    const counts = `${this.#done}/${this.#tests.length} done, ${this.#failed} failed, ${this.#flaky} flaky`;
    return `twinbed test: ${counts} · ${formatRunProgress({ simulatedS, durationS: totalS, speedup: simulatedS / wallS })} · ${this.#running.size} running`;
  }
}
