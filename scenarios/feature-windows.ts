import type { FeaturesV1 } from '../protocol';
import { pipelineFor, SensorPipeline, type PipelineConfig } from '../gateway';
import { RandomStreams } from '../sim';
import { createMachines, MachineReader, telemetryOf } from '../twins';
import type { Scenario } from './schema';

export interface FeatureWindowsOptions {
  device: string;
  /** Default `accel`. */
  sensor?: string;
  /** Simulated seconds to record. Default: the scenario's duration. */
  seconds?: number;
  /** Leave the scenario's faults out: healthy operation, to fit a model on. Default true. */
  healthy?: boolean;
  /** Overrides the scenario seed. */
  seed?: string | number;
  /** Gateway pipelines to compute the windows with. Default: the scenario's, else the gateway defaults. */
  pipelines?: readonly PipelineConfig[];
}

/**
 * The feature windows an edge gateway would compute for one device sensor of a scenario, straight from the twins
 * (no broker): what the anomaly model is fitted on, with exactly the pipeline the gateway runs.
 */
export async function featureWindows(scenario: Scenario, options: FeatureWindowsOptions): Promise<FeaturesV1[]> {
  const sensor = options.sensor ?? 'accel';
  const seconds = options.seconds ?? scenario.durationS;
  const faults = options.healthy === false ? scenario.faults : [];
  const twin = scenario.twins.find((t) => t.id === options.device);
  if (!twin) throw new Error(`no twin "${options.device}" in scenario "${scenario.name}" (twins: ${scenario.twins.map((t) => t.id).join(', ')})`);
  const [machine] = await createMachines({ twins: [twin], faults, startTime: scenario.startTime }, new RandomStreams(options.seed ?? scenario.seed));
  const channel = machine!.channels.find((c) => c.sensor === sensor);
  if (!channel) throw new Error(`${options.device} has no sensor "${sensor}" (it has: ${machine!.channels.map((c) => c.sensor).join(', ')})`);
  const reader = new MachineReader(machine!);
  const startMs = Date.parse(scenario.startTime);
  let pipeline: SensorPipeline | undefined;
  const windows: FeaturesV1[] = [];
  let seq = 0;
  for (let second = 1; second <= seconds; second++) {
    for (const { channel: c, firstSample, block } of reader.blocksUntil(second)) {
      if (c !== channel || block.dropped) continue;
      const telemetry = telemetryOf(options.device, c, block, seq++, startMs + (firstSample / c.rateHz) * 1000);
      pipeline ??= new SensorPipeline(pipelineFor(options.pipelines ?? scenario.gateway?.pipelines ?? [], sensor, telemetry), { device: options.device, sensor });
      for (const output of pipeline.push(telemetry)) if (output.kind === 'features' || output.kind === 'report') windows.push(output.message);
    }
  }
  machine!.dispose?.();
  return windows;
}
