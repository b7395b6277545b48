/** Why a window is news under report by exception: the first one, a move of the watched value, or the heartbeat. */
export type DeadbandReason = 'first' | 'moved' | 'heartbeat';

/**
 * Report by exception on one watched value, in event time only: a window is news when it is the first, when its value
 * moved by at least `delta` from the value last reported, or when the windows held since the last report span
 * `maxIntervalMs` (the heartbeat, so a silent sensor still shows as silent). Anything else is held.
 */
export class Deadband {
  readonly delta: number;
  readonly maxIntervalMs: number;
  #reference: number | undefined;

  constructor(delta: number, maxIntervalMs: number) {
    this.delta = delta;
    this.maxIntervalMs = maxIntervalMs;
  }

  /** The value last reported; undefined before the first report (or after a reset). */
  get reference(): number | undefined {
    return this.#reference;
  }

  /**
   * Whether a window with watched value `value` is news, the windows held before it spanning from `spanStartMs` to
   * the window's end `endMs` (event time); undefined: hold it.
   */
  due(value: number, spanStartMs: number, endMs: number): DeadbandReason | undefined {
    if (this.#reference === undefined) return 'first';
    if (Math.abs(value - this.#reference) >= this.delta) return 'moved';
    if (endMs - spanStartMs >= this.maxIntervalMs) return 'heartbeat';
    return undefined;
  }

  /** `value` went up: later windows are measured against it. */
  reported(value: number): void {
    this.#reference = value;
  }

  /** The next window is news whatever it is (after a device restart or a change of unit or rate). */
  reset(): void {
    this.#reference = undefined;
  }
}
