import { aggregate, insertPoint, type Point } from './aggregate';
import type { AddOutcome, KeyWindowOptions, KeyWindows, WindowResult } from './key-windows';

/** One window per distinct record time t, over the trailing (t − size, t]: a rule sees every record in context. */
export class SlidingWindows implements KeyWindows {
  readonly #sizeMs: number;
  readonly #options: KeyWindowOptions;
  readonly #points: Point[] = [];
  /** Window ends (record times) not yet emitted, ascending. */
  readonly #pending: number[] = [];
  /** Window ends emitted and still correctable, ascending. */
  readonly #emitted: number[] = [];

  constructor(sizeMs: number, options: KeyWindowOptions) {
    this.#sizeMs = sizeMs;
    this.#options = options;
  }

  add(point: Point, watermarkMs: number): AddOutcome {
    // Even a late point belongs to the windows still open after it (ends up to t + size).
    insertPoint(this.#points, point);
    if (point.tsMs > watermarkMs) {
      insertDistinct(this.#pending, point.tsMs);
      return { updates: [], missed: false };
    }
    if (!this.#options.update || point.tsMs + this.#options.retainMs <= watermarkMs) return { updates: [], missed: true };
    insertDistinct(this.#emitted, point.tsMs);
    const ends = this.#emitted.filter((end) => end >= point.tsMs && end < point.tsMs + this.#sizeMs);
    return { updates: ends.map((end) => this.#result(end, true)), missed: false };
  }

  close(watermarkMs: number): WindowResult[] {
    const results: WindowResult[] = [];
    while (this.#pending.length > 0 && this.#pending[0]! <= watermarkMs) {
      const end = this.#pending.shift()!;
      results.push(this.#result(end, false));
      if (this.#options.update) this.#emitted.push(end);
    }
    while (this.#emitted.length > 0 && this.#emitted[0]! + this.#options.retainMs <= watermarkMs) this.#emitted.shift();
    // A point still matters while a window ending after watermark − retain can contain it.
    const keepAfter = watermarkMs - this.#options.retainMs - this.#sizeMs;
    while (this.#points.length > 0 && this.#points[0]!.tsMs <= keepAfter) this.#points.shift();
    return results;
  }

  #result(endMs: number, update: boolean): WindowResult {
    const startMs = endMs - this.#sizeMs;
    const points = this.#points.filter((p) => p.tsMs > startMs && p.tsMs <= endMs);
    return { startMs, endMs, value: aggregate(this.#options.agg, points)!, count: points.length, update };
  }
}

function insertDistinct(sorted: number[], value: number): void {
  let i = sorted.length;
  while (i > 0 && sorted[i - 1]! > value) i--;
  if (sorted[i - 1] !== value) sorted.splice(i, 0, value);
}
