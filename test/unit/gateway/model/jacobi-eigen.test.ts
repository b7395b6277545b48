import { describe, expect, it } from 'vitest';
import { ModelFitError } from '../../../../gateway/model/errors';
import { symmetricEigen } from '../../../../ml/jacobi-eigen';
import { column, cosine, randomOrthogonal, withEigen } from './linear-algebra';

describe('symmetricEigen (cyclic Jacobi)', () => {
  it('diagonalises [[2, 1], [1, 2]] into 3 along (1, 1)/√2 and 1 along (1, −1)/√2', () => {
    const { values, vectors } = symmetricEigen([2, 1, 1, 2], 2);
    expect(values[0]).toBeCloseTo(3, 14);
    expect(values[1]).toBeCloseTo(1, 14);
    expect(column(vectors, 2, 0)[0]).toBeCloseTo(Math.SQRT1_2, 14);
    expect(column(vectors, 2, 0)[1]).toBeCloseTo(Math.SQRT1_2, 14);
    // Ties in magnitude keep the first component positive, so the sign is reproducible.
    expect(column(vectors, 2, 1)[0]).toBeCloseTo(Math.SQRT1_2, 14);
    expect(column(vectors, 2, 1)[1]).toBeCloseTo(-Math.SQRT1_2, 14);
  });

  it('recovers the eigenvalues and eigenvectors of Q·diag(λ)·Qᵀ to 1e-12 for d = 64', () => {
    const d = 64;
    const lambda = Array.from({ length: d }, (_, i) => 100 * 0.8 ** i); // 100 … 6e-5: a wide but realistic spread
    const q = randomOrthogonal(d, 'eigen-64');
    const { values, vectors } = symmetricEigen(withEigen(q, lambda), d);
    for (let j = 0; j < d; j++) {
      expect(Math.abs(values[j]! - lambda[j]!)).toBeLessThan(1e-12 * 100);
      expect(Math.abs(cosine(column(vectors, d, j), q.map((row) => row[j]!)))).toBeGreaterThan(1 - 1e-9);
    }
  });

  it('returns orthonormal eigenvectors whose largest component is positive', () => {
    const d = 8;
    const { vectors } = symmetricEigen(withEigen(randomOrthogonal(d, 'ortho'), [8, 7, 6, 5, 4, 3, 2, 1]), d);
    for (let a = 0; a < d; a++) {
      const va = column(vectors, d, a);
      const largest = va.reduce((best, x) => (Math.abs(x) > Math.abs(best) ? x : best), 0);
      expect(largest).toBeGreaterThan(0);
      for (let b = 0; b < d; b++) {
        const dot = va.reduce((sum, x, i) => sum + x * column(vectors, d, b)[i]!, 0);
        expect(dot).toBeCloseTo(a === b ? 1 : 0, 12);
      }
    }
  });

  it('handles repeated and zero eigenvalues (a rank-deficient covariance)', () => {
    const d = 5;
    const { values } = symmetricEigen(withEigen(randomOrthogonal(d, 'rank'), [3, 3, 1, 0, 0]), d);
    expect(Array.from(values).map((v) => Number(v.toFixed(12)) + 0)).toEqual([3, 3, 1, 0, 0]);
  });

  it('refuses a non-finite entry with a typed error that names it', () => {
    expect(() => symmetricEigen([1, NaN, NaN, 1], 2)).toThrow(ModelFitError);
    expect(() => symmetricEigen([1, NaN, NaN, 1], 2)).toThrow(/non-finite entry at \(0, 1\)/);
  });
});
