import { aggregate, insertPoint, type Point } from './aggregate';
import type { AddOutcome, KeyWindowOptions, KeyWindows, WindowResult } from './key-windows';

interface Pane {
  startMs: number;
  points: Point[];
  emitted: boolean;
}

/** Tumbling (hop = size) and hopping windows [k·hop, k·hop + size), aligned to the Unix epoch. */
export class FixedWindows implements KeyWindows {
  readonly #sizeMs: number;
  readonly #hopMs: number;
  readonly #options: KeyWindowOptions;
  readonly #panes = new Map<number, Pane>();

  constructor(sizeMs: number, hopMs: number, options: KeyWindowOptions) {
    this.#sizeMs = sizeMs;
    this.#hopMs = hopMs;
    this.#options = options;
  }

  add(point: Point, watermarkMs: number): AddOutcome {
    const updates: WindowResult[] = [];
    let missed = false;
    // start ≤ t < start + size with start = k·hop: k from ⌊(t − size)/hop⌋ + 1 to ⌊t/hop⌋.
    const firstK = Math.floor((point.tsMs - this.#sizeMs) / this.#hopMs) + 1;
    const lastK = Math.floor(point.tsMs / this.#hopMs);
    for (let k = firstK; k <= lastK; k++) {
      const startMs = k * this.#hopMs;
      const endMs = startMs + this.#sizeMs;
      if (endMs > watermarkMs) {
        insertPoint(this.#pane(startMs).points, point);
      } else if (this.#options.update && endMs + this.#options.retainMs > watermarkMs) {
        const pane = this.#pane(startMs);
        insertPoint(pane.points, point);
        pane.emitted = true;
        updates.push(this.#result(pane, true));
      } else {
        missed = true;
      }
    }
    return { updates, missed };
  }

  close(watermarkMs: number): WindowResult[] {
    const due = [...this.#panes.values()].filter((p) => !p.emitted && p.startMs + this.#sizeMs <= watermarkMs).sort((a, b) => a.startMs - b.startMs);
    const results = due.map((pane) => {
      pane.emitted = true;
      return this.#result(pane, false);
    });
    for (const [start, pane] of this.#panes) {
      if (pane.emitted && start + this.#sizeMs + this.#options.retainMs <= watermarkMs) this.#panes.delete(start);
    }
    return results;
  }

  #pane(startMs: number): Pane {
    let pane = this.#panes.get(startMs);
    if (!pane) {
      pane = { startMs, points: [], emitted: false };
      this.#panes.set(startMs, pane);
    }
    return pane;
  }

  #result(pane: Pane, update: boolean): WindowResult {
    return { startMs: pane.startMs, endMs: pane.startMs + this.#sizeMs, value: aggregate(this.#options.agg, pane.points)!, count: pane.points.length, update };
  }
}
