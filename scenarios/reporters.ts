import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Reporter, RunInfo, RunResult } from './reporter';
import type { ExpectationResult } from './expectations';

/** Human-readable progress, written through `write` (the CLI passes stdout). */
export class ListReporter implements Reporter {
  readonly #write: (text: string) => void;

  constructor(write: (text: string) => void) {
    this.#write = write;
  }

  onBegin(info: RunInfo): void {
    const pace = info.timeScale === 'max' ? 'virtual time' : `×${info.timeScale}`;
    this.#write(`twinbed run ${info.file ?? info.scenario}: "${info.scenario}", seed ${info.seed}, ${info.durationS} s simulated at ${pace}\n`);
  }

  onExpectation(result: ExpectationResult): void {
    this.#write(`  ${result.passed ? '✓' : '✗'} ${result.name}\n      ${result.detail}\n`);
  }

  onEnd(result: RunResult): void {
    const { stats } = result;
    const failed = result.expectations.filter((e) => !e.passed).length;
    this.#write(
      `  published ${stats.published}, stored ${stats.stored}, duplicates dropped ${stats.duplicatesDropped}, ` +
        `dead-lettered ${stats.deadLettered}, alerts ${stats.alerts}\n` +
        `  QoS 1: ${stats.qos1.published} published, ${stats.qos1.stored} stored; ` +
        `QoS 0: ${stats.qos0.published} published, ${stats.qos0.lost} lost` +
        (stats.droppedBySensors ? `; sensor dropouts ${stats.droppedBySensors} blocks` : '') +
        '\n' +
        `  edge: ${stats.windows} windows, ${stats.edge.events} events, ${stats.edge.commands} commands; ` +
        `${(stats.edge.bytesIn / 1e6).toFixed(1)} MB in, ${(stats.edge.bytesOut / 1e3).toFixed(1)} kB up (×${stats.edge.bandwidthReduction} less)\n` +
        `  simulated ${result.simulatedS} s in ${(result.wallMs / 1000).toFixed(1)} s of wall time (×${result.speedup.toFixed(1)})\n` +
        `  telemetry sha256 ${result.telemetrySha256}\n` +
        (result.passed
          ? `PASSED: ${result.expectations.length} of ${result.expectations.length} expectations hold\n`
          : `FAILED: ${failed} of ${result.expectations.length} expectations failed (reproduce with --seed ${result.seed})\n`),
    );
  }
}

/** Writes the RunResult as JSON to a file at the end of the run. */
export class JsonReporter implements Reporter {
  readonly #file: string;

  constructor(file: string) {
    this.#file = file;
  }

  async onEnd(result: RunResult): Promise<void> {
    await mkdir(dirname(this.#file), { recursive: true });
    await writeFile(this.#file, `${JSON.stringify(result, null, 2)}\n`);
  }
}
