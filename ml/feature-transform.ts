import { ModelFitError } from './errors';
import { mean, sampleStd, skewness } from './stats';

/**
 * Per-feature transform applied before PCA, as fitted on healthy data:
 *   u = log(max(x/g, f)) for a log feature, u = x otherwise;  z = (u − μ)/σ.
 * Arrays are indexed like the model's feature names.
 */
export interface FeatureTransform {
  /** Whether feature i is log-transformed. */
  log: readonly boolean[];
  /** g: the healthy geometric mean of a log feature (1 for the others), so log(x/g) is centred on 0. */
  logScale: readonly number[];
  /** f: floor of x/g before the log, so a zero (a dead channel) scores as a large, finite anomaly (1 for the others). */
  logFloor: readonly number[];
  /** μ of the transformed feature. */
  mean: readonly number[];
  /** σ of the transformed feature, floored. */
  std: readonly number[];
}

/** Right-skew above which a strictly positive feature counts as heavy-tailed and is modelled in log space. */
export const AUTO_LOG_SKEWNESS = 0.5;
/** A dead channel (x = 0) reads as this fraction of the quietest healthy window. */
const LOG_FLOOR_FRACTION = 1e-3;

export type LogSelection = 'auto' | 'none' | readonly string[];

/** Which features to log-transform: `auto` picks strictly positive features whose healthy skewness exceeds AUTO_LOG_SKEWNESS. */
export function chooseLogFeatures(columns: readonly Float64Array[], names: readonly string[], selection: LogSelection): boolean[] {
  if (selection === 'none') return names.map(() => false);
  if (selection === 'auto') return columns.map((column) => minimum(column) > 0 && skewness(column) > AUTO_LOG_SKEWNESS);
  const unknown = selection.filter((name) => !names.includes(name));
  if (unknown.length > 0) throw new ModelFitError(`log features ${unknown.join(', ')} are not model inputs (inputs: ${names.join(', ')})`);
  return names.map((name, i) => {
    if (!selection.includes(name)) return false;
    if (minimum(columns[i]!) <= 0) throw new ModelFitError(`feature ${name} has healthy values ≤ 0 and cannot be log-transformed; leave it out of the log list`);
    return true;
  });
}

/**
 * Fits the transform on healthy columns and returns it with the standardised columns. σ is floored at
 * `stdFloor`·|μ| (`stdFloor` when μ = 0), so a feature that never moved while healthy scores in multiples of a
 * small, declared fraction of its level instead of dividing by zero. Relative, not absolute: a feature measured in
 * small units (an envelope amplitude of 1e-5 g) must not be flattened by a floor sized for large ones.
 */
export function fitTransform(
  columns: readonly Float64Array[],
  log: readonly boolean[],
  stdFloor: number,
): { transform: FeatureTransform; standardised: Float64Array[]; floored: number[] } {
  const logScale: number[] = [];
  const logFloor: number[] = [];
  const mu: number[] = [];
  const sigma: number[] = [];
  const floored: number[] = [];
  const standardised = columns.map((column, i) => {
    let u = column;
    if (log[i]) {
      // The log is taken of x/g (≈ 1), not of x: float32 log is only faithful to ~2 ulp of its result, and the
      // result near 0 keeps that error small next to σ, so ONNX Runtime and the reference agree to ~1e-7.
      const g = Math.exp(mean(column.map(Math.log)));
      const f = (minimum(column) / g) * LOG_FLOOR_FRACTION;
      logScale.push(g);
      logFloor.push(f);
      u = column.map((x) => Math.log(Math.max(x / g, f)));
    } else {
      logScale.push(1);
      logFloor.push(1);
    }
    const m = mean(u);
    const s = sampleStd(u, m);
    const floor = stdFloor * (m !== 0 ? Math.abs(m) : 1);
    if (!(s >= floor)) floored.push(i);
    const sd = Math.max(s, floor);
    mu.push(m);
    sigma.push(sd);
    return u.map((x) => (x - m) / sd);
  });
  return { transform: { log: [...log], logScale, logFloor, mean: mu, std: sigma }, standardised, floored };
}

function minimum(column: Float64Array): number {
  let min = Infinity;
  for (const x of column) if (x < min) min = x;
  return min;
}
