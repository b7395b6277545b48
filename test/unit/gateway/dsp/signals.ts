// Test signals and measurements shared by the gateway/dsp tests (not a test file itself).
import type { TelemetryV1 } from '../../../../protocol/index';

/** A·sin(2πft + φ) sampled at fs for n samples, starting at sample `offset`. */
export function tone(amplitude: number, hz: number, rateHz: number, n: number, phaseRad = 0, offset = 0): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => amplitude * Math.sin((2 * Math.PI * hz * (i + offset)) / rateHz + phaseRad));
}

/** Element-wise sum of equally long signals. */
export function sum(...signals: Float64Array[]): Float64Array {
  const out = new Float64Array(signals[0]!.length);
  for (const s of signals) for (let i = 0; i < out.length; i++) out[i] = out[i]! + s[i]!;
  return out;
}

/**
 * Amplitude of the `hz` component of x[from … to), by correlation with sine and cosine over that span (choose a
 * span of whole periods for an exact answer).
 */
export function amplitudeAt(x: ArrayLike<number>, hz: number, rateHz: number, from = 0, to = x.length): number {
  let c = 0;
  let s = 0;
  for (let i = from; i < to; i++) {
    const phase = (2 * Math.PI * hz * i) / rateHz;
    c += x[i]! * Math.cos(phase);
    s += x[i]! * Math.sin(phase);
  }
  return (2 * Math.hypot(c, s)) / (to - from);
}

export const dB = (ratio: number) => 20 * Math.log10(ratio);

/** A deterministic uniform generator in [0, 1) (Park–Miller), so tests need no seeded library. */
export function uniform(seed = 1): () => number {
  let state = seed;
  return () => {
    state = (state * 16807) % 2147483647;
    return state / 2147483647;
  };
}

/** Gaussian N(0, σ²) noise from Box–Muller on `uniform`. */
export function noise(sigma: number, n: number, seed = 7): Float64Array {
  const u = uniform(seed);
  return Float64Array.from({ length: n }, () => sigma * Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u()));
}

const T0 = 1_767_225_600_000;

/** Splits `signal` into telemetry blocks of `blockSamples` (the last may be shorter), seqs from `firstSeq`. */
export function blocksOf(signal: ArrayLike<number>, rateHz: number, blockSamples: number, options: { firstSeq?: number; unit?: string; sensor?: string } = {}): TelemetryV1[] {
  const { firstSeq = 0, unit = 'g', sensor = 'accel' } = options;
  const blocks: TelemetryV1[] = [];
  for (let start = 0, b = 0; start < signal.length; start += blockSamples, b++) {
    const values = Float32Array.from(Array.prototype.slice.call(signal, start, start + blockSamples) as number[]);
    const seq = firstSeq + b;
    blocks.push(block(seq, values, { rateHz, unit, sensor }));
  }
  return blocks;
}

/** One telemetry block; tsMs follows seq as if every block had the same length. */
export function block(seq: number, values: number[] | Float32Array, options: { rateHz?: number; unit?: string; sensor?: string } = {}): TelemetryV1 {
  const { rateHz = 1000, unit = 'g', sensor = 'accel' } = options;
  return { type: 'telemetry', v: 1, device: 'pump-1', sensor, seq, tsMs: T0 + (seq * 1000 * values.length) / rateHz, rateHz, unit, values };
}

export { T0 };
