import { describe, expect, it } from 'vitest';
import { createRng, nearestRankPercentile as exactPercentile } from '../../../../sim/index';
import { LatencyHistogram } from '../../../../sim/link/index';

describe('LatencyHistogram', () => {
  it('gives p1 … p99.9 of 100,000 log-normal delays (0.01 ms … 10 s) within 0.4% of the exact order statistics', () => {
    const rng = createRng('histogram');
    const histogram = new LatencyHistogram();
    const values: number[] = [];
    for (let i = 0; i < 100_000; i++) {
      const v = Math.exp(Math.log(20) + 2 * rng.normal());
      values.push(v);
      histogram.record(v);
    }
    values.sort((a, b) => a - b);
    for (const p of [1, 10, 25, 50, 75, 90, 99, 99.9]) {
      const exact = exactPercentile(values, p);
      expect(Math.abs(histogram.percentile(p) / exact - 1), `p${p}: ${histogram.percentile(p)} vs ${exact}`).toBeLessThan(0.004);
    }
    expect(histogram.percentile(0)).toBe(values[0]);
    expect(histogram.percentile(100)).toBe(values[values.length - 1]);
    expect(histogram.count).toBe(100_000);
    expect(histogram.meanMs).toBeCloseTo(values.reduce((s, v) => s + v, 0) / values.length, 6);
  });

  it('keeps zero delays exact: 70% zeros put p50 at 0 ms and p90 at the other value', () => {
    const histogram = new LatencyHistogram();
    histogram.record(0, 70);
    histogram.record(12.5, 30);
    expect(histogram.percentile(50)).toBe(0);
    expect(histogram.percentile(70)).toBe(0);
    expect(histogram.percentile(90)).toBe(12.5);
    expect(histogram.summary()).toEqual({ count: 100, minMs: 0, meanMs: 3.75, p50Ms: 0, p90Ms: 12.5, p99Ms: 12.5, maxMs: 12.5 });
  });

  it('lists non-empty buckets whose edges contain their values', () => {
    const histogram = new LatencyHistogram();
    for (const v of [0, 0.5, 1, 1024, 1e9]) histogram.record(v);
    const buckets = [...histogram.buckets()];
    expect(buckets).toHaveLength(5);
    [0, 0.5, 1, 1024, 1e9].forEach((v, i) => {
      expect(buckets[i]!.fromMs).toBeLessThanOrEqual(v);
      expect(buckets[i]!.toMs).toBeGreaterThan(v);
    });
  });

  it('is NaN when empty, rejects p outside [0, 100], and copies independently', () => {
    const histogram = new LatencyHistogram();
    expect(histogram.percentile(50)).toBeNaN();
    expect(() => histogram.percentile(101)).toThrow(RangeError);
    histogram.record(5);
    const snapshot = histogram.copy();
    histogram.record(500);
    expect(snapshot.count).toBe(1);
    expect(snapshot.maxMs).toBe(5);
    expect(histogram.maxMs).toBe(500);
  });
});
