import { RandomStreams } from '../../sim';
import { createMachines, MachineSchema, type FleetDefinition, type Machine, type MachineConfig } from '../../twins';
import { HardwareError } from './hardware-device';

export interface EmulatedMachineOptions {
  device: string;
  /** Template of a twin built from defaults, when the scenario does not have the device. Default `pump`. */
  template?: MachineConfig['template'];
  /** Take the device's twin (parameters, faults) from this scenario. */
  scenario?: FleetDefinition;
  seed: string | number;
  /** The device clock's rate error, ppm; its sensors sample on that clock. */
  driftPpm: number;
  /** Highest sample rate a sensor keeps on the line, Hz; faster sensors are anti-alias filtered and decimated to it. */
  maxRateHz: number;
}

/** Most a sensor oversamples before decimation to the line rate: enough for the anti-alias filter to act. */
const MAX_DECIMATION = 8;

/**
 * The twin an emulated device runs: the scenario's (with its faults) or a template's defaults, with each sensor read
 * one sample at a time on the device's drifting clock, at most `maxRateHz` (a serial line at 115200 baud carries a
 * few thousand values a second, not a 25.6 kHz accelerometer).
 */
export async function emulatedMachine(options: EmulatedMachineOptions): Promise<Machine> {
  const { device, scenario } = options;
  const twin = scenario ? scenario.twins.find((t) => t.id === device) : MachineSchema.parse({ template: options.template ?? 'pump', id: device });
  if (!twin) throw new HardwareError(device, `the scenario has no twin "${device}" (twins: ${scenario!.twins.map((t) => t.id).join(', ')})`);
  const config = structuredClone(twin);
  for (const spec of Object.values(config.sensors) as { enabled: boolean; rateHz: number; blockSamples: number; model: Record<string, unknown> & { decimation: number; clockSkewPpm: number; antiAliasHz?: number } }[]) {
    if (!spec.enabled) continue;
    const rateHz = Math.min(spec.rateHz, options.maxRateHz);
    const decimation = spec.rateHz > rateHz ? Math.min(MAX_DECIMATION, Math.max(1, Math.floor(spec.rateHz / rateHz))) : spec.model.decimation;
    const antiAliasHz = spec.model.antiAliasHz !== undefined && spec.model.antiAliasHz < (rateHz * decimation) / 2 ? spec.model.antiAliasHz : undefined;
    spec.rateHz = rateHz;
    spec.blockSamples = 1;
    spec.model = { ...spec.model, decimation, clockSkewPpm: spec.model.clockSkewPpm + options.driftPpm };
    if (antiAliasHz === undefined) delete spec.model.antiAliasHz;
  }
  const machines = await createMachines(
    { twins: [config], faults: (scenario?.faults ?? []).filter((f) => f.device === device), startTime: scenario?.startTime ?? '2026-01-01T00:00:00Z' },
    new RandomStreams(options.seed),
  );
  return machines[0]!;
}
