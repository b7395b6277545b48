import type { Cancel, Clock } from '../../sim';
import type { DurableStore, OutboxStats } from './durable-store';
import type { OutboxRow } from './rows';
import { UplinkRejectedError } from './errors';
import { perPriority, PRIORITIES, type PerPriority, type Priority } from './priority';

/** The part of an mqtt.js client the forwarder uses; an `MqttClient` fits, and so does an adapter over a simulated link. */
export interface UplinkClient {
  readonly connected: boolean;
  publish(topic: string, payload: Buffer, options: { qos: 0 | 1 }, callback: (error?: Error) => void): unknown;
  on(event: 'connect', listener: () => void): unknown;
  on(event: 'close', listener: () => void): unknown;
  removeListener(event: 'connect', listener: () => void): unknown;
  removeListener(event: 'close', listener: () => void): unknown;
}

export interface ForwarderOptions {
  store: DurableStore;
  client: UplinkClient;
  clock: Clock;
  /** Messages written upstream and not yet acknowledged, at most. Default 64. */
  maxInFlight?: number;
  /** Rows read from the outbox per query, at most. Default 256. */
  pageSize?: number;
  /** ms before retrying after the store failed to record acknowledgements. Default 1000. */
  retryMs?: number;
  /** Told about rows upstream refused (dropped) and store failures (retried); nothing is swallowed. Default: none. */
  onError?: (error: Error, row?: OutboxRow) => void;
  /** Told each time a row is handed to the client (resends included). Default: none. */
  onSent?: (row: OutboxRow) => void;
  /** Told once per row acknowledged (QoS 1) or written (QoS 0), e.g. to count bytes out by kind. Default: none. */
  onAcked?: (row: OutboxRow) => void;
}

/** Monotonic counters since `start`, plus the queue as it is now. */
export interface ForwarderStats extends OutboxStats {
  /** Publishes handed to the client, resends included. */
  sent: number;
  /** Rows acknowledged (QoS 1 PUBACK) or written (QoS 0), then deleted. */
  acked: number;
  /** Sends of rows already sent once (before a restart or a lost connection), by this forwarder or the client library. */
  resent: number;
  /** Rows upstream refused while connected, by priority; dropped and reported through `onError`. */
  refused: PerPriority<number>;
  /** Rows written and not yet acknowledged. */
  inFlight: number;
  /** Age of the oldest queued row of each priority, ms; null when none is queued. */
  oldestAgeMs: PerPriority<number | null>;
}

/**
 * Sends the outbox upstream: events, then features, then raw blocks, oldest first within each, at most
 * `maxInFlight` unacknowledged. A row is deleted only once it is safe: on PUBACK for QoS 1
 * ([MQTT-4.3.2-1] the sender treats the message as unacknowledged until the PUBACK), on write for QoS 0
 * ([MQTT-4.3.1] at most once, no acknowledgement to wait for). While the client is disconnected nothing new is
 * written; mqtt.js resends what was in flight when the connection comes back, before anything
 * newer (what [MQTT-4.4.0-1] requires of a resumed session; mqtt.js does it for a clean one too). Rows that were
 * in flight when the process died are still in the outbox and are sent again after a restart.
 * A resend carries the same payload bytes, so the cloud's (device, sensor, seq) dedupe drops the copy.
 */
export class Forwarder {
  readonly #store: DurableStore;
  readonly #client: UplinkClient;
  readonly #clock: Clock;
  readonly #maxInFlight: number;
  readonly #pageSize: number;
  readonly #retryMs: number;
  readonly #onError: (error: Error, row?: OutboxRow) => void;
  readonly #onSent: (row: OutboxRow) => void;
  readonly #onAcked: (row: OutboxRow) => void;
  /** Highest id read, per priority. Ids only grow, so rows queued later are always past it. */
  readonly #cursor: PerPriority<number> = [0, 0, 0];
  /** Rows read ahead, all of one priority, oldest first; at most `pageSize`, so a backlog never sits in memory. */
  #readAhead: OutboxRow[] = [];
  readonly #inFlight = new Map<number, OutboxRow>();
  /** Progress not yet on disk, recorded in one transaction per tick rather than one per PUBACK. */
  #sent: number[] = [];
  #done: number[] = [];
  readonly #counters = { sent: 0, acked: 0, resent: 0 };
  readonly #refused: PerPriority<number> = [0, 0, 0];
  #running = false;
  #tickQueued = false;
  #cancelRetry: Cancel | undefined;
  #unsubscribe: () => void = () => {};
  /** QoS 1 rows in flight when the connection dropped: mqtt.js writes them again once it reconnects. */
  readonly #interrupted = new Set<number>();
  readonly #onConnect = () => {
    this.#counters.resent += this.#interrupted.size;
    this.#interrupted.clear();
    this.#wake();
  };
  // mqtt.js emits `close` again after each failed reconnect; a Set counts each interrupted row once.
  readonly #onClose = () => {
    for (const row of this.#inFlight.values()) if (row.qos === 1) this.#interrupted.add(row.id);
  };

  constructor(options: ForwarderOptions) {
    this.#store = options.store;
    this.#client = options.client;
    this.#clock = options.clock;
    this.#maxInFlight = options.maxInFlight ?? 64;
    this.#pageSize = options.pageSize ?? 256;
    this.#retryMs = options.retryMs ?? 1000;
    this.#onError = options.onError ?? (() => {});
    this.#onSent = options.onSent ?? (() => {});
    this.#onAcked = options.onAcked ?? (() => {});
    if (!(Number.isInteger(this.#maxInFlight) && this.#maxInFlight >= 1)) throw new RangeError(`maxInFlight must be an integer ≥ 1, got ${this.#maxInFlight}`);
    if (!(Number.isInteger(this.#pageSize) && this.#pageSize >= 1)) throw new RangeError(`pageSize must be an integer ≥ 1, got ${this.#pageSize}`);
  }

  /** Starts sending: now if connected, else on the next connect; and again whenever rows are queued. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#client.on('connect', this.#onConnect);
    this.#client.on('close', this.#onClose);
    this.#unsubscribe = this.#store.onEnqueued((change) => {
      // Read-ahead rows must not hold back a more urgent newcomer, nor go out after being evicted.
      const ahead = this.#readAhead[0];
      if (ahead && (change.top < ahead.priority || change.evicted > 0)) this.#dropReadAhead();
      this.#wake();
    });
    this.#wake();
  }

  /**
   * Stops sending and records what was sent and acknowledged so far. Rows still in flight stay in the outbox; a
   * later forwarder (or process) sends them again.
   */
  stop(): void {
    if (!this.#running) return;
    this.#running = false;
    this.#unsubscribe();
    this.#client.removeListener('connect', this.#onConnect);
    this.#client.removeListener('close', this.#onClose);
    this.#cancelRetry?.();
    this.#dropReadAhead();
    if (this.#store.isOpen) this.#persist();
  }

  stats(): ForwarderStats {
    const queue = this.#store.outboxStats();
    const nowMs = this.#clock.now();
    return {
      ...queue,
      ...this.#counters,
      refused: [...this.#refused],
      inFlight: this.#inFlight.size,
      oldestAgeMs: perPriority((p) => {
        const oldest = queue.oldestEnqueuedMs[p];
        return oldest === null ? null : Math.max(0, nowMs - oldest);
      }),
    };
  }

  /** Runs one tick after the current I/O callbacks, so a burst of PUBACKs or commits costs one tick. */
  #wake(): void {
    if (this.#tickQueued || !this.#running) return;
    this.#tickQueued = true;
    setImmediate(() => {
      this.#tickQueued = false;
      this.#tick();
    });
  }

  #tick(): void {
    if (!this.#running) return;
    try {
      this.#persist();
      this.#fill();
    } catch (error) {
      // The store could not record progress (disk full, I/O): report it and try again later; rows stay queued.
      this.#onError(error as Error);
      this.#cancelRetry ??= this.#clock.schedule(this.#clock.now() + this.#retryMs, () => {
        this.#cancelRetry = undefined;
        this.#wake();
      });
    }
  }

  /**
   * Deletes settled rows and counts the attempts on sent ones, in one transaction. A crash before it runs leaves
   * acknowledged rows queued (sent once more after a restart, and deduplicated by the cloud) and sent rows counted
   * as first sends: never a lost row, at worst a resend counted as a send.
   */
  #persist(): void {
    if (this.#sent.length === 0 && this.#done.length === 0) return;
    const remove = this.#done;
    const removing = new Set(remove);
    const attempted = this.#sent.filter((id) => !removing.has(id));
    this.#sent = [];
    this.#done = [];
    try {
      this.#store.settleOutbox({ attempted, remove });
    } catch (error) {
      this.#sent = attempted.concat(this.#sent);
      this.#done = remove.concat(this.#done);
      throw error;
    }
  }

  /** Writes rows until the window is full, the outbox is empty or the connection drops. */
  #fill(): void {
    while (this.#client.connected && this.#inFlight.size < this.#maxInFlight) {
      if (this.#readAhead.length === 0) this.#readAhead = this.#nextPage();
      const row = this.#readAhead.shift();
      if (!row) return;
      this.#send(row);
    }
  }

  /** The next page of the most urgent priority that has unsent rows; a page never mixes priorities. */
  #nextPage(): OutboxRow[] {
    for (const p of PRIORITIES) {
      if (this.#store.queuedCount(p) === 0) continue;
      // After a rewind, rows behind the cursor that are still in flight come back from the query; skip them.
      const page = this.#store.outboxPage(p, this.#cursor[p], this.#pageSize).filter((r) => !this.#inFlight.has(r.id));
      if (page.length === 0) continue;
      this.#cursor[p] = page[page.length - 1]!.id;
      return page;
    }
    return [];
  }

  /** Forgets the rows read ahead; they are read again, in order, from the table. */
  #dropReadAhead(): void {
    const first = this.#readAhead[0];
    if (first) this.#rewind(first.priority, first.id);
    this.#readAhead = [];
  }

  #send(row: OutboxRow): void {
    this.#inFlight.set(row.id, row);
    this.#sent.push(row.id);
    this.#counters.sent++;
    if (row.attempts > 0) this.#counters.resent++;
    this.#onSent(row);
    this.#client.publish(row.topic, row.payload, { qos: row.qos }, (error) => this.#settled(row, error));
  }

  #settled(row: OutboxRow, error: Error | undefined): void {
    // A second callback for the same row (a simulated link that delivered a copy) finds it settled already.
    if (this.#inFlight.get(row.id) !== row) return;
    this.#inFlight.delete(row.id);
    // Settled before the reconnect: it is not among what mqtt.js writes again (a rewound row is counted when re-read).
    if (error) this.#interrupted.delete(row.id);
    if (!error) {
      this.#counters.acked++;
      this.#done.push(row.id);
      this.#onAcked(row);
    } else if (!this.#client.connected || !this.#running) {
      // The connection went away under it (mqtt.js flushes with "Connection closed"): send it again, in order.
      this.#dropReadAhead();
      this.#rewind(row.priority, row.id);
    } else {
      this.#refused[row.priority]++;
      this.#done.push(row.id);
      this.#onError(new UplinkRejectedError(row.topic, error.message, { cause: error }), row);
    }
    this.#wake();
  }

  #rewind(priority: Priority, id: number): void {
    this.#cursor[priority] = Math.min(this.#cursor[priority], id - 1);
  }
}
