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

/** Real time scaled ×factor: processes joined by real sockets can all run at ×N against the same timeline. */
export class ScaledRealClock implements Clock {
  readonly factor: number;
  readonly #startMs: number;
  readonly #wallStartMs: number;
  readonly #wallMs: () => number;
  readonly #onError: (error: unknown) => void;

  constructor(options: ScaledRealClockOptions = {}) {
    this.factor = options.factor ?? 1;
    if (!(this.factor > 0) || !Number.isFinite(this.factor)) throw new RangeError(`time factor must be a positive number, got ${this.factor}`);
    this.#wallMs = options.wallMs ?? monotonicWallMs;
    this.#wallStartMs = this.#wallMs();
    this.#startMs = options.startMs ?? this.#wallStartMs;
    this.#onError =
      options.onError ??
      ((error) => {
        queueMicrotask(() => {
          throw error;
        });
      });
  }

  now(): number {
    return this.#startMs + (this.#wallMs() - this.#wallStartMs) * this.factor;
  }

  schedule(atMs: number, fn: TimerCallback): Cancel {
    if (Number.isNaN(atMs)) throw new RangeError('cannot schedule at NaN');
    let handle: ReturnType<typeof setTimeout> | undefined;
    const arm = () => {
      const remainingMs = atMs - this.now();
      if (remainingMs > 0) {
        // Timers truncate fractional delays and overflow past 2³¹ ms, so wait in steps and re-check: never early.
        handle = setTimeout(arm, Math.min(Math.ceil(remainingMs / this.factor), MAX_TIMER_MS));
        return;
      }
      try {
        const result = fn(this.now());
        if (result) result.catch(this.#onError);
      } catch (error) {
        this.#onError(error);
      }
    };
    handle = setTimeout(arm, 0);
    return () => clearTimeout(handle);
  }
}
