/**
 * The p-th percentile (p in [0, 100]) by linear interpolation between closest ranks (Hyndman & Fan 1996, type 7;
 * numpy's default): h = (n − 1)·p/100, q = x₍⌊h⌋₎ + (h − ⌊h⌋)·(x₍⌊h⌋+1₎ − x₍⌊h⌋₎) on the sorted values.
 */
export function percentile(values: ArrayLike<number>, p: number): number {
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile needs p in [0, 100], got ${p}`);
  if (values.length === 0) return NaN;
  return percentileOfSorted(Float64Array.from(values).sort(), p);
}

/** As `percentile`, on values already sorted ascending (no copy). */
export function percentileOfSorted(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const h = ((n - 1) * p) / 100;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

export function mean(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i]!;
  return sum / values.length;
}

/** Sample standard deviation, s = √(Σ(x − x̄)²/(n − 1)), two-pass for accuracy. */
export function sampleStd(values: ArrayLike<number>, mu = mean(values)): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += (values[i]! - mu) ** 2;
  return Math.sqrt(sum / (values.length - 1));
}

/** Sample skewness g₁ = m₃ / m₂^{3/2} (moment estimator); 0 for a constant sample. */
export function skewness(values: ArrayLike<number>): number {
  const mu = mean(values);
  let m2 = 0;
  let m3 = 0;
  for (let i = 0; i < values.length; i++) {
    const dev = values[i]! - mu;
    m2 += dev * dev;
    m3 += dev * dev * dev;
  }
  m2 /= values.length;
  m3 /= values.length;
  return m2 > 0 ? m3 / m2 ** 1.5 : 0;
}

/** The distribution of a batch of anomaly scores against a threshold. */
export interface ScoreSummary {
  count: number;
  min: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  /** Windows that scored strictly above the threshold. */
  over: number;
  /** over / count. */
  overRate: number;
  /** Scores that were NaN or ±∞ (left out of the percentiles). */
  nonFinite: number;
}

export function summariseScores(scores: ArrayLike<number>, threshold: number): ScoreSummary {
  const finite: number[] = [];
  let over = 0;
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i]!;
    if (Number.isFinite(s)) finite.push(s);
    if (s > threshold) over++;
  }
  const sorted = Float64Array.from(finite).sort();
  return {
    count: scores.length,
    min: sorted.length > 0 ? sorted[0]! : NaN,
    p50: percentileOfSorted(sorted, 50),
    p90: percentileOfSorted(sorted, 90),
    p99: percentileOfSorted(sorted, 99),
    p999: percentileOfSorted(sorted, 99.9),
    max: sorted.length > 0 ? sorted[sorted.length - 1]! : NaN,
    over,
    overRate: scores.length > 0 ? over / scores.length : 0,
    nonFinite: scores.length - finite.length,
  };
}
