import type { Aggregation } from './syntax';

/** Values a threshold aggregates. `aggregate` gives NaN with no samples, and undefined for one this source does not keep. */
export interface Distribution {
  readonly count: number;
  aggregate(aggregation: Aggregation): number | undefined;
}

/** The percentile of `p(N)`, or undefined for any other aggregation. */
function percentileOf(aggregation: Aggregation): number | undefined {
  const match = /^p\((.+)\)$/.exec(aggregation);
  return match ? Number(match[1]) : undefined;
}

/**
 * Exact samples. Percentiles by nearest rank, as LatencyHistogram reads them: the smallest sample with at least p% of
 * the samples at or below it (p(0) is the minimum, p(100) the maximum). med is p(50). Infinity is a valid sample (a
 * fault never detected) and sorts last.
 */
export function sampleDistribution(values: readonly number[]): Distribution {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  const at = (p: number) => (n === 0 ? NaN : p <= 0 ? sorted[0]! : sorted[Math.max(1, Math.ceil((p / 100) * n)) - 1]!);
  return {
    count: n,
    aggregate(aggregation) {
      const p = percentileOf(aggregation);
      if (p !== undefined) return at(p);
      switch (aggregation) {
        case 'count':
          return n;
        case 'min':
          return at(0);
        case 'max':
          return at(100);
        case 'med':
          return at(50);
        case 'avg':
          return n === 0 ? NaN : sorted.reduce((a, b) => a + b, 0) / n;
        default:
          return undefined;
      }
    },
  };
}

/** Anything that reads percentiles like sim's LatencyHistogram. */
export interface HistogramLike {
  readonly count: number;
  readonly minMs: number;
  readonly maxMs: number;
  readonly meanMs: number;
  percentile(p: number): number;
}

/** A latency histogram: every aggregation, percentiles to its bucket resolution (see LatencyHistogram). */
export function histogramDistribution(histogram: HistogramLike): Distribution {
  return {
    count: histogram.count,
    aggregate(aggregation) {
      const p = percentileOf(aggregation);
      if (p !== undefined) return histogram.percentile(p);
      switch (aggregation) {
        case 'count':
          return histogram.count;
        case 'min':
          return histogram.minMs;
        case 'max':
          return histogram.maxMs;
        case 'med':
          return histogram.percentile(50);
        case 'avg':
          return histogram.meanMs;
        default:
          return undefined;
      }
    },
  };
}

/** A summary that kept only some figures (p50, p99, …): the others are undefined. */
export function summaryDistribution(count: number, figures: Partial<Record<Aggregation, number>>): Distribution {
  return {
    count,
    aggregate(aggregation) {
      if (aggregation === 'count') return count;
      const value = figures[aggregation] ?? (aggregation === 'med' ? figures['p(50)'] : aggregation === 'p(50)' ? figures.med : undefined);
      if (count === 0) return NaN;
      return value;
    },
  };
}
