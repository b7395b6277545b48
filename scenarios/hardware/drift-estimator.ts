/** Wall ms of one bucket: the least delayed reading of each second stands for that second. */
const BUCKET_MS = 1000;
/** Buckets before an estimate: two seconds of span at least. */
const MIN_BUCKETS = 3;

/** A second's least delayed reading within this of the floor line always counts, however even the others: wall ms. */
const LATE_MS = 3;

/**
 * Estimates how fast a device's clock runs against ours from (our receive time, its timestamp) pairs. Each pair is
 * late by the line's delay, never early, and bursts and a busy machine make the delay ragged: a whole second can
 * arrive late. The least delayed pair of each second stands for it. The floor under those points (Moon, Skelly and
 * Towsley's linear program, solved on their lower convex hull) shows which seconds came late as a whole (far above
 * it, by the median and median absolute deviation of the others); a least-squares line through the rest gives the rate. It resolves about 1 ms ÷ the span: ~100 ppm over 10 s.
 * Platform-free.
 */
export class DriftEstimator {
  readonly #best = new Map<number, { wallMs: number; deviceMs: number }>();

  add(wallMs: number, deviceMs: number): void {
    const key = Math.floor(wallMs / BUCKET_MS);
    const known = this.#best.get(key);
    if (!known || wallMs - deviceMs < known.wallMs - known.deviceMs) this.#best.set(key, { wallMs, deviceMs });
  }

  /** Its clock's rate error, ppm (+: runs fast), or undefined before two seconds of readings. */
  ppm(): number | undefined {
    if (this.#best.size < MIN_BUCKETS) return undefined;
    // x: its clock, y: ours. Every point lies on or above wall = α + β·device, β = 1 / (1 + ε).
    const points = [...this.#best.values()].map((p) => ({ x: p.deviceMs, y: p.wallMs })).sort((a, b) => a.x - b.x);
    const floor = floorLine(points);
    if (!floor) return undefined;
    // A second far above the floor, against how ragged the others are, came late as a whole; the rest carry the rate.
    const above = points.map((p) => p.y - (floor.alpha + floor.beta * p.x));
    const typical = median(above);
    const spread = median(above.map((r) => Math.abs(r - typical)));
    const late = Math.max(LATE_MS, typical + 4 * spread);
    const kept = points.filter((_, i) => above[i]! <= late);
    // ε = 1/β − 1
    return (1 / leastSquaresSlope(kept.length >= 2 ? kept : points) - 1) * 1e6;
  }

  /** The device restarted: its clock starts again. */
  reset(): void {
    this.#best.clear();
  }
}

/** The line under every point that they lie on most closely: min Σ (yᵢ − α − β·xᵢ) subject to yᵢ ≥ α + β·xᵢ, the hull edge over the mean x. */
function floorLine(points: readonly { x: number; y: number }[]): { alpha: number; beta: number } | undefined {
  const hull = lowerHull(points);
  if (hull.length < 2) return undefined;
  const meanX = points.reduce((n, p) => n + p.x, 0) / points.length;
  let i = 0;
  while (i < hull.length - 2 && hull[i + 1]!.x < meanX) i++;
  const beta = (hull[i + 1]!.y - hull[i]!.y) / (hull[i + 1]!.x - hull[i]!.x);
  return { alpha: hull[i]!.y - beta * hull[i]!.x, beta };
}

/** y = a + b·x through the points: b = (n·Σxy − Σx·Σy) / (n·Σx² − (Σx)²), about the first point for precision. */
function leastSquaresSlope(points: readonly { x: number; y: number }[]): number {
  const x0 = points[0]!.x;
  const y0 = points[0]!.y;
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let sxy = 0;
  for (const p of points) {
    const x = p.x - x0;
    const y = p.y - y0;
    sx += x;
    sy += y;
    sxx += x * x;
    sxy += x * y;
  }
  const n = points.length;
  return (n * sxy - sx * sy) / (n * sxx - sx * sx);
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The lower convex hull of points sorted by x (Andrew's monotone chain), left to right; equal x keeps the lowest. */
function lowerHull(points: readonly { x: number; y: number }[]): { x: number; y: number }[] {
  const hull: { x: number; y: number }[] = [];
  for (const p of points) {
    if (hull.length && hull.at(-1)!.x === p.x) {
      if (p.y >= hull.at(-1)!.y) continue;
      hull.pop();
    }
    // Drop the last vertex while it does not turn left (cross product ≤ 0): it lies on or above the new edge.
    while (hull.length >= 2) {
      const a = hull.at(-2)!;
      const b = hull.at(-1)!;
      if ((b.x - a.x) * (p.y - a.y) - (b.y - a.y) * (p.x - a.x) > 0) break;
      hull.pop();
    }
    hull.push(p);
  }
  return hull;
}
