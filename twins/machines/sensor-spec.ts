import { z } from 'zod';
import type { RandomStreams } from '../../sim';
import type { Measurand } from '../channel';
import { SensorChannel, SensorModelSchema, type SensorFaultConfig, type SensorModelInput } from '../sensor';

export interface SensorDefaults {
  rateHz: number;
  blockSamples: number;
  model: SensorModelInput;
}

/** A sensor on a machine: how often it samples, how it packs blocks, and its error model (with per-sensor defaults). */
export function sensorSpec(defaults: SensorDefaults) {
  return z
    .object({
      enabled: z.boolean().default(true).describe('Publish this sensor. Default true.'),
      rateHz: z.number().positive().max(102_400).default(defaults.rateHz).describe(`Output sample rate, Hz. Default ${defaults.rateHz}.`),
      blockSamples: z.number().int().min(1).max(65_536).default(defaults.blockSamples).describe(`Samples per published block. Default ${defaults.blockSamples}.`),
      qos: z.union([z.literal(0), z.literal(1)]).default(1).describe('MQTT QoS of its readings: 1 at least once, 0 best effort (lost on a bad link). Default 1.'),
      model: SensorModelSchema.prefault(defaults.model).describe('Sensor error model: noise, bias, range, ADC, filtering, lag, clock.'),
    })
    .strict()
    .prefault({});
}

export type SensorSpec = z.output<ReturnType<typeof sensorSpec>>;

/** Builds the channel for one enabled sensor, with its own named random streams. */
export function sensorChannel(
  device: string,
  sensor: string,
  spec: SensorSpec,
  measurand: Measurand,
  sensorFaults: readonly SensorFaultConfig[],
  streams: RandomStreams,
): SensorChannel {
  const stream = (what: string) => streams.stream(`${device}/${sensor}/${what}`);
  return new SensorChannel({
    sensor,
    unit: measurand.unit,
    rateHz: spec.rateHz,
    blockSamples: spec.blockSamples,
    qos: spec.qos,
    measurand,
    model: spec.model,
    faults: sensorFaults.filter((f) => f.device === device && f.sensor === sensor),
    rng: { noise: stream('noise'), bias: stream('bias'), jitter: stream('jitter'), faults: stream('faults') },
  });
}
