import type { TimerCallback } from './clock';

/** A scheduled callback. */
export interface Timer {
  readonly atMs: number;
  /** Insertion order breaks ties so that equal-time events run first-in, first-out. */
  readonly order: number;
  readonly fn: TimerCallback;
  cancelled: boolean;
}

/** Timers by due time (then insertion order), in a binary heap: O(log n) to add or take, however many wait. */
export class TimerHeap {
  #heap: Timer[] = [];
  #order = 0;

  /** Adds a timer; cancel it by setting `cancelled`. */
  push(atMs: number, fn: TimerCallback): Timer {
    const timer: Timer = { atMs, order: this.#order++, fn, cancelled: false };
    const heap = this.#heap;
    heap.push(timer);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
    return timer;
  }

  /** The earliest timer not cancelled, left in place; cancelled ones in front are dropped. */
  peek(): Timer | undefined {
    while (this.#heap[0]?.cancelled) this.#pop();
    return this.#heap[0];
  }

  /** Takes the earliest timer not cancelled. */
  take(): Timer | undefined {
    const next = this.peek();
    if (next) this.#pop();
    return next;
  }

  /** Timers not cancelled. */
  get pending(): number {
    return this.#heap.filter((t) => !t.cancelled).length;
  }

  clear(): void {
    this.#heap = [];
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
