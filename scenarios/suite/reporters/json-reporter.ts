import type { SuiteConfig, SuiteReporter, SuiteSummary, SuiteTestResult } from '../suite-types';
import { writeReportFile } from './report-file';

export const JSON_REPORT_FILE = 'results.json';

/** Every test's result, each attempt with its full run report, in one file: `<output>/results.json`. */
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
    await writeReportFile(this.#outputDir, JSON_REPORT_FILE, `${JSON.stringify({ config: this.#config, summary, results }, null, 2)}\n`);
  }
}
