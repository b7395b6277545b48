import { describe, expect, it } from 'vitest';
import { ModelFitError } from '../../../../gateway/model/errors';
import { chooseComponents, fitPcaModel, principalComponents } from '../../../../ml/pca-model';
import { ReferenceScorer } from '../../../../ml/reference';
import { percentile } from '../../../../ml/stats';
import { createRng } from '../../../../sim';
import { column, cosine, randomOrthogonal } from './linear-algebra';

/** n samples of N(0, Q·diag(λ)·Qᵀ): x = Q·(√λ ∘ g). */
function gaussianSamples(q: number[][], lambda: readonly number[], n: number, seed: string): number[][] {
  const rng = createRng(seed);
  const d = lambda.length;
  return Array.from({ length: n }, () => {
    const g = lambda.map((l) => Math.sqrt(l) * rng.normal());
    return Array.from({ length: d }, (_, i) => q[i]!.reduce((sum, qim, m) => sum + qim * g[m]!, 0));
  });
}

/** Correlated positive features: a shared log-normal level drives all four, plus independent scatter. */
function correlatedRows(n: number, seed: string): number[][] {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => {
    const level = Math.exp(0.3 * rng.normal());
    return [level, level ** 2 * Math.exp(0.05 * rng.normal()), 3 + 0.1 * rng.normal() + 0.2 * level, 0.1 * rng.normal()];
  });
}

describe('PCA', () => {
  it('recovers the principal axes (|cos| > 0.999) and explained variance of a known covariance', () => {
    const lambda = [9, 4, 1, 0.25, 0.04];
    const q = randomOrthogonal(5, 'axes');
    const pca = principalComponents(gaussianSamples(q, lambda, 20_000, 'samples'));
    const total = lambda.reduce((a, b) => a + b, 0);
    for (let j = 0; j < 3; j++) {
      expect(Math.abs(cosine(column(pca.vectors, 5, j), q.map((row) => row[j]!)))).toBeGreaterThan(0.999);
      // Sampling error of an eigenvalue is ≈ λ·√(2/n) = 1% of λ.
      expect(pca.values[j]! / lambda[j]!).toBeGreaterThan(0.96);
      expect(pca.values[j]! / lambda[j]!).toBeLessThan(1.04);
      expect(pca.explainedRatio[j]!).toBeCloseTo(lambda[j]! / total, 2);
    }
  });

  it('keeps the fewest components explaining ≥ the variance asked for, and never all of them', () => {
    const eigenvalues = Float64Array.from([5, 3, 1.5, 0.4, 0.1]); // cumulative 0.5, 0.8, 0.95, 0.99, 1
    expect(chooseComponents(eigenvalues, 0.95)).toEqual({ k: 3, explained: 0.95 });
    expect(chooseComponents(eigenvalues, 0.96).k).toBe(4);
    expect(chooseComponents(eigenvalues, 0.5).k).toBe(1);
    // k = d would leave no residual: every score would be 0.
    expect(chooseComponents(eigenvalues, 1).k).toBe(4);
    expect(chooseComponents(eigenvalues, 0.95, 2)).toEqual({ k: 2, explained: 0.8 });
    expect(() => chooseComponents(eigenvalues, 0.95, 5)).toThrow(/pass at most 4/);
  });
});

describe('fitPcaModel', () => {
  const names = ['level', 'energy', 'crest', 'skew'];
  const rows = correlatedRows(3000, 'fit');

  it('sets the threshold at the 99.9th percentile of the float32 healthy scores times the margin', () => {
    const fitted = fitPcaModel(rows, names, { thresholdMargin: 2 });
    const scores = new ReferenceScorer(fitted).scoreRows(rows);
    expect(fitted.threshold).toBe(percentile(scores, 99.9) * 2);
    expect(fitted.stats.healthyScores.p999).toBe(percentile(scores, 99.9));
    expect(fitted.stats.healthyScores.over).toBe(0);
  });

  it('models strictly positive right-skewed features in log space and leaves the others linear', () => {
    const fitted = fitPcaModel(rows, names);
    expect(fitted.stats.logFeatures).toEqual(['level', 'energy']);
    expect(fitted.transform.log).toEqual([true, true, false, false]);
    // Centred on the geometric mean: the mean of log(x/g) is 0.
    expect(fitted.transform.mean[0]).toBeCloseTo(0, 12);
    expect(fitPcaModel(rows, names, { logFeatures: 'none' }).stats.logFeatures).toEqual([]);
    expect(() => fitPcaModel(rows, names, { logFeatures: ['skew'] })).toThrow(/skew has healthy values ≤ 0/);
  });

  it('scores the same whatever units the features are in', () => {
    const units = [1000, 1e-3, 9.81, 100];
    const scaled = rows.map((row) => row.map((x, i) => x * units[i]!));
    const fitted = fitPcaModel(rows, names);
    const a = new ReferenceScorer(fitted);
    const b = new ReferenceScorer(fitPcaModel(scaled, names));
    const probe = [2.5, 2.5, 3.7, 0]; // anomalous: the level rose 2.5×, energy (∝ level²) only 2.5× too
    const scoreA = a.score(probe);
    expect(scoreA).toBeGreaterThan(10 * fitted.threshold);
    expect(b.score(probe.map((x, i) => x * units[i]!)) / scoreA).toBeCloseTo(1, 4);
  });

  it('floors the σ of a feature that never moved and reports it', () => {
    const constant = rows.map((row) => [...row.slice(0, 3), 7]);
    const fitted = fitPcaModel(constant, names);
    expect(fitted.stats.flooredFeatures).toEqual(['skew']);
    expect(fitted.transform.std[3]).toBeCloseTo(7e-4, 12); // 1e-4 × |μ|
  });

  it('picks k by variance and records the eigenvalues, which sum to the number of features', () => {
    const fitted = fitPcaModel(rows, names, { variance: 0.9 });
    const { stats } = fitted;
    expect(stats.explainedVariance).toBeGreaterThanOrEqual(0.9);
    expect(stats.eigenvalues.reduce((a, b) => a + b, 0)).toBeCloseTo(4, 9);
    expect(fitted.components).toHaveLength(4);
    expect(fitted.components[0]).toHaveLength(stats.components);
  });

  it('refuses data it cannot fit with messages that say what to do', () => {
    expect(() => fitPcaModel(rows.slice(0, 10), names)).toThrow(ModelFitError);
    expect(() => fitPcaModel(rows.slice(0, 10), names)).toThrow(/record at least 20/);
    expect(() => fitPcaModel([...rows, [1, NaN, 3, 0]], names)).toThrow(/window 3000 has a non-finite energy/);
    expect(() => fitPcaModel(rows, ['a', 'b', 'a', 'c'])).toThrow(/feature a is listed twice/);
  });
});
