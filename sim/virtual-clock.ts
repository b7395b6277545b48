import type { Cancel, Clock, TimerCallback } from './clock';

interface Timer {
  atMs: number;
  /** Insertion order breaks ties so that equal-time events run first-in, first-out. */
  order: number;
  fn: TimerCallback;
  cancelled: boolean;
}

/**
 * Discrete-event clock: time jumps from one scheduled event to the next, as fast as the callbacks allow.
 * Callbacks may be async; `runUntil` awaits each one before advancing, which gives publishers backpressure.
 * So a callback must never wait for simulated time to pass (a clock-based sleep): time stands still until it returns.
 */
export class VirtualClock implements Clock {
  #nowMs: number;
  #heap: Timer[] = [];
  #order = 0;

  /** @param startMs simulated start time, ms since the Unix epoch */
  constructor(startMs: number) {
    this.#nowMs = startMs;
  }

  now(): number {
    return this.#nowMs;
  }

  schedule(atMs: number, fn: TimerCallback): Cancel {
    if (!Number.isFinite(atMs)) throw new RangeError(`cannot schedule at ${atMs}: simulated times are finite ms since the epoch`);
    const timer: Timer = { atMs: Math.max(atMs, this.#nowMs), order: this.#order++, fn, cancelled: false };
    this.#push(timer);
    return () => {
      timer.cancelled = true;
    };
  }

  /** Number of pending (not cancelled) events. */
  get pending(): number {
    return this.#heap.filter((t) => !t.cancelled).length;
  }

  /** Runs every event due at or before `endMs` in time order, then sets the time to `endMs`. */
  async runUntil(endMs: number): Promise<void> {
    if (Number.isNaN(endMs)) throw new RangeError('runUntil needs a time, got NaN');
    for (;;) {
      const next = this.#heap[0];
      if (!next || next.atMs > endMs) break;
      this.#pop();
      if (next.cancelled) continue;
      this.#nowMs = next.atMs;
      const result = next.fn(this.#nowMs);
      if (result) await result;
    }
    this.#nowMs = Math.max(this.#nowMs, endMs);
  }

  #push(timer: Timer): void {
    const heap = this.#heap;
    heap.push(timer);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  }

  #pop(): void {
    const heap = this.#heap;
    const last = heap.pop()!;
    if (heap.length === 0) return;
    heap[0] = last;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < heap.length && before(heap[left]!, heap[smallest]!)) smallest = left;
      if (right < heap.length && before(heap[right]!, heap[smallest]!)) smallest = right;
      if (smallest === i) return;
      [heap[i], heap[smallest]] = [heap[smallest]!, heap[i]!];
      i = smallest;
    }
  }
}

function before(a: Timer, b: Timer): boolean {
  return a.atMs < b.atMs || (a.atMs === b.atMs && a.order < b.order);
}
