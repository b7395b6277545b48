import { createRng } from '../../../../sim';

/** A seeded random d×d orthogonal matrix (Gram–Schmidt on Gaussian columns); columns are Q[·][j]. */
export function randomOrthogonal(d: number, seed: string): number[][] {
  const rng = createRng(seed);
  const columns: number[][] = [];
  for (let j = 0; j < d; j++) {
    const v = Array.from({ length: d }, () => rng.normal());
    for (const q of columns) {
      const dot = v.reduce((sum, x, i) => sum + x * q[i]!, 0);
      for (let i = 0; i < d; i++) v[i]! -= dot * q[i]!;
    }
    const norm = Math.hypot(...v);
    columns.push(v.map((x) => x / norm));
  }
  return Array.from({ length: d }, (_, i) => columns.map((q) => q[i]!));
}

/** Q·diag(λ)·Qᵀ, row-major. */
export function withEigen(q: number[][], lambda: readonly number[]): Float64Array {
  const d = lambda.length;
  const out = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      let sum = 0;
      for (let m = 0; m < d; m++) sum += q[i]![m]! * lambda[m]! * q[j]![m]!;
      out[i * d + j] = sum;
    }
  }
  return out;
}

/** Column j of a d×d row-major matrix. */
export function column(matrix: ArrayLike<number>, d: number, j: number): number[] {
  return Array.from({ length: d }, (_, i) => matrix[i * d + j]!);
}

export function cosine(a: readonly number[], b: readonly number[]): number {
  const dot = a.reduce((sum, x, i) => sum + x * b[i]!, 0);
  return dot / (Math.hypot(...a) * Math.hypot(...b));
}
