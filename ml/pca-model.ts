import { z } from 'zod';
import { ModelFitError } from './errors';
import { chooseLogFeatures, fitTransform, type FeatureTransform } from './feature-transform';
import { symmetricEigen, type SymmetricEigen } from './jacobi-eigen';
import { ReferenceScorer } from './reference';
import { percentile, summariseScores, type ScoreSummary } from './stats';

/** Largest input width: the Jacobi eigensolver and a float32 d×d covariance stay exact and instant up to here. */
export const MAX_FEATURES = 64;

export const PcaFitOptionsSchema = z
  .object({
    variance: z
      .number()
      .gt(0)
      .lte(1)
      .default(0.95)
      .describe('Keep the fewest principal components that explain this fraction of the standardised variance (0–1]. Default 0.95.'),
    components: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe('Keep exactly this many components (1 … features − 1) instead of choosing by variance. Default: by variance.'),
    thresholdPercentile: z
      .number()
      .gt(0)
      .lte(100)
      .default(99.9)
      .describe('Percentile of the healthy training scores the threshold starts from, %. Default 99.9.'),
    thresholdMargin: z
      .number()
      .gte(1)
      .default(1.5)
      .describe('Threshold = percentile × margin; the margin covers healthy variation the fit did not see. Default 1.5.'),
    logFeatures: z
      .union([z.enum(['auto', 'none']), z.array(z.string().min(1))])
      .default('auto')
      .describe('Features modelled in log space: `auto` (strictly positive and right-skewed, skewness > 0.5), `none`, or a list of names. Default `auto`.'),
    stdFloor: z
      .number()
      .positive()
      .max(1)
      .default(1e-4)
      .describe('Smallest σ of a transformed feature, as a fraction of |μ| (absolute when μ = 0). Default 1e-4.'),
  })
  .strict();

export type PcaFitOptions = z.output<typeof PcaFitOptionsSchema>;
export type PcaFitOptionsInput = z.input<typeof PcaFitOptionsSchema>;

/** What scoring needs: s = ‖z − W·Wᵀ·z‖² with z from `transform`. */
export interface PcaParams {
  /** The model's input spec: feature i of the input vector is featureNames[i]. */
  featureNames: readonly string[];
  transform: FeatureTransform;
  /** W, d rows × k columns: the top-k unit eigenvectors of the standardised covariance. */
  components: readonly (readonly number[])[];
}

export interface PcaFitStats {
  windows: number;
  features: number;
  components: number;
  /** Fraction of the standardised variance the kept components explain. */
  explainedVariance: number;
  /** Every eigenvalue of the standardised covariance, descending (they sum to ≈ features). */
  eigenvalues: number[];
  logFeatures: string[];
  /** Features whose σ was raised to the floor: they barely moved while healthy, so any movement scores high. */
  flooredFeatures: string[];
  thresholdPercentile: number;
  thresholdMargin: number;
  /** The training windows' scores (float32, as deployed). */
  healthyScores: ScoreSummary;
}

export interface PcaModel extends PcaParams {
  /** Scores above this are anomalous. */
  threshold: number;
  stats: PcaFitStats;
}

/**
 * Fits the default anomaly model on healthy feature vectors (rows of X, one per window): a per-feature transform
 * and standardisation, PCA of the standardised covariance, and a threshold on the residual score
 * s = ‖z − W·Wᵀ·z‖² (the squared prediction error, Q statistic: Jackson & Mudholkar 1979).
 */
export function fitPcaModel(rows: readonly ArrayLike<number>[], featureNames: readonly string[], optionsInput: PcaFitOptionsInput = {}): PcaModel {
  const options = PcaFitOptionsSchema.parse(optionsInput);
  const d = featureNames.length;
  const n = rows.length;
  checkShape(rows, featureNames);
  const columns = featureNames.map((_, j) => Float64Array.from(rows, (row) => row[j]!));
  const log = chooseLogFeatures(columns, featureNames, options.logFeatures);
  const { transform, standardised, floored } = fitTransform(columns, log, options.stdFloor);

  const eigen = symmetricEigen(covariance(standardised, n), d);
  const { k, explained } = chooseComponents(eigen.values, options.variance, options.components);
  const components = Array.from({ length: d }, (_, i) => Array.from({ length: k }, (_, j) => eigen.vectors[i * d + j]!));
  const params: PcaParams = { featureNames: [...featureNames], transform, components };

  // The threshold comes from float32 scores of the parameters as exported, so it judges what will actually run.
  const reference = new ReferenceScorer(params);
  const scores = reference.scoreRows(rows);
  const threshold = percentile(scores, options.thresholdPercentile) * options.thresholdMargin;
  if (!(threshold > 0)) {
    throw new ModelFitError(
      `every healthy window scores 0: the ${d} features are exactly linearly dependent on ${k} components; drop redundant features or pass fewer components`,
    );
  }
  return {
    ...params,
    threshold,
    stats: {
      windows: n,
      features: d,
      components: k,
      explainedVariance: explained,
      eigenvalues: Array.from(eigen.values),
      logFeatures: featureNames.filter((_, i) => log[i]),
      flooredFeatures: floored.map((i) => featureNames[i]!),
      thresholdPercentile: options.thresholdPercentile,
      thresholdMargin: options.thresholdMargin,
      healthyScores: summariseScores(scores, threshold),
    },
  };
}

/** Unbiased covariance of zero-mean columns, Σ = ZᵀZ/(n − 1), d×d row-major. */
export function covariance(columns: readonly Float64Array[], n: number): Float64Array {
  const d = columns.length;
  const out = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = i; j < d; j++) {
      const a = columns[i]!;
      const b = columns[j]!;
      let sum = 0;
      for (let r = 0; r < n; r++) sum += a[r]! * b[r]!;
      out[i * d + j] = out[j * d + i] = sum / (n - 1);
    }
  }
  return out;
}

/** The principal axes and variances of a sample (rows of X), centred but not scaled: the PCA core, exposed for tests. */
export function principalComponents(rows: readonly ArrayLike<number>[]): SymmetricEigen & { explainedRatio: Float64Array } {
  const d = rows[0]?.length ?? 0;
  const columns = Array.from({ length: d }, (_, j) => {
    const column = Float64Array.from(rows, (row) => row[j]!);
    let sum = 0;
    for (const x of column) sum += x;
    const mu = sum / rows.length;
    return column.map((x) => x - mu);
  });
  const eigen = symmetricEigen(covariance(columns, rows.length), d);
  const total = eigen.values.reduce((sum, lambda) => sum + Math.max(lambda, 0), 0);
  return { ...eigen, explainedRatio: eigen.values.map((lambda) => Math.max(lambda, 0) / total) };
}

/**
 * k = the fewest components with Σᵢ≤ₖ λᵢ / Σλ ≥ variance, or the k asked for; at most d − 1, since with all d
 * components the residual, and so every score, is identically zero.
 */
export function chooseComponents(eigenvalues: Float64Array, variance: number, requested?: number): { k: number; explained: number } {
  const d = eigenvalues.length;
  const positive = Array.from(eigenvalues, (lambda) => Math.max(lambda, 0));
  const total = positive.reduce((a, b) => a + b, 0);
  const explainedBy = (k: number): number => (total > 0 ? positive.slice(0, k).reduce((a, b) => a + b, 0) / total : 0);
  if (requested !== undefined) {
    if (requested > d - 1) throw new ModelFitError(`components = ${requested} leaves no residual with ${d} features; pass at most ${d - 1}`);
    return { k: requested, explained: explainedBy(requested) };
  }
  let k = 1;
  while (k < d - 1 && explainedBy(k) < variance) k++;
  return { k, explained: explainedBy(k) };
}

function checkShape(rows: readonly ArrayLike<number>[], featureNames: readonly string[]): void {
  const d = featureNames.length;
  if (d < 2 || d > MAX_FEATURES) throw new ModelFitError(`a PCA model needs 2 … ${MAX_FEATURES} features, got ${d}`);
  const duplicate = featureNames.find((name, i) => featureNames.indexOf(name) !== i);
  if (duplicate !== undefined) throw new ModelFitError(`feature ${duplicate} is listed twice; each input must be named once`);
  const minWindows = Math.max(20, 2 * d);
  if (rows.length < minWindows) {
    throw new ModelFitError(`${rows.length} healthy windows are too few to fit ${d} features; record at least ${minWindows} (ideally ≥ 1000 for a 99.9th-percentile threshold)`);
  }
  rows.forEach((row, r) => {
    if (row.length !== d) throw new ModelFitError(`window ${r} has ${row.length} values for ${d} features`);
    for (let j = 0; j < d; j++) {
      if (!Number.isFinite(row[j])) throw new ModelFitError(`window ${r} has a non-finite ${featureNames[j]} (${row[j]}); drop or repair it before fitting`);
    }
  });
}
