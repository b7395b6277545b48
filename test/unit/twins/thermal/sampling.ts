// Reading Measurands the way channels do (contiguous blocks in time order), and statistics computed from first principles.
import { createRng } from '../../../../sim/index';
import type { Measurand } from '../../../../twins/channel';
import {
  ThermalNetwork,
  ThermalSchema,
  constantDrivers,
  type ThermalDrivers,
  type ThermalNetworkOptions,
} from '../../../../twins/thermal/index';

type ThermalInput = Exclude<Parameters<typeof ThermalSchema.parse>[0], null | undefined>;

/** A network built from schema input, with its own humidity stream. */
export function network(
  input: Partial<ThermalInput> = {},
  drivers: ThermalDrivers = constantDrivers(),
  options: Partial<ThermalNetworkOptions> = {},
): ThermalNetwork {
  return new ThermalNetwork(ThermalSchema.parse(input), drivers, { rng: createRng('pump-1/humidity'), ...options });
}

/** One reader: a measurand read at `rateHz` in blocks of `blockSamples`. */
export interface Reader {
  measurand: Measurand;
  rateHz: number;
  blockSamples: number;
}

/**
 * Reads every reader over [0, durationS) block by block, as a runtime would: the block that ends first is filled
 * first, so readers of one network stay within one block of each other. Returns one signal per reader.
 */
export function readTogether(readers: readonly Reader[], durationS: number): Float64Array[] {
  const signals = readers.map((r) => new Float64Array(Math.round(durationS * r.rateHz)));
  const filled = readers.map(() => 0);
  for (;;) {
    let next = -1;
    let nextEndS = Infinity;
    readers.forEach((r, i) => {
      if (filled[i]! >= signals[i]!.length) return;
      const endS = (filled[i]! + r.blockSamples) / r.rateHz;
      if (endS < nextEndS) [next, nextEndS] = [i, endS];
    });
    if (next < 0) return signals;
    const r = readers[next]!;
    const signal = signals[next]!;
    const start = filled[next]!;
    const block = new Float64Array(Math.min(r.blockSamples, signal.length - start));
    r.measurand.fill(block, start / r.rateHz, r.rateHz);
    signal.set(block, start);
    filled[next] = start + block.length;
  }
}

/** One measurand read alone over [0, durationS). */
export function read(measurand: Measurand, rateHz: number, blockSamples: number, durationS: number): Float64Array {
  return readTogether([{ measurand, rateHz, blockSamples }], durationS)[0]!;
}

export function mean(x: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += x[i]!;
  return sum / x.length;
}

/** Population standard deviation √(Σ(x − x̄)²/N). */
export function std(x: ArrayLike<number>): number {
  const m = mean(x);
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += (x[i]! - m) ** 2;
  return Math.sqrt(sum / x.length);
}

/** Pearson correlation Σ(x − x̄)(y − ȳ) / √(Σ(x − x̄)²·Σ(y − ȳ)²). */
export function correlation(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const mx = mean(x);
  const my = mean(y);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < x.length; i++) {
    sxy += (x[i]! - mx) * (y[i]! - my);
    sxx += (x[i]! - mx) ** 2;
    syy += (y[i]! - my) ** 2;
  }
  return sxy / Math.sqrt(sxx * syy);
}

/** Sample autocorrelation at `lag` samples. */
export function autocorrelation(x: Float64Array, lag: number): number {
  return correlation(x.subarray(0, x.length - lag), x.subarray(lag));
}

/** Index of the largest value. */
export function argmax(x: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < x.length; i++) if (x[i]! > x[best]!) best = i;
  return best;
}
