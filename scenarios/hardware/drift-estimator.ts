/** Wall ms of one bucket: the least delayed reading of each second stands for that second. */
const BUCKET_MS = 1000;
/** Buckets before an estimate: two seconds of span at least. */
const MIN_BUCKETS = 3;

/**
 * Estimates how fast a device's clock runs against ours from (our receive time, its timestamp) pairs. Each pair is
 * late by the line's delay, which bursts and a busy machine make ragged; the least delayed pair of each second is the
 * closest to the truth, and a least-squares line through those gives the rate. It resolves about 1 ms ÷ the span:
 * ~100 ppm over 10 s. Platform-free.
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
    const points = [...this.#best.values()];
    if (points.length < MIN_BUCKETS) return undefined;
    const x0 = points[0]!.wallMs;
    const y0 = points[0]!.deviceMs;
    let sx = 0;
    let sy = 0;
    let sxx = 0;
    let sxy = 0;
    for (const p of points) {
      const x = p.wallMs - x0;
      const y = p.deviceMs - y0;
      sx += x;
      sy += y;
      sxx += x * x;
      sxy += x * y;
    }
    const n = points.length;
    // device = a + b·wall: b = (n·Σxy − Σx·Σy) / (n·Σx² − (Σx)²)
    const slope = (n * sxy - sx * sy) / (n * sxx - sx * sx);
    return (slope - 1) * 1e6;
  }

  /** The device restarted: its clock starts again. */
  reset(): void {
    this.#best.clear();
  }
}
