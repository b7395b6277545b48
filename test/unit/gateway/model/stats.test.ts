import { describe, expect, it } from 'vitest';
import { percentile, skewness, summariseScores } from '../../../../ml/stats';

describe('percentile (type 7, linear between closest ranks)', () => {
  it('interpolates between ranks on unsorted input', () => {
    const values = [5, 1, 4, 2, 3];
    expect(percentile(values, 0)).toBe(1);
    expect(percentile(values, 50)).toBe(3);
    expect(percentile(values, 90)).toBeCloseTo(4.6, 12); // h = 4·0.9 = 3.6 → 4 + 0.6·(5 − 4)
    expect(percentile(values, 100)).toBe(5);
  });

  it('gives the 99.9th percentile of 1 … 1000 as 999.001', () => {
    const values = Array.from({ length: 1000 }, (_, i) => i + 1);
    expect(percentile(values, 99.9)).toBeCloseTo(999.001, 9); // h = 999·0.999 = 998.001
  });

  it('is NaN for no values and refuses p outside [0, 100]', () => {
    expect(percentile([], 50)).toBeNaN();
    expect(() => percentile([1], 101)).toThrow(RangeError);
  });
});

describe('skewness', () => {
  it('is 0 for a symmetric sample and positive for a right tail', () => {
    expect(skewness([1, 2, 3, 4, 5])).toBe(0);
    expect(skewness([1, 1, 1, 1, 10])).toBeCloseTo(1.5, 12); // m₂ = 12.96, m₃ = 69.984: 69.984 / 12.96^1.5
  });
});

describe('summariseScores', () => {
  it('counts windows strictly over the threshold and keeps non-finite scores out of the percentiles', () => {
    const summary = summariseScores([1, 2, 3, 4, NaN], 3);
    expect(summary).toMatchObject({ count: 5, min: 1, max: 4, p50: 2.5, over: 1, overRate: 0.2, nonFinite: 1 });
  });
});
