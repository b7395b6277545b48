import { describe, expect, it } from 'vitest';
import { percentile } from '../../../bench/machine';
import { nearestRankPercentile, percentileRank } from '../../../sim/index';

describe('the nearest-rank percentile bench/ and the gateway share', () => {
  const sorted = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

  it('is the smallest value with at least p% of the values at or below it', () => {
    expect(nearestRankPercentile(sorted, 50)).toBe(5);
    expect(nearestRankPercentile(sorted, 51)).toBe(6);
    expect(nearestRankPercentile(sorted, 90)).toBe(9);
    expect(nearestRankPercentile(sorted, 99)).toBe(10);
    expect(nearestRankPercentile(sorted, 0)).toBe(1);
    expect(nearestRankPercentile(sorted, 100)).toBe(10);
    expect(nearestRankPercentile([], 50)).toBeNaN();
  });

  it('is the same function in bench/ (which used to take ⌊p·n⌋ and read p50 of 1…10 as 6)', () => {
    expect(percentile(sorted, 50)).toBe(5);
    expect(percentileRank(95, 200)).toBe(190);
  });

  it('refuses p outside [0, 100]', () => {
    expect(() => percentileRank(101, 10)).toThrow(RangeError);
    expect(() => nearestRankPercentile(sorted, -1)).toThrow('percentile needs p in [0, 100], got -1');
  });
});
