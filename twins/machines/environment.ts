import { z } from 'zod';
import { IdSchema, type TruthFault } from '../../protocol';
import type { RandomStreams } from '../../sim';
import type { Channel } from '../channel';
import type { Machine } from '../machine';
import type { SensorFaultConfig } from '../sensor';
import { constantDrivers, ThermalNetwork, ThermalSchema } from '../thermal';
import { sensorChannel, sensorSpec } from './sensor-spec';
import { sensorTruth } from './sensor-truth';

/** A wall-mounted climate sensor: ambient temperature and relative humidity, the slow twins of the hall. */
export const EnvironmentSchema = z
  .object({
    template: z.literal('environment'),
    id: IdSchema.describe('Device name, a topic level, unique in the scenario.'),
    climate: ThermalSchema.prefault({}).describe('Ambient daily cycle and humidity (the machine fields are unused here).'),
    sensors: z
      .object({
        'ambient-temp': sensorSpec({ rateHz: 0.1, blockSamples: 6, model: { noiseDensity: 0.1, timeConstantS: 30, range: 100, adcBits: 16 } }),
        humidity: sensorSpec({ rateHz: 0.1, blockSamples: 6, model: { noiseDensity: 1, timeConstantS: 60, range: 100, adcBits: 12 } }),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type EnvironmentConfig = z.output<typeof EnvironmentSchema>;

export class EnvironmentTwin implements Machine {
  readonly id: string;
  readonly template = 'environment';
  readonly channels: readonly Channel[];
  readonly #sensorFaults: readonly SensorFaultConfig[];

  constructor(config: EnvironmentConfig, sensorFaults: readonly SensorFaultConfig[], streams: RandomStreams, options: { startHourOfDay?: number } = {}) {
    this.id = config.id;
    this.#sensorFaults = sensorFaults.filter((f) => f.device === config.id);
    const climate = new ThermalNetwork(config.climate, constantDrivers({ load: 0 }), {
      rng: streams.stream(`${config.id}/humidity`),
      startHourOfDay: options.startHourOfDay ?? 0,
    });
    const measurands = { 'ambient-temp': climate.ambient, humidity: climate.humidity } as const;
    const channels: Channel[] = [];
    for (const [sensor, spec] of Object.entries(config.sensors) as [keyof typeof measurands, (typeof config.sensors)[keyof typeof measurands]][]) {
      if (spec.enabled) channels.push(sensorChannel(config.id, sensor, spec, measurands[sensor], this.#sensorFaults, streams));
    }
    this.channels = channels;
  }

  truthAt(tS: number): TruthFault[] {
    return sensorTruth(this.#sensorFaults, tS);
  }
}
