import type { Cancel, Clock, TimerCallback } from './clock';
import { monotonicWallMs } from './scaled-real-clock';
import { TimerHeap } from './timer-heap';

/** Longest delay a JavaScript timer takes without overflowing (2³¹ − 1 ms). */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** Wall ms of due jobs run in one go before sockets and other timers get a turn. */
const SLICE_MS = 5;

/**
 * Real time scaled ×factor for a large fleet, which starts when released: until then simulated time stands at
 * `startMs` and jobs wait, so the first block is not late by the time ten thousand devices take to connect.
 *
 * Jobs wait in one heap behind one timer, instead of a timer each (ScaledRealClock): a fleet schedules a job per
 * block per device, and ten thousand Node timers a second cost more than the blocks they start. Jobs due together
 * run in time order in one turn of the event loop, a few ms at most before I/O gets its turn.
 */
export class HeldClock implements Clock {
  readonly #factor: number;
  readonly #startMs: number;
  readonly #onError: (error: unknown) => void;
  readonly #wallMs: () => number;
  readonly #jobs = new TimerHeap();
  #wallStartMs: number | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** Simulated time the armed timer fires at; a job due earlier rearms it. */
  #armedForMs = Infinity;

  /**
   * @param factor simulated ms per wall ms (1 = real time)
   * @param startMs simulated time at release, ms since the epoch
   * @param options.onError receives what a job throws or rejects with. Default: rethrown asynchronously.
   * @param options.wallMs wall-time source, ms; injected by tests. Default monotonicWallMs.
   */
  constructor(factor: number, startMs: number, options: { onError?: (error: unknown) => void; wallMs?: () => number } = {}) {
    if (!(factor > 0) || !Number.isFinite(factor)) throw new RangeError(`time factor must be a positive number, got ${factor}`);
    this.#factor = factor;
    this.#startMs = startMs;
    this.#wallMs = options.wallMs ?? monotonicWallMs;
    this.#onError =
      options.onError ??
      ((error) =>
        queueMicrotask(() => {
          throw error;
        }));
  }

  get released(): boolean {
    return this.#wallStartMs !== undefined;
  }

  now(): number {
    return this.#wallStartMs === undefined ? this.#startMs : this.#startMs + (this.#wallMs() - this.#wallStartMs) * this.#factor;
  }

  schedule(atMs: number, fn: TimerCallback): Cancel {
    if (Number.isNaN(atMs)) throw new RangeError('cannot schedule at NaN');
    const job = this.#jobs.push(atMs, fn);
    if (this.released && atMs < this.#armedForMs) this.#arm();
    return () => {
      job.cancelled = true;
    };
  }

  /** Starts time now; jobs scheduled meanwhile run at their times from here. */
  release(): void {
    if (this.released) return;
    this.#wallStartMs = this.#wallMs();
    this.#arm();
  }

  /** Cancels the timer; jobs still waiting never run. */
  close(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#jobs.clear();
  }

  #arm(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#armedForMs = Infinity;
    const next = this.#jobs.peek();
    if (!next) return;
    this.#armedForMs = next.atMs;
    // Timers truncate fractional delays: round up and re-check on firing, so a job never runs early.
    const delayMs = Math.max(0, Math.min(Math.ceil((next.atMs - this.now()) / this.#factor), MAX_TIMER_MS));
    this.#timer = setTimeout(() => this.#run(), delayMs);
  }

  #run(): void {
    this.#timer = undefined;
    this.#armedForMs = Infinity;
    const sliceEnd = this.#wallMs() + SLICE_MS;
    for (;;) {
      const job = this.#jobs.peek();
      if (!job) break;
      const now = this.now();
      if (job.atMs > now) break;
      if (this.#wallMs() > sliceEnd) {
        // More is due: let I/O in first, then carry on.
        this.#armedForMs = job.atMs;
        this.#timer = setTimeout(() => this.#run(), 0);
        return;
      }
      this.#jobs.take();
      try {
        const result = job.fn(now);
        if (result) result.catch(this.#onError);
      } catch (error) {
        this.#onError(error);
      }
    }
    this.#arm();
  }
}
