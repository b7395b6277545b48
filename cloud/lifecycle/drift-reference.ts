import { DriftError } from './errors';

/** One feature's reference distribution. */
export interface FeatureReference {
  /** Interior bin edges, strictly increasing: bin 0 is x ≤ edges[0], bin i is edges[i−1] < x ≤ edges[i], the last is x > the last edge. */
  edges: number[];
  /** Fraction of the reference windows in each bin (edges.length + 1 of them, summing to 1). */
  expected: number[];
  /** Sorted reference values, thinned to at most `sampleSize` evenly spaced order statistics, for the KS test. */
  sample: number[];
  /** Reference windows that carried the feature. */
  count: number;
}

/** The distribution a model was trained on, per feature: plain JSON, stored with the model. */
export interface DriftReference {
  /** Bins asked for; a feature with tied quantiles has fewer (tied edges merge). */
  bins: number;
  features: Record<string, FeatureReference>;
}

/**
 * Bins each feature at the reference's own quantiles (k bins: edges at the i/k quantiles), so each bin holds about
 * 1/k of the reference, and records the fraction that actually falls in each (ties make them uneven). Windows that
 * lack a feature, or carry a non-finite value, are left out of that feature.
 */
export function buildDriftReference(windows: readonly Record<string, number>[], features: readonly string[], bins = 10, sampleSize = 500): DriftReference {
  if (!Number.isInteger(bins) || bins < 2) throw new DriftError('E_DRIFT_REFERENCE', `bins is ${bins}; use a whole number of at least 2 (10 is usual)`);
  if (!Number.isInteger(sampleSize) || sampleSize < 2) throw new DriftError('E_DRIFT_REFERENCE', `sampleSize is ${sampleSize}; use a whole number of at least 2`);
  if (features.length === 0) throw new DriftError('E_DRIFT_REFERENCE', 'no features named; list the features the model reads');
  const out: Record<string, FeatureReference> = {};
  for (const feature of features) {
    const values = sortedValues(windows, feature);
    if (values.length < bins) {
      throw new DriftError(
        'E_DRIFT_REFERENCE',
        `feature ${feature} has ${values.length} finite values in the reference, fewer than the ${bins} bins; give more reference windows or fewer bins`,
      );
    }
    const edges: number[] = [];
    for (let i = 1; i < bins; i++) {
      const edge = quantileSorted(values, i / bins);
      if (edges.length === 0 || edge > edges[edges.length - 1]!) edges.push(edge);
    }
    out[feature] = { edges, expected: binFractions(values, edges), sample: thin(values, sampleSize), count: values.length };
  }
  return { bins, features: out };
}

/** Fraction of `values` in each bin of `edges` (see FeatureReference.edges); all zeros for no values. */
export function binFractions(values: ArrayLike<number>, edges: readonly number[]): number[] {
  const counts = new Array<number>(edges.length + 1).fill(0);
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const x = values[i]!;
    if (!Number.isFinite(x)) continue;
    counts[binOf(x, edges)]!++;
    n++;
  }
  return counts.map((c) => (n === 0 ? 0 : c / n));
}

/** Index of the first edge ≥ x (binary search), i.e. x's bin. */
function binOf(x: number, edges: readonly number[]): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (edges[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Quantile of sorted values, linear between order statistics (Hyndman–Fan type 7): x[⌊h⌋] + (h − ⌊h⌋)·(x[⌊h⌋+1] − x[⌊h⌋]), h = (n − 1)·p. */
export function quantileSorted(sorted: ArrayLike<number>, p: number): number {
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

function sortedValues(windows: readonly Record<string, number>[], feature: string): Float64Array {
  const values: number[] = [];
  for (const w of windows) {
    const x = w[feature];
    if (x !== undefined && Number.isFinite(x)) values.push(x);
  }
  return Float64Array.from(values).sort();
}

/** At most `size` evenly spaced order statistics: the thinned ECDF stays within 1/size of the full one. */
function thin(sorted: Float64Array, size: number): number[] {
  if (sorted.length <= size) return Array.from(sorted);
  return Array.from({ length: size }, (_, i) => sorted[Math.round((i * (sorted.length - 1)) / (size - 1))]!);
}
