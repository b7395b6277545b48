import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { SuiteConfig, SuiteReporter, SuiteSummary, SuiteTest, SuiteTestResult } from '../suite-types';
import { loadReportAssets } from './report-assets';
import type { HtmlReportData } from './report-data';
import { renderHtmlReport, type ReportAssets } from './render-html';

export interface HtmlReporterOptions {
  /** Folder the report is written to; created when missing. Required. */
  outputDir: string;
  /** File name in `outputDir` (or a path relative to it). Default `index.html`. */
  file?: string;
  /** Report title, shown in the tab and the header. Default `twinbed test report`. */
  title?: string;
  /** Wall clock for the start time shown in the header, epoch ms. Default `Date.now`. */
  now?: () => number;
  /** The page's script and stylesheet. Default: the built ones in dist/report/ (`npm run build`). */
  assets?: () => Promise<ReportAssets>;
}

/**
 * `--reporter html`: one self-contained HTML file that opens offline (from a CI artifact, a mail, a laptop on a plane),
 * written when the suite ends. Per scenario and attempt it shows the verdict and expectations, the fault timeline
 * against alerts, commands and steps, the trend of every watched feature with its thresholds, and the latencies.
 */
export class HtmlReporter implements SuiteReporter {
  /** The file this reporter writes. */
  readonly path: string;
  readonly #options: HtmlReporterOptions;
  #config: SuiteConfig | undefined;
  #startedAt: string | undefined;

  constructor(options: HtmlReporterOptions) {
    this.#options = options;
    this.path = resolve(options.outputDir, options.file ?? 'index.html');
  }

  onBegin(config: SuiteConfig, _tests: readonly SuiteTest[]): void {
    this.#config = config;
    this.#startedAt = new Date((this.#options.now ?? Date.now)()).toISOString();
  }

  async onEnd(summary: SuiteSummary, results: readonly SuiteTestResult[]): Promise<void> {
    const assets = await (this.#options.assets ?? loadReportAssets)();
    const data: HtmlReportData = {
      v: 1,
      title: this.#options.title ?? 'twinbed test report',
      ...(this.#startedAt ? { startedAt: this.#startedAt } : {}),
      ...(this.#config ? { config: this.#config } : {}),
      summary,
      results,
    };
    await mkdir(dirname(this.path), { recursive: true });
    // Written aside and renamed, so a reader (a CI artifact upload, a browser reload) never sees half a report.
    const partial = `${this.path}.${process.pid}.partial`;
    await writeFile(partial, renderHtmlReport(data, assets));
    await rename(partial, this.path);
  }
}
