import type { SuiteConfig, SuiteProgress, SuiteReporter, SuiteSummary, SuiteTest, SuiteTestResult } from '../suite-types';

export interface NamedReporter {
  /** The name it was chosen by (`junit`, a file path), for error messages. */
  name: string;
  reporter: SuiteReporter;
}

/**
 * Calls every reporter's hook in turn. One that throws is recorded in `errors` and the suite goes on, as in
 * Playwright Test: a broken HTML report must not cost the JUnit file.
 */
export class ReporterMux implements Required<SuiteReporter> {
  readonly errors: string[] = [];
  readonly #reporters: readonly NamedReporter[];

  constructor(reporters: readonly NamedReporter[]) {
    this.#reporters = reporters;
  }

  async onBegin(config: SuiteConfig, tests: readonly SuiteTest[]): Promise<void> {
    await this.#each('onBegin', (r) => r.onBegin?.(config, tests));
  }

  async onTestBegin(test: SuiteTest, retry: number): Promise<void> {
    await this.#each('onTestBegin', (r) => r.onTestBegin?.(test, retry));
  }

  onProgress(test: SuiteTest, progress: SuiteProgress): void {
    for (const { name, reporter } of this.#reporters) {
      try {
        reporter.onProgress?.(test, progress);
      } catch (error) {
        this.#record(name, 'onProgress', error);
      }
    }
  }

  async onTestEnd(result: SuiteTestResult): Promise<void> {
    await this.#each('onTestEnd', (r) => r.onTestEnd?.(result));
  }

  async onEnd(summary: SuiteSummary, results: readonly SuiteTestResult[]): Promise<void> {
    await this.#each('onEnd', (r) => r.onEnd?.(summary, results));
  }

  async #each(hook: keyof SuiteReporter, call: (reporter: SuiteReporter) => void | Promise<void>): Promise<void> {
    for (const { name, reporter } of this.#reporters) {
      try {
        await call(reporter);
      } catch (error) {
        this.#record(name, hook, error);
      }
    }
  }

  #record(name: string, hook: string, error: unknown): void {
    // A reporter that fails on every progress tick is reported once per hook, not once a second.
    const message = `${name}.${hook}: ${(error as Error)?.message ?? String(error)}`;
    if (!this.errors.includes(message)) this.errors.push(message);
  }
}
