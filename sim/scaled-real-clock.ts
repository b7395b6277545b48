import type { Cancel, Clock, TimerCallback } from './clock';

/** Longest delay a JavaScript timer takes without overflowing (2³¹ − 1 ms, about 24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Monotonic wall time in ms since the Unix epoch; unlike Date.now() it never steps back when NTP adjusts. */
export const monotonicWallMs = (): number => performance.timeOrigin + performance.now();

export interface ScaledRealClockOptions {
  /** Simulated ms per wall ms; 1 is real time, 20 runs twenty times faster. Default 1. */
  factor?: number;
  /** Simulated time at the moment of construction, ms since the Unix epoch. Default: the wall time. */
  startMs?: number;
  /** Wall-time source, ms; injected by tests. Default: monotonicWallMs. */
  wallMs?: () => number;
  /** Receives errors thrown by callbacks, which have no caller to return to. Default: rethrow asynchronously. */
  onError?: (error: unknown) => void;
}

interface Timer {
  readonly atMs: number;
  readonly fn: TimerCallback;
  handle: ReturnType<typeof setTimeout> | undefined;
}

/**
 * Real time scaled ×factor: processes joined by real sockets can all run at ×N against the same timeline. A live
 * demo can pause it and change its pace; simulated time stays continuous across either.
 */
export class ScaledRealClock implements Clock {
  #factor: number;
  #paused = false;
  /** Simulated and wall time at the last change of pace: now = sim + (wall now − wall)·factor, or sim while paused. */
  #anchorMs: number;
  #wallAnchorMs: number;
  readonly #wallMs: () => number;
  readonly #onError: (error: unknown) => void;
  /** Timers not yet run: a change of pace re-arms them, since each waits a wall delay computed at the old pace. */
  readonly #pending = new Set<Timer>();

  constructor(options: ScaledRealClockOptions = {}) {
    this.#factor = checkedFactor(options.factor ?? 1);
    this.#wallMs = options.wallMs ?? monotonicWallMs;
    this.#wallAnchorMs = this.#wallMs();
    this.#anchorMs = options.startMs ?? this.#wallAnchorMs;
    this.#onError =
      options.onError ??
      ((error) => {
        queueMicrotask(() => {
          throw error;
        });
      });
  }

  /** Simulated ms per wall ms. */
  get factor(): number {
    return this.#factor;
  }

  get paused(): boolean {
    return this.#paused;
  }

  now(): number {
    return this.#paused ? this.#anchorMs : this.#anchorMs + (this.#wallMs() - this.#wallAnchorMs) * this.#factor;
  }

  /** Holds simulated time: now() stands still and timers not yet due wait for resume(). Pausing a paused clock does nothing. */
  pause(): void {
    if (this.#paused) return;
    this.#anchorMs = this.now();
    this.#paused = true;
    this.#rearm();
  }

  /** Lets simulated time run on from where pause() held it, at the same factor. */
  resume(): void {
    if (!this.#paused) return;
    this.#wallAnchorMs = this.#wallMs();
    this.#paused = false;
    this.#rearm();
  }

  /** Runs simulated time at `factor` × wall time from now on; what has passed stays as it was. Also while paused. */
  setFactor(factor: number): void {
    const next = checkedFactor(factor);
    if (!this.#paused) {
      this.#anchorMs = this.now();
      this.#wallAnchorMs = this.#wallMs();
    }
    this.#factor = next;
    this.#rearm();
  }

  schedule(atMs: number, fn: TimerCallback): Cancel {
    if (Number.isNaN(atMs)) throw new RangeError('cannot schedule at NaN');
    const timer: Timer = { atMs, fn, handle: undefined };
    this.#pending.add(timer);
    timer.handle = setTimeout(() => this.#arm(timer), 0);
    return () => {
      this.#pending.delete(timer);
      clearTimeout(timer.handle);
    };
  }

  #arm(timer: Timer): void {
    timer.handle = undefined;
    const remainingMs = timer.atMs - this.now();
    if (remainingMs > 0) {
      // Paused, it waits for resume() to arm it again; simulated time will not reach it before then.
      if (this.#paused) return;
      // Timers truncate fractional delays and overflow past 2³¹ ms, so wait in steps and re-check: never early.
      timer.handle = setTimeout(() => this.#arm(timer), Math.min(Math.ceil(remainingMs / this.#factor), MAX_TIMER_MS));
      return;
    }
    this.#pending.delete(timer);
    try {
      const result = timer.fn(this.now());
      if (result) result.catch(this.#onError);
    } catch (error) {
      this.#onError(error);
    }
  }

  /** Re-checks every waiting timer on the next turn, in the order they were scheduled. */
  #rearm(): void {
    for (const timer of this.#pending) {
      clearTimeout(timer.handle);
      timer.handle = setTimeout(() => this.#arm(timer), 0);
    }
  }
}

function checkedFactor(factor: number): number {
  if (!(factor > 0) || !Number.isFinite(factor)) throw new RangeError(`time factor must be a positive number, got ${factor}`);
  return factor;
}
