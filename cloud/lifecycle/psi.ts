import { DriftError } from './errors';

/**
 * Floor for an empty bin's fraction: ln(a/e) is infinite when either side is 0. 1e-4 (one window in 10 000) keeps
 * a bin that empties entirely to a PSI term of about (e − 1e-4)·ln(e/1e-4), e.g. 0.1·ln(1000) ≈ 0.69 for a decile.
 */
export const PSI_EMPTY_BIN_FLOOR = 1e-4;

/**
 * Population stability index of `actual` against `expected`, both fractions per bin (each summing to 1).
 * Convention: < 0.1 no drift, 0.1–0.25 moderate, > 0.25 significant.
 */
export function psi(expected: readonly number[], actual: readonly number[]): number {
  if (expected.length !== actual.length || expected.length === 0) {
    throw new DriftError('E_DRIFT_INPUT', `psi needs the same bins on both sides, got ${expected.length} expected and ${actual.length} actual; bin the live values at the reference's edges`);
  }
  let sum = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = Math.max(expected[i]!, PSI_EMPTY_BIN_FLOOR);
    const a = Math.max(actual[i]!, PSI_EMPTY_BIN_FLOOR);
    sum += (a - e) * Math.log(a / e); // PSI = Σ (aᵢ − eᵢ)·ln(aᵢ/eᵢ)
  }
  return sum;
}
