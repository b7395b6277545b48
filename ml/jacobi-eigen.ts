import { ModelFitError } from './errors';

/** Eigenvalues in descending order, and the matching unit eigenvectors as the columns of a d×d row-major matrix. */
export interface SymmetricEigen {
  d: number;
  values: Float64Array;
  /** vectors[i·d + j] is component i of eigenvector j. */
  vectors: Float64Array;
}

/** Sweeps before giving up; cyclic Jacobi converges quadratically, in 6–10 sweeps for d ≤ 64. */
const MAX_SWEEPS = 100;
/** Converged when the off-diagonal Frobenius norm is below this fraction of the whole matrix's. */
const RELATIVE_TOLERANCE = 1e-14;

/**
 * Eigen-decomposition of a real symmetric d×d matrix (row-major) by cyclic Jacobi rotations (Golub & Van Loan,
 * Matrix Computations 4e, Alg. 8.5.3). Each rotation zeroes one off-diagonal pair; the product of the rotations
 * is the eigenvector matrix. Slower than tridiagonal QR but simple, and accurate to full precision in the small
 * eigenvalues too, which is what a residual-subspace model depends on. Cost ~10·d³ flops: nothing for d ≤ 64.
 *
 * Eigenvectors are signed so that their largest-magnitude component is positive, so a fit is reproducible.
 */
export function symmetricEigen(matrix: ArrayLike<number>, d: number): SymmetricEigen {
  if (!Number.isInteger(d) || d < 1 || matrix.length !== d * d) {
    throw new RangeError(`symmetricEigen needs a d×d matrix, got ${matrix.length} entries for d = ${d}`);
  }
  const a = Float64Array.from(matrix);
  let frobenius = 0;
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      const x = a[i * d + j]!;
      if (!Number.isFinite(x)) throw new ModelFitError(`the covariance matrix has a non-finite entry at (${i}, ${j}); check the features for NaN or ∞`);
      if (Math.abs(x - a[j * d + i]!) > 1e-12 * (Math.abs(x) + 1)) throw new RangeError(`symmetricEigen needs a symmetric matrix; (${i}, ${j}) ≠ (${j}, ${i})`);
      frobenius += x * x;
    }
  }
  const v = new Float64Array(d * d);
  for (let i = 0; i < d; i++) v[i * d + i] = 1;

  const limit = (RELATIVE_TOLERANCE * RELATIVE_TOLERANCE) * frobenius;
  let sweep = 0;
  for (; sweep < MAX_SWEEPS; sweep++) {
    if (offDiagonalSquares(a, d) <= limit) break;
    for (let p = 0; p < d - 1; p++) {
      for (let q = p + 1; q < d; q++) rotate(a, v, d, p, q);
    }
  }
  if (sweep === MAX_SWEEPS && offDiagonalSquares(a, d) > limit) {
    throw new ModelFitError(`the eigensolver did not converge in ${MAX_SWEEPS} Jacobi sweeps; the covariance is badly scaled — check the features for extreme values`);
  }
  return sortedAndSigned(a, v, d);
}

function offDiagonalSquares(a: Float64Array, d: number): number {
  let sum = 0;
  for (let p = 0; p < d; p++) {
    for (let q = p + 1; q < d; q++) sum += 2 * a[p * d + q]! ** 2;
  }
  return sum;
}

/** A ← JᵀAJ and V ← VJ for the rotation J(p, q, θ) that zeroes a_pq. */
function rotate(a: Float64Array, v: Float64Array, d: number, p: number, q: number): void {
  const apq = a[p * d + q]!;
  if (apq === 0) return;
  // τ = (a_qq − a_pp)/(2a_pq); t = tan θ is the smaller root of t² + 2τt − 1 = 0, so |θ| ≤ π/4 [GvL Alg. 8.5.1]
  const tau = (a[q * d + q]! - a[p * d + p]!) / (2 * apq);
  const t = (tau >= 0 ? 1 : -1) / (Math.abs(tau) + Math.hypot(1, tau));
  const c = 1 / Math.hypot(1, t);
  const s = t * c;
  for (let k = 0; k < d; k++) {
    const akp = a[k * d + p]!;
    const akq = a[k * d + q]!;
    a[k * d + p] = c * akp - s * akq;
    a[k * d + q] = s * akp + c * akq;
  }
  for (let k = 0; k < d; k++) {
    const apk = a[p * d + k]!;
    const aqk = a[q * d + k]!;
    a[p * d + k] = c * apk - s * aqk;
    a[q * d + k] = s * apk + c * aqk;
  }
  // Exactly zero by construction; rounding would leave ~ε·‖A‖ behind.
  a[p * d + q] = 0;
  a[q * d + p] = 0;
  for (let k = 0; k < d; k++) {
    const vkp = v[k * d + p]!;
    const vkq = v[k * d + q]!;
    v[k * d + p] = c * vkp - s * vkq;
    v[k * d + q] = s * vkp + c * vkq;
  }
}

function sortedAndSigned(a: Float64Array, v: Float64Array, d: number): SymmetricEigen {
  const order = Array.from({ length: d }, (_, j) => j).sort((x, y) => a[y * d + y]! - a[x * d + x]! || x - y);
  const values = new Float64Array(d);
  const vectors = new Float64Array(d * d);
  order.forEach((from, to) => {
    values[to] = a[from * d + from]!;
    let largest = 0;
    for (let i = 0; i < d; i++) if (Math.abs(v[i * d + from]!) > Math.abs(v[largest * d + from]!)) largest = i;
    const sign = v[largest * d + from]! < 0 ? -1 : 1;
    for (let i = 0; i < d; i++) vectors[i * d + to] = sign * v[i * d + from]!;
  });
  return { d, values, vectors };
}
