/** Callback run by a clock at its scheduled simulated time; a returned promise is awaited by virtual clocks. */
export type TimerCallback = (nowMs: number) => void | Promise<void>;

/** Cancels a scheduled callback; calling it after the callback ran is harmless. */
export type Cancel = () => void;

/**
 * The one source of time for pipeline logic. Everything that needs "now" gets a Clock injected, so a run can
 * be virtual (as fast as possible), real time, or real time scaled ×N, without the code knowing which.
 */
export interface Clock {
  /** Simulated time in ms since the Unix epoch. */
  now(): number;
  /** Runs `fn` at simulated time `atMs`, or as soon as possible if that is already past. */
  schedule(atMs: number, fn: TimerCallback): Cancel;
}
