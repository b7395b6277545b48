import type { Logger } from 'pino';
import type { CommandV1 } from '../../protocol';
import type { Clock } from '../../sim';
import type { AlertEntry, AuditEntry, RegistryEntry, Shadow } from '../records';
import type { AlertRecord, IngestBatch, Storage } from '../storage';
import type { AckTicket, DeferredAcks } from './deferred-acks';
import { routeMessage, type Routed } from './route-message';

/** What the cloud's rules made of a batch: written in the batch's own transaction, so a crash keeps both or neither. */
export interface DerivedWrites {
  alerts: AlertEntry[];
  events: AlertRecord[];
  audit: AuditEntry[];
  /** Registry entries and shadows the batch's readings updated. */
  registry: RegistryEntry[];
  shadows: Shadow[];
  /** Published after the commit, never before: alert events and commands, with their site. */
  publish: { site: string; event?: AlertRecord; command?: CommandV1 }[];
}

export interface IngestCounters {
  /** Data taken from the broker (windows, raw blocks, edge events, dead letters), valid or not; the cloud's own alerts and dead letters coming back excluded. */
  received: number;
  /** Status and reply messages taken from the broker: control, not data, so not in `received`. */
  controlReceived: number;
  /**
   * Messages taken and set aside as not news, each logged with its reason: the cloud's own alerts and dead letters
   * coming back, and dead letters too malformed to store. received + controlReceived + ignored = messages taken.
   */
  ignored: number;
  /** Feature windows stored (first copy of each key). */
  stored: number;
  /** Windows and raw blocks whose key was already stored. */
  duplicatesDropped: number;
  /** Dead letters stored, from any stage. */
  deadLettered: number;
  rawStored: number;
  /** Events edge gateways reported. */
  edgeEvents: number;
  /** Transactions committed, and commits that failed and were retried. */
  commits: number;
  commitRetries: number;
}

export interface IngestPipelineOptions {
  storage: Storage;
  clock: Clock;
  /** Where PUBACKs wait for their commit; known once the client exists, so asked for at each release. */
  acks?: () => DeferredAcks | undefined;
  logger: Logger;
  /** Before the commit, in arrival order: `fresh[i]` is false for a window or raw block already stored. */
  evaluate(items: readonly Routed[], fresh: readonly boolean[]): Promise<DerivedWrites>;
  /** After the commit and its PUBACKs, in arrival order (registry, rollouts, drift, live views). */
  committed(items: readonly Routed[], fresh: readonly boolean[], derived: DerivedWrites): Promise<void>;
  /** Publishes a dead letter the cloud itself rejected, after it is stored. */
  publishRejected(item: Extract<Routed, { kind: 'rejected' }>): void;
  /** ms between attempts when a commit fails (a database restarting). Default 500. */
  retryMs?: number;
}

interface Pending {
  items: Routed[];
  tickets: AckTicket[];
}

/**
 * The cloud's durable ingest: messages collect into a batch while the previous one commits; each batch is checked for
 * keys already stored, evaluated by the rules, and committed with what the rules wrote in one transaction; only then
 * are its PUBACKs released. A batch whose commit fails is retried as it is, never re-evaluated.
 */
export class IngestPipeline {
  readonly #o: IngestPipelineOptions;
  readonly counters: IngestCounters = { received: 0, controlReceived: 0, ignored: 0, stored: 0, duplicatesDropped: 0, deadLettered: 0, rawStored: 0, edgeEvents: 0, commits: 0, commitRetries: 0 };
  #pending: Pending = { items: [], tickets: [] };
  #running: Promise<void> | undefined;
  #stopped = false;
  /**
   * Per stream, the highest seq committed by this process: gateways send a stream's windows in seq order, so a higher
   * one is new and needs no lookup. A stream first seen (after a restart) is looked up until its first commit.
   */
  readonly #watermarks = new Map<string, number>();

  constructor(options: IngestPipelineOptions) {
    this.#o = options;
  }

  /** Takes one message from the broker; for QoS 1 pass its ticket, released once the message is committed. */
  accept(topic: string, payload: Uint8Array, ticket?: AckTicket): void {
    const routed = routeMessage(topic, payload, this.#o.clock.now());
    if (routed.kind === 'status' || routed.kind === 'reply') this.counters.controlReceived++;
    else if (routed.kind !== 'ignored') this.counters.received++;
    else {
      this.counters.ignored++;
      this.#o.logger.debug({ topic, reason: routed.reason }, 'ignored a message');
    }
    this.#pending.items.push(routed);
    if (ticket) this.#pending.tickets.push(ticket);
    this.#running ??= this.#drain();
  }

  /** Resolves once everything accepted so far is committed and handed on. */
  async idle(): Promise<void> {
    while (this.#running) await this.#running;
  }

  /** Stops retrying a failing commit; what was not committed stays unacknowledged, for the broker to redeliver. */
  stop(): void {
    this.#stopped = true;
  }

  async #drain(): Promise<void> {
    // One turn's messages go in one batch: mqtt.js hands over a TCP read's packets before yielding.
    await new Promise((resolve) => setImmediate(resolve));
    try {
      while (this.#pending.items.length > 0 && !this.#stopped) {
        const batch = this.#pending;
        this.#pending = { items: [], tickets: [] };
        await this.#commit(batch);
      }
    } finally {
      this.#running = undefined;
    }
  }

  async #commit({ items, tickets }: Pending): Promise<void> {
    const { storage } = this.#o;
    // Only a key at or below its stream's watermark can be stored already; the store is asked about those alone.
    const askFeatures: number[] = [];
    const askRaw: number[] = [];
    items.forEach((item, i) => {
      if (item.kind === 'features' && !this.#aboveWatermark(item.stream, item.record.seq)) askFeatures.push(i);
      else if (item.kind === 'raw' && !this.#aboveWatermark(item.stream, item.record.seq)) askRaw.push(i);
    });
    const recordAt = (i: number) => (items[i] as Extract<Routed, { kind: 'features' | 'raw' }>).record;
    const existing = await this.#retrying(() =>
      Promise.all([
        askFeatures.length === 0 ? [] : storage.featuresExist(askFeatures.map(recordAt)),
        askRaw.length === 0 ? [] : storage.rawExist(askRaw.map(recordAt)),
      ]),
    );
    if (existing === undefined) return;
    const fresh = items.map(() => true);
    askFeatures.forEach((at, j) => (fresh[at] = !existing[0][j]));
    askRaw.forEach((at, j) => (fresh[at] = !existing[1][j]));
    // A second copy inside one batch is a duplicate too. Streams arrive in seq order, so only a seq at or below its
    // stream's highest so far in the batch needs the set of keys.
    const highest = new Map<string, number>();
    items.forEach((item, i) => {
      if (item.kind !== 'features' && item.kind !== 'raw') return;
      const { seq } = item.record;
      const top = highest.get(item.stream);
      if (top === undefined || seq > top) return void highest.set(item.stream, seq);
      for (let j = 0; j < i; j++) {
        const earlier = items[j]!;
        if ((earlier.kind === 'features' || earlier.kind === 'raw') && earlier.stream === item.stream && earlier.record.seq === seq) fresh[i] = false;
      }
    });

    const derived = await this.#o.evaluate(items, fresh);
    const batch: IngestBatch = {
      features: [],
      raw: [],
      deadLetters: [],
      events: [],
      alerts: derived.alerts,
      audit: derived.audit,
      registry: derived.registry,
      shadows: derived.shadows,
    };
    const featureAt: number[] = [];
    const rawAt: number[] = [];
    items.forEach((item, i) => {
      if (item.kind === 'features') {
        if (!fresh[i]) return;
        featureAt.push(i);
        batch.features.push(item.record);
      } else if (item.kind === 'raw') {
        if (!fresh[i]) return;
        rawAt.push(i);
        batch.raw.push(item.record);
      } else if (item.kind === 'deadletter') batch.deadLetters.push(item.letter);
      else if (item.kind === 'rejected') {
        const { type: _type, v: _v, ...letter } = item.letter;
        batch.deadLetters.push(letter);
      } else if (item.kind === 'event') batch.events.push(item.event);
    });
    batch.events.push(...derived.events);
    const outcome = await this.#retrying(() => storage.ingest(batch));
    if (outcome === undefined) return;
    this.counters.commits++;
    // Another cloud sharing the store may have won a key between the check and the commit.
    featureAt.forEach((at, j) => {
      if (!outcome.featuresNew[j]) fresh[at] = false;
    });
    rawAt.forEach((at, j) => {
      if (!outcome.rawNew[j]) fresh[at] = false;
    });
    for (const item of items) if (item.kind === 'features' || item.kind === 'raw') this.#raiseWatermark(item.stream, item.record.seq);
    this.#count(items, fresh);
    this.#o.acks?.()?.release(tickets);
    for (const item of items) if (item.kind === 'rejected') this.#o.publishRejected(item);
    await this.#o.committed(items, fresh, derived);
  }

  /** True when `seq` is past every committed seq of its stream: it cannot be a duplicate. */
  #aboveWatermark(stream: string, seq: number): boolean {
    const mark = this.#watermarks.get(stream);
    return mark !== undefined && seq > mark;
  }

  #raiseWatermark(stream: string, seq: number): void {
    const mark = this.#watermarks.get(stream);
    if (mark === undefined || seq > mark) this.#watermarks.set(stream, seq);
  }

  #count(items: readonly Routed[], fresh: readonly boolean[]): void {
    const c = this.counters;
    items.forEach((item, i) => {
      if (item.kind === 'features') {
        if (fresh[i]) c.stored++;
        else c.duplicatesDropped++;
      } else if (item.kind === 'raw') {
        if (fresh[i]) c.rawStored++;
        else c.duplicatesDropped++;
      }
      else if (item.kind === 'deadletter' || item.kind === 'rejected') c.deadLettered++;
      else if (item.kind === 'event') c.edgeEvents++;
    });
  }

  /** Retries a failing store call until it succeeds or the pipeline stops; undefined when stopped. */
  async #retrying<T>(call: () => Promise<T>): Promise<T | undefined> {
    for (;;) {
      try {
        return await call();
      } catch (error) {
        if (this.#stopped) return undefined;
        this.counters.commitRetries++;
        this.#o.logger.error({ err: error }, 'store call failed; retrying the batch, its PUBACKs held');
        await new Promise((resolve) => setTimeout(resolve, this.#o.retryMs ?? 500));
        if (this.#stopped) return undefined;
      }
    }
  }
}
