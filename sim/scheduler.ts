import type { Cancel, Clock, TimerCallback } from './clock';

/** Periodic and one-shot jobs on any Clock. Periods are anchored to the start, so they never drift. */
export class Scheduler {
  readonly clock: Clock;

  constructor(clock: Clock) {
    this.clock = clock;
  }

  /** Runs `fn` once at simulated time `atMs`. */
  at(atMs: number, fn: TimerCallback): Cancel {
    return this.clock.schedule(atMs, fn);
  }

  /** Runs `fn` once, `delayMs` of simulated time from now. */
  after(delayMs: number, fn: TimerCallback): Cancel {
    return this.clock.schedule(this.clock.now() + delayMs, fn);
  }

  /**
   * Runs `fn` at startMs, startMs + periodMs, … (tick k at startMs + k·periodMs) until cancelled or past `endMs`.
   * The next tick is scheduled only after `fn` settles, so a slow async job delays, but never overlaps, itself.
   * A tick that throws ends the job: the error goes to the clock (a virtual run fails), nothing retries silently.
   */
  every(periodMs: number, fn: (tickMs: number, tick: number) => void | Promise<void>, options: { startMs?: number; endMs?: number } = {}): Cancel {
    if (!(periodMs > 0)) throw new RangeError(`period must be positive, got ${periodMs} ms`);
    const startMs = options.startMs ?? this.clock.now();
    const endMs = options.endMs ?? Infinity;
    let tick = 0;
    let cancelled = false;
    let cancelTimer: Cancel = () => {};
    const arm = () => {
      const atMs = startMs + tick * periodMs;
      if (cancelled || atMs > endMs) return;
      cancelTimer = this.clock.schedule(atMs, async () => {
        if (cancelled) return;
        const current = tick++;
        await fn(atMs, current);
        arm();
      });
    };
    arm();
    return () => {
      cancelled = true;
      cancelTimer();
    };
  }
}
