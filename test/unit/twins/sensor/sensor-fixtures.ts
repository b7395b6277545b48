// Sensor channels built the way a twin builds them: config through the schemas, one named stream per mechanism.
import { createHash } from 'node:crypto';
import { RandomStreams } from '../../../../sim/index';
import type { ChannelBlock, Measurand } from '../../../../twins/channel';
import {
  SensorChannel,
  SensorFaultSchema,
  SensorModelSchema,
  type SensorFaultInput,
  type SensorModelInput,
} from '../../../../twins/sensor/index';

export const DEVICE = 'pump-1';
export const SENSOR = 'accel';

/** A sensor fault as a test writes it: device and sensor are filled in. */
export type FaultSpec = SensorFaultInput extends infer F ? (F extends unknown ? Omit<F, 'device' | 'sensor'> : never) : never;

export interface ChannelSpec {
  rateHz: number;
  blockSamples: number;
  measurand?: Measurand;
  model?: SensorModelInput;
  faults?: FaultSpec[];
  seed?: string | number;
}

/** A measurand from a function of run time, seconds. */
export function measurand(valueAt: (tS: number) => number, unit = 'g'): Measurand {
  return {
    unit,
    fill(out, startS, rateHz) {
      for (let i = 0; i < out.length; i++) out[i] = valueAt(startS + i / rateHz);
    },
  };
}

export const constant = (value: number): Measurand => measurand(() => value);
export const sine = (amplitude: number, hz: number): Measurand => measurand((t) => amplitude * Math.sin(2 * Math.PI * hz * t));

export function sensorChannel(spec: ChannelSpec): SensorChannel {
  const streams = new RandomStreams(spec.seed ?? 1);
  const stream = (name: string) => streams.stream(`${DEVICE}/${SENSOR}/${name}`);
  return new SensorChannel({
    sensor: SENSOR,
    unit: 'g',
    rateHz: spec.rateHz,
    blockSamples: spec.blockSamples,
    measurand: spec.measurand ?? constant(0),
    model: SensorModelSchema.parse(spec.model ?? {}),
    faults: (spec.faults ?? []).map((f) => SensorFaultSchema.parse({ device: DEVICE, sensor: SENSOR, ...f })),
    rng: { noise: stream('noise'), bias: stream('bias'), jitter: stream('jitter'), faults: stream('faults') },
  });
}

export interface Recording {
  blocks: ChannelBlock[];
  /** Every block's values end to end, delivered or not. */
  values: Float64Array;
  /** Run time of each value, s: startS + i/rateHz with startS = k·blockSamples/rateHz. */
  timesS: Float64Array;
}

/** `count` contiguous blocks from t = 0. */
export function record(channel: SensorChannel, count: number): Recording {
  const { rateHz, blockSamples } = channel;
  const blocks: ChannelBlock[] = [];
  const values = new Float64Array(count * blockSamples);
  const timesS = new Float64Array(count * blockSamples);
  for (let k = 0; k < count; k++) {
    const startS = (k * blockSamples) / rateHz;
    const block = channel.next(startS);
    blocks.push(block);
    values.set(block.values, k * blockSamples);
    for (let i = 0; i < blockSamples; i++) timesS[k * blockSamples + i] = startS + i / rateHz;
  }
  return { blocks, values, timesS };
}

/** SHA-256 of each block's Float32 bytes, for bit-exact comparisons. */
export function blockDigests(blocks: readonly ChannelBlock[]): string[] {
  return blocks.map((b) => createHash('sha256').update(new Uint8Array(b.values.buffer, b.values.byteOffset, b.values.byteLength)).digest('hex'));
}
