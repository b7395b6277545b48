/**
 * Report by exception: a value is reported when it moved by at least `delta` since the last reported value, or
 * when `maxIntervalMs` of event time passed since the last report; the first value is always reported.
 */
export class Deadband {
  readonly delta: number;
  readonly maxIntervalMs: number;
  #lastValue = 0;
  #lastMs = 0;
  #reported = false;

  constructor(delta: number, maxIntervalMs: number) {
    this.delta = delta;
    this.maxIntervalMs = maxIntervalMs;
  }

  /** Whether `value` at event time `tsMs` is due; a due value becomes the new reference. */
  offer(value: number, tsMs: number): boolean {
    const due = !this.#reported || Math.abs(value - this.#lastValue) >= this.delta || tsMs - this.#lastMs >= this.maxIntervalMs;
    if (due) {
      this.#reported = true;
      this.#lastValue = value;
      this.#lastMs = tsMs;
    }
    return due;
  }

  /** The next value is reported whatever it is. */
  reset(): void {
    this.#reported = false;
  }
}
