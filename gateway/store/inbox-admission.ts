/** Bounds on the inbox backlog: device payloads accepted and not yet processed. */
export interface BacklogBounds {
  maxRows: number;
  maxBytes: number;
}

export interface Backlog {
  rows: number;
  bytes: number;
}

/** A payload waiting for room: `run` takes it in (and acknowledges it), `fail` gives up on it (the device resends). */
interface Waiter {
  run: () => void;
  fail: (error: Error) => void;
}

/** Fraction of a bound the backlog must drain to before waiting payloads are taken in again. */
const RESUME_AT = 0.75;

/**
 * Backpressure on the gateway's inbox. A payload is taken in (written to the inbox, then acknowledged) while the
 * backlog of unprocessed rows is under its bounds; when it is not, the payload waits, unacknowledged, until the pump
 * has drained the backlog to 3/4 of its bounds, and payloads arriving meanwhile wait behind it, in arrival order.
 * Holding the acknowledgement is the only signal MQTT has: a QoS 1 device's window of unacknowledged messages fills,
 * and it queues or drops by its own policy; the broker stops reading its socket.
 *
 * Rows that only wait for their window to close are not backlog: they are processed, and bounded by the window.
 */
export class InboxAdmission {
  readonly bounds: BacklogBounds;
  readonly #resume: BacklogBounds;
  #rows: number;
  #bytes: number;
  #highRows: number;
  readonly #waiting: Waiter[] = [];
  #deferred = 0;

  /** `initial`: the backlog a restart finds (every row in the inbox, which the pump processes again). */
  constructor(bounds: BacklogBounds, initial: Backlog = { rows: 0, bytes: 0 }) {
    this.bounds = bounds;
    this.#resume = { maxRows: Math.floor(bounds.maxRows * RESUME_AT), maxBytes: Math.floor(bounds.maxBytes * RESUME_AT) };
    this.#rows = initial.rows;
    this.#bytes = initial.bytes;
    this.#highRows = initial.rows;
  }

  /** Runs `run` now when there is room and nobody is waiting; otherwise queues it until there is. */
  offer(run: () => void, fail: (error: Error) => void): void {
    if (this.#waiting.length === 0 && this.#hasRoom()) return run();
    this.#deferred++;
    this.#waiting.push({ run, fail });
  }

  /** A payload of `bytes` went into the inbox. */
  entered(bytes: number): void {
    this.#rows++;
    this.#bytes += bytes;
    if (this.#rows > this.#highRows) this.#highRows = this.#rows;
  }

  /** The pump processed a row of `bytes`: the backlog shrinks, and waiting payloads go in once it is low enough. */
  left(bytes: number): void {
    this.#rows = Math.max(0, this.#rows - 1);
    this.#bytes = Math.max(0, this.#bytes - bytes);
    if (this.#waiting.length === 0 || this.#rows > this.#resume.maxRows || this.#bytes > this.#resume.maxBytes) return;
    while (this.#waiting.length > 0 && this.#hasRoom()) this.#waiting.shift()!.run();
  }

  /** Gives up on every waiting payload (the gateway is stopping): none was acknowledged, so their devices resend. */
  cancel(error: Error): void {
    for (const waiter of this.#waiting.splice(0)) waiter.fail(error);
  }

  backlog(): Backlog {
    return { rows: this.#rows, bytes: this.#bytes };
  }

  /** The most rows the backlog held at once. */
  get highWaterRows(): number {
    return this.#highRows;
  }

  /** Payloads waiting for room now. */
  get waiting(): number {
    return this.#waiting.length;
  }

  /** Monotonic: payloads whose acknowledgement had to wait for room. */
  get deferred(): number {
    return this.#deferred;
  }

  #hasRoom(): boolean {
    return this.#rows < this.bounds.maxRows && this.#bytes < this.bounds.maxBytes;
  }
}
