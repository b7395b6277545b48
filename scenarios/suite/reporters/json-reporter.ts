import type { SuiteConfig, SuiteReporter, SuiteSummary, SuiteTestResult } from '../suite-types';
import { writeReportFile } from './report-file';

export const JSON_REPORT_FILE = 'results.json';

/** Every test's result, each attempt with its full run report, in one file: `<output>/results.json` (see jsonReport). */
export class JsonReporter implements SuiteReporter {
  readonly #outputDir: string;
  #config: SuiteConfig | undefined;

  constructor(outputDir: string) {
    this.#outputDir = outputDir;
  }

  onBegin(config: SuiteConfig): void {
    this.#config = config;
  }

  async onEnd(summary: SuiteSummary, results: readonly SuiteTestResult[]): Promise<void> {
    await writeReportFile(this.#outputDir, JSON_REPORT_FILE, `${JSON.stringify(jsonReport(this.#config, summary, results), null, 2)}\n`);
  }
}

/**
 * The report as written: everything that depends on the machine and the moment (durations, a worker's log lines
 * with their timestamps) under a `wall` key, as in each run's own report, so two runs of one seed differ only there.
 */
export function jsonReport(config: SuiteConfig | undefined, summary: SuiteSummary, results: readonly SuiteTestResult[]) {
  const { durationMs, ...judged } = summary;
  return {
    config,
    summary: { ...judged, wall: { durationMs } },
    results: results.map((r) => ({
      ...r,
      attempts: r.attempts.map(({ durationMs: attemptMs, stderr, ...attempt }) => ({ ...attempt, wall: { durationMs: attemptMs, ...(stderr !== undefined ? { stderr } : {}) } })),
    })),
  };
}
