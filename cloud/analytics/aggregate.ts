import type { Aggregate } from './window-schema';

/** One value at its event time; `order` is its arrival number, which breaks ties between equal event times. */
export interface Point {
  tsMs: number;
  value: number;
  order: number;
}

/** Inserts a point keeping the list sorted by (event time, arrival), so aggregates do not depend on arrival order. */
export function insertPoint(points: Point[], point: Point): void {
  let lo = 0;
  let hi = points.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const p = points[mid]!;
    if (p.tsMs < point.tsMs || (p.tsMs === point.tsMs && p.order < point.order)) lo = mid + 1;
    else hi = mid;
  }
  points.splice(lo, 0, point);
}

/** Folds points sorted by insertPoint into one value; an empty list has no value. */
export function aggregate(agg: Aggregate, points: readonly Point[]): number | undefined {
  if (points.length === 0) return agg === 'count' ? 0 : undefined;
  switch (agg) {
    case 'count':
      return points.length;
    case 'last':
      return points[points.length - 1]!.value;
    case 'mean': {
      let sum = 0;
      for (const p of points) sum += p.value;
      return sum / points.length;
    }
    case 'min': {
      let min = Infinity;
      for (const p of points) min = Math.min(min, p.value);
      return min;
    }
    case 'max': {
      let max = -Infinity;
      for (const p of points) max = Math.max(max, p.value);
      return max;
    }
    case 'p95': {
      const sorted = points.map((p) => p.value).sort((a, b) => a - b);
      // Nearest rank: the smallest value with at least 95 % of the values at or below it.
      return sorted[Math.ceil(0.95 * sorted.length) - 1]!;
    }
  }
}
