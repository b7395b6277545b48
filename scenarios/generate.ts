import { writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { TruthFault } from '../protocol';
import { RandomStreams } from '../sim';
import { createMachines, MachineReader, type Machine } from '../twins';
import { csvToParquet, labelOf, SensorCsvFile, type DatasetFormat } from './dataset-writer';
import type { Scenario } from './schema';

export interface GenerateOptions {
  outDir: string;
  format?: DatasetFormat;
  /** Overrides the scenario's seed. */
  seed?: string | number;
  /** Called after each simulated second with (simulated s, total s). */
  onProgress?: (doneS: number, totalS: number) => void;
}

export interface DatasetFile {
  device: string;
  sensor: string;
  unit: string;
  rateHz: number;
  rows: number;
  /** Relative to the output folder. */
  path: string;
}

export interface GenerateResult {
  scenario: string;
  seed: string | number;
  startTime: string;
  durationS: number;
  files: DatasetFile[];
  /** Every fault change, per device, as the truth channel would publish it. */
  truth: { device: string; timeS: number; label: string }[];
}

/**
 * Writes every sensor's samples with timestamps and ground-truth labels, as fast as the machine allows (no
 * broker, no clock: the same twins and seeds as `twinbed run`, so the same samples).
 */
export async function generateDataset(scenario: Scenario, options: GenerateOptions): Promise<GenerateResult> {
  const seed = options.seed ?? scenario.seed;
  const machines = await createMachines(scenario, new RandomStreams(seed));
  const startMs = Date.parse(scenario.startTime);
  const files = new Map<string, SensorCsvFile>();
  for (const machine of machines) {
    for (const channel of machine.channels) files.set(`${machine.id}/${channel.sensor}`, await SensorCsvFile.open(options.outDir, machine.id, channel.sensor));
  }
  const truth: GenerateResult['truth'] = [];
  const lastLabel = new Map<string, string>();
  const readers = machines.map((machine) => new MachineReader(machine));
  for (let second = 1; second <= Math.ceil(scenario.durationS); second++) {
    const untilS = Math.min(second, scenario.durationS);
    for (const reader of readers) {
      const machine = reader.machine;
      // The manifest lists changes of which faults are active, not every step of a growing severity.
      const label = labelOf(machine.truthAt(untilS - 1)).split(',')[0]!;
      if (lastLabel.get(machine.id) !== label) {
        lastLabel.set(machine.id, label);
        truth.push({ device: machine.id, timeS: untilS - 1, label });
      }
      for (const { channel, firstSample, block } of reader.blocksUntil(untilS)) {
        if (block.dropped) continue;
        const file = files.get(`${machine.id}/${channel.sensor}`)!;
        await file.append(startMs + block.tsOffsetMs, firstSample, channel.rateHz, block.values, sampleLabels(machine, channel.sensor, firstSample, channel.rateHz));
      }
    }
    options.onProgress?.(untilS, scenario.durationS);
  }
  const result: DatasetFile[] = [];
  for (const machine of machines) {
    for (const channel of machine.channels) {
      const file = files.get(`${machine.id}/${channel.sensor}`)!;
      await file.close();
      const path = options.format === 'parquet' ? await csvToParquet(file.path) : file.path;
      result.push({ device: machine.id, sensor: channel.sensor, unit: channel.unit, rateHz: channel.rateHz, rows: file.rows, path: relative(options.outDir, path) });
    }
  }
  for (const machine of machines) machine.dispose?.();
  const manifest: GenerateResult = { scenario: scenario.name, seed, startTime: scenario.startTime, durationS: scenario.durationS, files: result, truth };
  await writeFile(join(options.outDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

/**
 * Labels for one block: the truth at its first and last sample; only if they differ is each sample looked up,
 * so a label switches at the exact sample of a fault onset without costing a lookup per sample.
 */
function sampleLabels(machine: Machine, sensor: string, firstSample: number, rateHz: number): (i: number, n: number) => string {
  const at = (i: number) => labelOf(forSensor(machine.truthAt((firstSample + i) / rateHz), sensor));
  let first: string | undefined;
  let uniform: boolean | undefined;
  return (i, n) => {
    first ??= at(0);
    uniform ??= at(n - 1) === first;
    return uniform ? first : at(i);
  };
}

/** Machine faults label every sensor of the machine; a sensor fault labels only its own sensor. */
function forSensor(faults: readonly TruthFault[], sensor: string): TruthFault[] {
  return faults.filter((f) => f.sensor === undefined || f.sensor === sensor);
}
