import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Reporter, RunInfo, RunResult } from './reporter';
import type { ExpectationResult } from './expectations';
import { formatHardwareLine } from './hardware/bound-device';

/** Human-readable progress, written through `write` (the CLI passes stdout). */
export class ListReporter implements Reporter {
  readonly #write: (text: string) => void;

  constructor(write: (text: string) => void) {
    this.#write = write;
  }

  onBegin(info: RunInfo): void {
    const pace = info.timeScale === 'max' ? 'virtual time' : `×${info.timeScale}`;
    const against = info.target === 'embedded' ? '' : ` against ${info.target}`;
    this.#write(`twinbed run ${info.file ?? info.scenario}: "${info.scenario}", seed ${info.seed}, ${info.durationS} s simulated at ${pace}${against}\n`);
    for (const note of info.notes ?? []) this.#write(`  note: ${note}\n`);
  }

  onExpectation(result: ExpectationResult): void {
    const mark = result.skipped !== undefined ? '-' : result.passed ? '✓' : '✗';
    this.#write(`  ${mark} ${result.name}\n      ${result.detail}\n`);
  }

  onEnd(result: RunResult): void {
    const { stats } = result;
    const failed = result.expectations.filter((e) => !e.passed && e.skipped === undefined).length;
    const skipped = result.expectations.filter((e) => e.skipped !== undefined).length;
    const judged = result.expectations.length - skipped;
    const d = stats.devices;
    const w = result.wall;
    const errors = Object.entries(d.errors);
    const lines = [
      `  published ${stats.published}, stored ${stats.stored}, duplicates dropped ${stats.duplicatesDropped}, ` +
        (stats.deadLettered !== undefined ? `dead-lettered ${stats.deadLettered}, ` : '') +
        `alerts ${stats.alerts}`,
      `  QoS 1: ${stats.qos1.published} published, ${stats.qos1.stored} stored; ` +
        `QoS 0: ${stats.qos0.published} published, ${stats.qos0.lost} lost` +
        (stats.droppedBySensors ? `; sensor dropouts ${stats.droppedBySensors} blocks` : ''),
      `  devices: ${d.connected} connected${d.failed ? `, ${d.failed} failed` : ''}, connect p50 ${w.connectP50Ms} ms p99 ${w.connectP99Ms} ms; ` +
        `PUBACK p50 ${w.pubackP50Ms} ms, p99 ${w.pubackP99Ms} ms, max ${w.pubackMaxMs} ms` +
        (errors.length ? `; errors: ${errors.map(([reason, n]) => `${reason} ×${n}`).join(', ')}` : '') +
        (d.pubackReasons ? `; PUBACK reasons: ${Object.entries(d.pubackReasons).map(([reason, n]) => `${reason} ×${n}`).join(', ')}` : ''),
    ];
    if (stats.edge) {
      const edge = stats.edge;
      lines.push(
        `  edge: ${stats.windows} windows, ${edge.events} events, ${edge.commands} commands; ` +
          `${(edge.bytesIn / 1e6).toFixed(1)} MB in, ${(edge.bytesOut / 1e3).toFixed(1)} kB up (×${edge.bandwidthReduction} less)`,
      );
    } else {
      const unmapped = Object.values(stats.observed.unmapped).reduce((a, b) => a + b, 0);
      lines.push(
        `  observed: ${stats.observed.messages} messages, ${(stats.observed.bytes / 1e3).toFixed(1)} kB` +
          ` (${(stats.bytesPublished / 1e6).toFixed(1)} MB published)` +
          `; ${stats.windows} readings, ${stats.alerts} alerts raised, ${stats.commandsReceived} commands to the twins` +
          (unmapped ? `; ${unmapped} not readable by the mapping` : ''),
      );
    }
    for (const [device, hardware] of Object.entries(stats.hardware ?? {})) lines.push(`  ${formatHardwareLine(device, hardware)}`);
    lines.push(
      `  simulated ${result.simulatedS} s in ${(w.ms / 1000).toFixed(1)} s of wall time (×${w.speedup.toFixed(1)})`,
      `  telemetry sha256 ${result.telemetrySha256}`,
      result.passed
        ? `PASSED: ${judged} of ${judged} expectations hold${skipped ? ` (${skipped} skipped by the target)` : ''}`
        : `FAILED: ${failed} of ${judged} expectations failed${skipped ? ` (${skipped} skipped by the target)` : ''} (reproduce with --seed ${result.seed})`,
    );
    this.#write(`${lines.join('\n')}\n`);
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
