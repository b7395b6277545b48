import type { RateLimit } from './action-schema';

/** A bucket's state as JSON: tokens left at event time atMs. */
export interface TokenBucketState {
  tokens: number;
  atMs: number;
}

/** Floating-point refill (n × max/perMs) lands a hair under a whole token at exactly the refill time. */
const EPSILON = 1e-9;

/** Token bucket on event time: holds up to `max` tokens, refilled at max per perS, starting full. */
export class TokenBucket {
  readonly #max: number;
  readonly #perMs: number;
  #tokens: number;
  #atMs: number;

  constructor(limit: RateLimit, startMs: number, state?: TokenBucketState) {
    this.#max = limit.max;
    this.#perMs = limit.perS * 1000;
    this.#tokens = Math.min(state?.tokens ?? limit.max, limit.max);
    this.#atMs = state?.atMs ?? startMs;
  }

  /** Takes a token at tsMs if one is there. Event time running backwards refills nothing. */
  take(tsMs: number): boolean {
    if (tsMs > this.#atMs) {
      this.#tokens = Math.min(this.#max, this.#tokens + ((tsMs - this.#atMs) * this.#max) / this.#perMs);
      this.#atMs = tsMs;
    }
    if (this.#tokens < 1 - EPSILON) return false;
    this.#tokens = Math.max(0, this.#tokens - 1);
    return true;
  }

  state(): TokenBucketState {
    return { tokens: this.#tokens, atMs: this.#atMs };
  }
}
