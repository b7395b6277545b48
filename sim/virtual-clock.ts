import type { Cancel, Clock, TimerCallback } from './clock';
import { TimerHeap } from './timer-heap';

/**
 * Discrete-event clock: time jumps from one scheduled event to the next, as fast as the callbacks allow.
 * Callbacks may be async; `runUntil` awaits each one before advancing, which gives publishers backpressure.
 * So a callback must never wait for simulated time to pass (a clock-based sleep): time stands still until it returns.
 */
export class VirtualClock implements Clock {
  #nowMs: number;
  readonly #timers = new TimerHeap();

  /** @param startMs simulated start time, ms since the Unix epoch */
  constructor(startMs: number) {
    this.#nowMs = startMs;
  }

  now(): number {
    return this.#nowMs;
  }

  schedule(atMs: number, fn: TimerCallback): Cancel {
    if (!Number.isFinite(atMs)) throw new RangeError(`cannot schedule at ${atMs}: simulated times are finite ms since the epoch`);
    const timer = this.#timers.push(Math.max(atMs, this.#nowMs), fn);
    return () => {
      timer.cancelled = true;
    };
  }

  /** Number of pending (not cancelled) events. */
  get pending(): number {
    return this.#timers.pending;
  }

  /** Runs every event due at or before `endMs` in time order, then sets the time to `endMs`. */
  async runUntil(endMs: number): Promise<void> {
    if (Number.isNaN(endMs)) throw new RangeError('runUntil needs a time, got NaN');
    for (;;) {
      const next = this.#timers.peek();
      if (!next || next.atMs > endMs) break;
      this.#timers.take();
      this.#nowMs = next.atMs;
      const result = next.fn(this.#nowMs);
      if (result) await result;
    }
    this.#nowMs = Math.max(this.#nowMs, endMs);
  }
}
