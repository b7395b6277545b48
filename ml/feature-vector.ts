import { FeatureVectorError } from './errors';

/** A window's named features, as FeaturesV1 carries them. */
export type FeatureMap = Readonly<Record<string, number>>;

/**
 * The model input for one window: out[i] = features[names[i]]. A missing or non-finite feature is an error that
 * names every such feature, never a silent zero: a zero would read as a (false) anomaly or hide a real one.
 */
export function featureVector(features: FeatureMap, names: readonly string[], where: string, modelVersion?: string): Float32Array {
  const out = new Float32Array(names.length);
  let missing: string[] | undefined;
  let nonFinite: string[] | undefined;
  names.forEach((name, i) => {
    const value = Object.hasOwn(features, name) ? features[name] : undefined;
    if (value === undefined) (missing ??= []).push(name);
    else if (!Number.isFinite(value)) (nonFinite ??= []).push(name);
    else out[i] = value;
  });
  if (missing || nonFinite) throw new FeatureVectorError(where, missing ?? [], nonFinite ?? [], modelVersion);
  return out;
}

/**
 * Packs the windows that have every named feature into one row-major [n, d] block; the others are counted, with
 * the features the first of them lacked, so a caller can say why windows were left out.
 */
export function packWindows(windows: readonly FeatureMap[], names: readonly string[]): { flat: Float32Array; n: number; skipped: number; firstMissing: string[] } {
  const d = names.length;
  const flat = new Float32Array(windows.length * d);
  let n = 0;
  let skipped = 0;
  let firstMissing: string[] = [];
  for (const features of windows) {
    const missing = names.filter((name) => !Object.hasOwn(features, name) || !Number.isFinite(features[name]));
    if (missing.length > 0) {
      if (skipped === 0) firstMissing = missing;
      skipped++;
      continue;
    }
    for (let i = 0; i < d; i++) flat[n * d + i] = features[names[i]!]!;
    n++;
  }
  return { flat: flat.subarray(0, n * d), n, skipped, firstMissing };
}
