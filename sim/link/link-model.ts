import type { Rng } from '../rng';
import { jitterMs } from './jitter';
import { LatencyHistogram } from './latency-histogram';
import { LinkError, parseLinkConfig } from './link-error';
import { freezeImpairment, LinkImpairmentSchema, type LinkImpairment, type LinkImpairmentInput } from './link-impairment';

/** One packet offered to a link. */
export interface LinkPacket {
  /** Size on the wire, bytes; only the bandwidth cap and the byte counters look at it. */
  bytes: number;
  /** MQTT QoS, carried for the holder's bookkeeping; the model treats every packet alike. */
  qos?: 0 | 1 | 2;
}

export type DropReason = 'loss' | 'queue-full';
export type DownReason = 'partition' | 'stall';

/** What happens to one packet: delivered at these times (one per copy, sorted, each ≥ now), dropped, or refused by a down link. */
export type LinkVerdict =
  | { kind: 'deliver'; atMs: number[] }
  | { kind: 'drop'; reason: DropReason }
  | { kind: 'down'; reason: DownReason };

/** Why listeners are called: every set() is a 'set', except one whose impairment has `reset: true`. */
export type LinkChangeReason = 'set' | 'reset';

export interface LinkChange {
  reason: LinkChangeReason;
  /** The impairment in force before this change. */
  previous: LinkImpairment;
}

export type LinkChangeListener = (impairment: LinkImpairment, nowMs: number, change: LinkChange) => void;

/** Totals since the model was built. */
export interface LinkCounters {
  /** transmit() calls. */
  seen: number;
  /** Packets with a 'deliver' verdict (a duplicated packet counts once). */
  delivered: number;
  /** Extra copies delivered by `duplicate`. */
  duplicated: number;
  /** Packets held back by `reorder`. */
  reordered: number;
  dropped: Record<DropReason, number>;
  down: Record<DownReason, number>;
  /** set() calls with `reset: true`. */
  resets: number;
  /** Bytes offered to transmit(), and bytes of every delivered copy. */
  bytes: { seen: number; delivered: number };
  /** Delay each delivered copy got (queueing + serialization + latency + jitter + reorder hold), ms. */
  latencyMs: LatencyHistogram;
}

/**
 * Uniform draws per transmit() call. Every call takes exactly these five, in this order, whether it uses them or
 * not: [0] Gilbert–Elliott transition, [1] loss, [2] jitter, [3] reorder, [4] duplicate. So the k-th packet always
 * sees draws 5k … 5k+4 of the stream: a run is reproducible from its seed, and changing one impairment (say,
 * adding duplication) leaves every other decision for every packet as it was (common random numbers).
 */
export const DRAWS_PER_PACKET = 5;

/** Bytes of slack in the queue-limit test, so a backlog computed from times does not drop on float rounding. */
const QUEUE_EPSILON_BYTES = 1e-6;

const DOWN_PARTITION: LinkVerdict = Object.freeze({ kind: 'down', reason: 'partition' });
const DOWN_STALL: LinkVerdict = Object.freeze({ kind: 'down', reason: 'stall' });
const DROP_LOSS: LinkVerdict = Object.freeze({ kind: 'drop', reason: 'loss' });
const DROP_QUEUE_FULL: LinkVerdict = Object.freeze({ kind: 'drop', reason: 'queue-full' });

/**
 * One directed link, as a user-space netem: decides for each packet whether, when and how many times it arrives.
 * MQTT-agnostic and clock-free: the caller passes the time, so the same model serves a virtual run and a real TCP proxy.
 *
 * Per packet, in this order: partition, then stall (refused, no state change); loss (Bernoulli, or Gilbert–Elliott
 * whose chain moves first and then draws loss in its new state, as netem does); the bottleneck (tail drop if the
 * backlog would pass queueLimitBytes, else departure = max(now, queueFreeAt) + bits/rate, FIFO); then latency +
 * jitter after the bottleneck (truncated at 0, and independent per packet, so jitter larger than the packet gap
 * reorders, as in netem); then the reorder hold; then the duplicate copy, duplicateDelayMs after the original.
 */
export class LinkModel {
  readonly name: string;
  #impairment: LinkImpairment;
  readonly #rng: Rng;
  readonly #listeners = new Set<LinkChangeListener>();
  /** Gilbert–Elliott state: true while the chain is in the bad state. Starts good; carries over set(). */
  #bad = false;
  /** When the bottleneck finishes serializing the last accepted packet, ms. Carries over set(). */
  #queueFreeAtMs = -Infinity;
  #seen = 0;
  #delivered = 0;
  #duplicated = 0;
  #reordered = 0;
  #droppedLoss = 0;
  #droppedQueueFull = 0;
  #downPartition = 0;
  #downStall = 0;
  #resets = 0;
  #bytesSeen = 0;
  #bytesDelivered = 0;
  readonly #latency = new LatencyHistogram();

  /** `impairment` is validated here; `reset: true` at construction has nothing to reset and is only recorded. */
  constructor(name: string, impairment: LinkImpairmentInput, rng: Rng) {
    this.name = name;
    this.#impairment = this.#parse(impairment);
    this.#rng = rng;
  }

  get impairment(): LinkImpairment {
    return this.#impairment;
  }

  /**
   * Switches to a new impairment at `nowMs` (a timeline change) and tells the listeners. The Gilbert–Elliott state
   * and the bandwidth queue carry over, except that `reset: true` empties the queue: a reset aborts what it held.
   */
  set(impairment: LinkImpairmentInput, nowMs: number): void {
    if (!Number.isFinite(nowMs)) throw new LinkError('E_LINK_PACKET', `link ${this.name}: set() needs a finite time in ms, got ${nowMs}`);
    const next = this.#parse(impairment);
    const previous = this.#impairment;
    this.#impairment = next;
    if (next.reset) {
      this.#resets++;
      this.#queueFreeAtMs = Math.min(this.#queueFreeAtMs, nowMs);
    }
    const change: LinkChange = { reason: next.reset ? 'reset' : 'set', previous };
    // Every listener hears the change even if one throws; the first error then propagates (none is swallowed).
    const errors: unknown[] = [];
    for (const listener of [...this.#listeners]) {
      try {
        listener(next, nowMs, change);
      } catch (error) {
        errors.push(error);
      }
    }
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw new AggregateError(errors, `link ${this.name}: ${errors.length} change listeners threw`);
  }

  /** Calls `listener` after every set(); returns the unsubscribe. */
  onChange(listener: LinkChangeListener): () => void {
    this.#listeners.add(listener);
    return () => void this.#listeners.delete(listener);
  }

  /** The fate of one packet offered at `nowMs`. Takes exactly DRAWS_PER_PACKET draws from the stream. */
  transmit(packet: LinkPacket, nowMs: number): LinkVerdict {
    const bytes = packet.bytes;
    if (!(bytes >= 0 && bytes < Infinity) || !Number.isFinite(nowMs)) {
      throw new LinkError('E_LINK_PACKET', `link ${this.name}: transmit() needs bytes ≥ 0 and a finite time in ms, got ${bytes} B at ${nowMs} ms`);
    }
    const rng = this.#rng;
    const uState = rng.next();
    const uLoss = rng.next();
    const uJitter = rng.next();
    const uReorder = rng.next();
    const uDuplicate = rng.next();
    this.#seen++;
    this.#bytesSeen += bytes;

    const imp = this.#impairment;
    if (imp.partition) {
      this.#downPartition++;
      return DOWN_PARTITION;
    }
    if (imp.stall) {
      this.#downStall++;
      return DOWN_STALL;
    }

    let lossProbability = imp.loss;
    const ge = imp.gilbertElliott;
    if (ge) {
      // Gilbert–Elliott: P(G→B) = pGoodToBad, P(B→G) = pBadToGood; bad runs are geometric with mean 1/pBadToGood.
      this.#bad = this.#bad ? uState >= ge.pBadToGood : uState < ge.pGoodToBad;
      lossProbability = this.#bad ? ge.lossBad : ge.lossGood;
    }
    if (uLoss < lossProbability) {
      this.#droppedLoss++;
      return DROP_LOSS;
    }

    // Bottleneck: FIFO behind earlier packets even when no cap is set now, so a lifted cap drains the old queue first.
    let departMs = this.#queueFreeAtMs > nowMs ? this.#queueFreeAtMs : nowMs;
    const rateKbps = imp.bandwidthKbps;
    if (rateKbps !== undefined) {
      // kbit/s = bit/ms, so backlog bytes = (queueFreeAt − now)·rate/8 and serialization time = 8·bytes/rate ms.
      const limit = imp.queueLimitBytes;
      if (limit !== undefined && ((departMs - nowMs) * rateKbps) / 8 + bytes > limit + QUEUE_EPSILON_BYTES) {
        this.#droppedQueueFull++;
        return DROP_QUEUE_FULL;
      }
      departMs += (8 * bytes) / rateKbps;
      this.#queueFreeAtMs = departMs;
    }

    const delayMs = imp.latencyMs + (imp.jitter ? jitterMs(imp.jitter, uJitter) : 0);
    let arriveMs = departMs + (delayMs > 0 ? delayMs : 0);
    if (imp.reorder && uReorder < imp.reorder.probability) {
      arriveMs += imp.reorder.extraDelayMs;
      this.#reordered++;
    }
    this.#delivered++;
    this.#bytesDelivered += bytes;
    this.#latency.record(arriveMs - nowMs);
    if (uDuplicate < imp.duplicate) {
      const copyMs = arriveMs + imp.duplicateDelayMs;
      this.#duplicated++;
      this.#bytesDelivered += bytes;
      this.#latency.record(copyMs - nowMs);
      return { kind: 'deliver', atMs: [arriveMs, copyMs] };
    }
    return { kind: 'deliver', atMs: [arriveMs] };
  }

  /** A snapshot of the totals; later traffic does not change it. */
  counters(): LinkCounters {
    return {
      seen: this.#seen,
      delivered: this.#delivered,
      duplicated: this.#duplicated,
      reordered: this.#reordered,
      dropped: { loss: this.#droppedLoss, 'queue-full': this.#droppedQueueFull },
      down: { partition: this.#downPartition, stall: this.#downStall },
      resets: this.#resets,
      bytes: { seen: this.#bytesSeen, delivered: this.#bytesDelivered },
      latencyMs: this.#latency.copy(),
    };
  }

  #parse(impairment: LinkImpairmentInput): LinkImpairment {
    return freezeImpairment(parseLinkConfig(LinkImpairmentSchema, impairment, `link ${this.name}`));
  }
}
