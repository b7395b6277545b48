import type { PcaModel } from '../../../../ml/pca-model';

/**
 * A 3-feature model simple enough to score by hand: μ = (0, 2, 3), σ = (0.5, 2, 4), one component
 * W = (1, 1, 0)/√2, and feature a in log space as log(x/2) (floor 10⁻³).
 */
export function toyModel(options: { log?: boolean; threshold?: number } = {}): PcaModel {
  const log = options.log ?? false;
  return {
    featureNames: ['a', 'b', 'c'],
    transform: {
      log: [log, false, false],
      logScale: [log ? 2 : 1, 1, 1],
      logFloor: [log ? 1e-3 : 1, 1, 1],
      mean: [log ? 0 : 1, 2, 3],
      std: [log ? 0.5 : 1, 2, 4],
    },
    components: [[Math.SQRT1_2], [Math.SQRT1_2], [0]],
    threshold: options.threshold ?? 1.5,
    stats: {
      windows: 0,
      features: 3,
      components: 1,
      explainedVariance: 0.5,
      eigenvalues: [2, 1, 0],
      logFeatures: log ? ['a'] : [],
      flooredFeatures: [],
      thresholdPercentile: 99.9,
      thresholdMargin: 1.5,
      healthyScores: { count: 0, min: NaN, p50: NaN, p90: NaN, p99: NaN, p999: NaN, max: NaN, over: 0, overRate: 0, nonFinite: 0 },
    },
  };
}
