// Helpers for the motion twin tests: build twins the way a scenario would, and read their measurands in blocks.
import { RandomStreams } from '../../../../sim/index';
import type { Measurand } from '../../../../twins/channel';
import {
  Conveyor,
  ConveyorSchema,
  MotionFaultSchema,
  RobotArm,
  RobotArmSchema,
  type MotionFault,
} from '../../../../twins/motion/index';

export const G0 = 9.80665;

type Input<S extends { parse: (x: never) => unknown }> = Partial<Exclude<Parameters<S['parse']>[0], null | undefined>>;

/** Faults through the schema, as a scenario file would give them. */
export function faults(...inputs: object[]): MotionFault[] {
  return inputs.map((f) => MotionFaultSchema.parse(f));
}

export function conveyor(input: Input<typeof ConveyorSchema> = {}, faultList: MotionFault[] = [], seed: string | number = 1): Conveyor {
  const config = ConveyorSchema.parse({ id: 'belt-1', ...input });
  return new Conveyor(config, faultList, new RandomStreams(seed).stream(`${config.id}/motion`));
}

export function robotArm(input: Input<typeof RobotArmSchema> = {}, faultList: MotionFault[] = [], seed: string | number = 1): RobotArm {
  const config = RobotArmSchema.parse({ id: 'arm-1', ...input });
  return new RobotArm(config, faultList, new RandomStreams(seed).stream(`${config.id}/motion`));
}

/**
 * Every sensor of `twin` from 0 to `seconds` at `rateHz`, read block by block in time order the way channels
 * read them: for each block, each sensor in turn.
 */
export function record<S extends string>(
  twin: { measurands: Readonly<Record<S, Measurand>> },
  seconds: number,
  rateHz = 100,
  blockSamples = 50,
): Record<S, Float64Array> {
  const sensors = Object.keys(twin.measurands) as S[];
  const total = Math.round(seconds * rateHz);
  const out = Object.fromEntries(sensors.map((s) => [s, new Float64Array(total)])) as Record<S, Float64Array>;
  for (let start = 0; start < total; start += blockSamples) {
    const n = Math.min(blockSamples, total - start);
    for (const sensor of sensors) {
      const block = new Float64Array(n);
      twin.measurands[sensor].fill(block, start / rateHz, rateHz);
      out[sensor].set(block, start);
    }
  }
  return out;
}

/** The samples from fromS (inclusive) to toS (exclusive). */
export function slice(values: Float64Array, fromS: number, toS: number, rateHz = 100): Float64Array {
  return values.subarray(Math.round(fromS * rateHz), Math.round(toS * rateHz));
}

export function mean(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i]!;
  return sum / values.length;
}

export function maxAbs(values: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < values.length; i++) max = Math.max(max, Math.abs(values[i]!));
  return max;
}

/** Velocity change from integrating an acceleration in g sampled at rateHz: Δv = Σ a·g₀/rate, m/s. */
export function integrateG(values: ArrayLike<number>, rateHz = 100): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i]!;
  return (sum * G0) / rateHz;
}

/** Largest |f − (0, 0, 1 g)| over the samples: how far the accelerometer strays from rest, g. */
export function peakDeviationG(ax: Float64Array, ay: Float64Array, az: Float64Array): number {
  let peak = 0;
  for (let i = 0; i < ax.length; i++) peak = Math.max(peak, Math.hypot(ax[i]!, ay[i]!, az[i]! - 1));
  return peak;
}

/** The bytes of a Float64Array and of its Float32 rounding, for byte-for-byte comparison. */
export function bytes(values: Float64Array): { f64: Uint8Array; f32: Uint8Array } {
  return { f64: new Uint8Array(values.buffer, values.byteOffset, values.byteLength).slice(), f32: new Uint8Array(Float32Array.from(values).buffer) };
}
