import { describe, expect, it } from 'vitest';
import { DriftError, kolmogorovQ, ksStatistic, psi, PSI_EMPTY_BIN_FLOOR } from '../../../../cloud/lifecycle';

describe('psi', () => {
  it('is exactly 0 for identical distributions', () => {
    expect(psi([0.1, 0.2, 0.3, 0.4], [0.1, 0.2, 0.3, 0.4])).toBe(0);
  });

  it('equals its closed form on a two-bin example: (0.8 − 0.5)·ln(0.8/0.5) + (0.2 − 0.5)·ln(0.2/0.5) = 0.3·ln 4', () => {
    expect(psi([0.5, 0.5], [0.8, 0.2])).toBeCloseTo(0.3 * Math.log(4), 14);
    expect(psi([0.5, 0.5], [0.8, 0.2])).toBeCloseTo(0.415888308, 8);
  });

  it('floors an empty bin at 1e-4 instead of going infinite', () => {
    const floor = PSI_EMPTY_BIN_FLOOR;
    expect(floor).toBe(1e-4);
    // (1 − 0.5)·ln(1/0.5) + (1e-4 − 0.5)·ln(1e-4/0.5)
    expect(psi([0.5, 0.5], [1, 0])).toBeCloseTo(0.5 * Math.log(2) + (floor - 0.5) * Math.log(floor / 0.5), 14);
  });

  it('refuses bins that do not line up', () => {
    expect(() => psi([0.5, 0.5], [1])).toThrow(DriftError);
  });
});

describe('ksStatistic (two-sample Kolmogorov–Smirnov)', () => {
  it('gives D = 0 and p = 1 for identical samples', () => {
    expect(ksStatistic([3, 1, 2], [2, 3, 1])).toEqual({ d: 0, pValue: 1 });
  });

  it('gives the largest ECDF gap, D = 0.5 for {1,2,3,4} against {3,4,5,6}', () => {
    expect(ksStatistic([1, 2, 3, 4], [3, 4, 5, 6]).d).toBe(0.5);
  });

  it('steps both ECDFs together at tied values: D = 1/3 for {1,1,2} against {1,2,2}', () => {
    expect(ksStatistic([1, 1, 2], [1, 2, 2]).d).toBeCloseTo(1 / 3, 15);
  });

  it('gives Stephens\' asymptotic p-value: D = 0.2 at n = m = 100 is Q(λ) with λ = (√50 + 0.12 + 0.11/√50)·0.2', () => {
    const a = Array.from({ length: 100 }, (_, i) => i);
    const b = a.map((x) => x + 20); // the ECDFs are 20 of 100 apart from 20 to 99
    const { d, pValue } = ksStatistic(a, b);
    expect(d).toBeCloseTo(0.2, 15);
    const lambda = (Math.sqrt(50) + 0.12 + 0.11 / Math.sqrt(50)) * 0.2;
    expect(pValue).toBeCloseTo(2 * (Math.exp(-2 * lambda ** 2) - Math.exp(-8 * lambda ** 2) + Math.exp(-18 * lambda ** 2)), 12);
    expect(pValue).toBeCloseTo(0.03137, 4);
  });
});

describe('kolmogorovQ', () => {
  it('matches the tabulated Kolmogorov distribution on both sides of the series switch at λ = 1.18', () => {
    // P(K > λ): 0.9639 at 0.5, 0.2700 at 1.0, and the 5% and 1% critical values 1.36 and 1.63.
    expect(kolmogorovQ(0.5)).toBeCloseTo(0.9639, 4);
    expect(kolmogorovQ(1.0)).toBeCloseTo(0.27, 4);
    expect(kolmogorovQ(1.36)).toBeCloseTo(0.0495, 4);
    expect(kolmogorovQ(1.63)).toBeCloseTo(0.0098, 4);
    expect(kolmogorovQ(1.18 - 1e-12)).toBeCloseTo(kolmogorovQ(1.18), 10);
    expect(kolmogorovQ(0)).toBe(1);
  });
});
