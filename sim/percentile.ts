// One percentile for latencies everywhere (the link histogram, the gateway's action latency, bench/): nearest rank, as k6's p(95).

/** The 1-based rank of the p-th percentile of n values (p in [0, 100]): ⌈p/100 · n⌉, at least 1. */
export function percentileRank(p: number, n: number): number {
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile needs p in [0, 100], got ${p}`);
  return Math.max(1, Math.ceil((p / 100) * n));
}

/** The p-th percentile of values sorted ascending: the smallest value v with at least p% of values ≤ v; NaN when empty. */
export function nearestRankPercentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[percentileRank(p, sorted.length) - 1]!;
}
