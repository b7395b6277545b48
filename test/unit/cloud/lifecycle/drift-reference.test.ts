import { describe, expect, it } from 'vitest';
import { binFractions, buildDriftReference, ksStatistic, psi } from '../../../../cloud/lifecycle';
import { normalSample, phi, phiInverse } from './normal';

const grid = (n: number) => Array.from({ length: n }, (_, i) => ({ rms: i }));

describe('buildDriftReference', () => {
  it('puts the edges at the reference\'s deciles (type 7) and 1/10 of it in each bin', () => {
    const reference = buildDriftReference(grid(100), ['rms']);
    const rms = reference.features.rms!;
    // h = 99·i/10 on 0 … 99: the i/10 quantile is 9.9·i.
    rms.edges.forEach((edge, i) => expect(edge).toBeCloseTo(9.9 * (i + 1), 12));
    expect(rms.edges).toHaveLength(9);
    expect(rms.expected).toEqual(new Array(10).fill(0.1));
    expect(rms.count).toBe(100);
    expect(JSON.parse(JSON.stringify(reference))).toEqual(reference);
  });

  it('merges tied edges, so a constant feature has one edge and all of its mass in the first bin', () => {
    const rms = buildDriftReference(grid(20).map(() => ({ rms: 4 })), ['rms']).features.rms!;
    expect(rms.edges).toEqual([4]);
    expect(rms.expected).toEqual([1, 0]);
  });

  it('thins the KS sample to evenly spaced order statistics that keep the extremes', () => {
    const { sample } = buildDriftReference(grid(1001), ['rms'], 10, 11).features.rms!;
    expect(sample).toEqual([0, 100, 200, 300, 400, 500, 600, 700, 800, 900, 1000]);
  });

  it('refuses a feature with fewer values than bins, and leaves non-finite values out', () => {
    expect(() => buildDriftReference(grid(9), ['rms'])).toThrow(/rms has 9 finite values in the reference, fewer than the 10 bins/);
    const windows = [...grid(10), { rms: Number.NaN }, { crest: 3 }];
    expect(buildDriftReference(windows, ['rms']).features.rms!.count).toBe(10);
  });
});

describe('drift of a normal sample shifted by 1σ', () => {
  const reference = buildDriftReference(normalSample('shift/reference', 20_000).map((x) => ({ x })), ['x'], 10, 20_000);
  const live = normalSample('shift/live', 20_000, 1);
  const x = reference.features.x!;

  it('gives a PSI above 0.25, within sampling error of the binned closed form Σ (aᵢ − 0.1)·ln(aᵢ/0.1), aᵢ = Φ(qᵢ₊₁ − 1) − Φ(qᵢ − 1)', () => {
    const q = [-Infinity, ...Array.from({ length: 9 }, (_, i) => phiInverse((i + 1) / 10)), Infinity];
    const a = Array.from({ length: 10 }, (_, i) => phi(q[i + 1]! - 1) - phi(q[i]! - 1));
    const analytic = a.reduce((sum, ai) => sum + (ai - 0.1) * Math.log(ai / 0.1), 0);
    expect(analytic).toBeCloseTo(0.9261, 3);
    const measured = psi(x.expected, binFractions(live, x.edges));
    expect(measured).toBeGreaterThan(0.25);
    // The standard error at 20 000 a side is about 0.017 (spread over seeds); 0.05 is 3 of them.
    expect(Math.abs(measured - analytic)).toBeLessThan(0.05);
  });

  it('gives a KS D near sup |Φ(x) − Φ(x − 1)| = 2Φ(0.5) − 1 ≈ 0.3829, and a p-value of no chance', () => {
    const { d, pValue } = ksStatistic(x.sample, live);
    // D's standard error here is about 0.004.
    expect(Math.abs(d - (2 * phi(0.5) - 1))).toBeLessThan(0.015);
    expect(pValue).toBeLessThan(1e-12);
  });
});

describe('a seeded sample', () => {
  it('gives the same PSI, KS and edges on every run', () => {
    const run = () => {
      const reference = buildDriftReference(normalSample('twinbed-drift/reference', 2_000).map((x) => ({ x })), ['x']);
      const live = normalSample('twinbed-drift/live', 2_000, 0.3);
      const x = reference.features.x!;
      return { edges: x.edges, psi: psi(x.expected, binFractions(live, x.edges)), ks: ksStatistic(x.sample, live) };
    };
    const first = run();
    expect(first.psi).toBeCloseTo(0.10146790028007671, 12);
    expect(first.ks.d).toBeCloseTo(0.14, 12);
    expect(first.ks.pValue).toBeCloseTo(2.544264020454791e-7, 18);
    expect(first.edges[0]).toBeCloseTo(-1.3132088565956934, 12);
    expect(first.edges[8]).toBeCloseTo(1.2589649994735492, 12);
    expect(run()).toEqual(first);
  });
});
