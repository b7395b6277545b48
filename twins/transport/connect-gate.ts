import { monotonicWallMs } from '../../sim';

/**
 * A fleet-wide limit on new connections a second (emqtt-bench's -R), in wall time: it protects the broker, which
 * lives in wall time whatever pace the simulation runs at. Callers take a turn before each CONNECT.
 */
export class ConnectGate {
  readonly #intervalMs: number;
  #nextMs = 0;

  /** @param ratePerS connections a second; undefined or Infinity lets every connect through at once */
  constructor(ratePerS?: number) {
    this.#intervalMs = ratePerS && Number.isFinite(ratePerS) ? 1000 / ratePerS : 0;
  }

  /** Resolves when this caller may connect; turns are handed out evenly spaced, first come, first served. */
  async take(): Promise<void> {
    if (this.#intervalMs === 0) return;
    const now = monotonicWallMs();
    const at = Math.max(now, this.#nextMs);
    this.#nextMs = at + this.#intervalMs;
    if (at > now) await new Promise((resolve) => setTimeout(resolve, at - now));
  }
}
