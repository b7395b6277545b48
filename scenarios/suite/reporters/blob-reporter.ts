import type { SuiteConfig, SuiteReporter, SuiteSummary, SuiteTest, SuiteTestResult } from '../suite-types';
import { writeReportFile } from './report-file';

export const BLOB_KIND = 'twinbed-blob-report';
export const BLOB_VERSION = 1;

/** Everything `twinbed merge-reports` needs to report a shard again, on any machine: no scenario file is read. */
export interface BlobReport {
  kind: typeof BLOB_KIND;
  version: typeof BLOB_VERSION;
  config: SuiteConfig;
  /** The shard's tests, in run order. */
  tests: SuiteTest[];
  results: SuiteTestResult[];
  summary: SuiteSummary;
}

/** `report-2-of-3.blob.json` for a shard, `report.blob.json` otherwise: shards can share one output folder. */
export function blobFileName(config: Pick<SuiteConfig, 'shard'>): string {
  return config.shard ? `report-${config.shard.current}-of-${config.shard.total}.blob.json` : 'report.blob.json';
}

/** Writes one blob file per run (per shard), to merge later. */
export class BlobReporter implements SuiteReporter {
  readonly #outputDir: string;
  #config: SuiteConfig | undefined;
  #tests: SuiteTest[] = [];

  constructor(outputDir: string) {
    this.#outputDir = outputDir;
  }

  onBegin(config: SuiteConfig, tests: readonly SuiteTest[]): void {
    this.#config = config;
    this.#tests = [...tests];
  }

  async onEnd(summary: SuiteSummary, results: readonly SuiteTestResult[]): Promise<void> {
    const config = this.#config!;
    const blob: BlobReport = { kind: BLOB_KIND, version: BLOB_VERSION, config, tests: this.#tests, results: [...results], summary };
    await writeReportFile(this.#outputDir, blobFileName(config), `${JSON.stringify(blob)}\n`);
  }
}
