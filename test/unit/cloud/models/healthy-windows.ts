import seedrandom from 'seedrandom';
import type { TrainingWindow } from '../../../../cloud/models';

export const START_MS = 1_750_000_000_000;
export const WINDOW_MS = 1000;
export const FEATURES = ['rms', 'peak', 'crest', 'kurtosis', 'bandLow', 'bandHigh'] as const;

/** Standard normal draws from a seeded alea stream (Box–Muller). */
function normals(seed: string): () => number {
  const prng = seedrandom.alea(seed);
  return () => Math.sqrt(-2 * Math.log(1 - prng())) * Math.cos(2 * Math.PI * prng());
}

/**
 * Accelerometer feature windows of healthy pumps, one per second per device: one operating level drives the
 * energy-like features (band energies ∝ rms²), and one impulsiveness drives crest and kurtosis, so the features
 * are correlated the way real ones are and a defect shows as a broken correlation.
 */
export function healthyWindows(devices: readonly string[], perDevice: number, seed: string, sensor = 'accel'): TrainingWindow[] {
  return devices.flatMap((device) => {
    const n = normals(`${seed}/${device}`);
    return Array.from({ length: perDevice }, (_, i) => ({ device, sensor, tsMs: START_MS + i * WINDOW_MS, features: healthyFeatures(n) }));
  });
}

function healthyFeatures(n: () => number): Record<string, number> {
  const level = Math.exp(0.15 * n());
  const rms = 0.5 * level * Math.exp(0.05 * n());
  const impulsive = n();
  const crest = 3 + 0.12 * (0.8 * impulsive + 0.6 * n());
  const kurtosis = 3 + 0.15 * (0.8 * impulsive + 0.6 * n());
  const energy = rms * rms;
  return { rms, peak: crest * rms, crest, kurtosis, bandLow: energy * 0.55 * Math.exp(0.08 * n()), bandHigh: energy * 0.1 * Math.exp(0.1 * n()) };
}

/** A window of an outer-race bearing defect: impacts raise kurtosis and crest and ring the high band. */
export function defectFeatures(seed: string): Record<string, number> {
  const features = healthyFeatures(normals(seed));
  const crest = features.crest! + 1.5;
  return { ...features, crest, peak: crest * features.rms!, kurtosis: features.kurtosis! + 8, bandHigh: features.bandHigh! * 10 };
}

/** `features` in FEATURES order, as a model's input row. */
export function row(features: Record<string, number>, names: readonly string[] = FEATURES): number[] {
  return names.map((name) => features[name]!);
}
