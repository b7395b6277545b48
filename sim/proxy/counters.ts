import { LatencyHistogram, type LatencySummary } from '../link/index';

/** What one direction of a proxy did, summed over its connections. */
export interface DirectionCountersSnapshot {
  /** MQTT control packets read, of every type. */
  packets: number;
  /** Bytes of those packets. */
  bytes: number;
  /** PUBLISH packets read, each judged by the link model. */
  publishes: number;
  /** PUBLISH copies written on, duplicates included. */
  forwarded: number;
  /** PUBLISH packets the model dropped while the session stayed up, by reason. */
  dropped: { loss: number; queueFull: number };
  /** PUBLISH packets that went out later than they came in. */
  delayed: number;
  /** Extra PUBLISH copies written (a packet delivered twice counts 1). */
  duplicated: number;
  /** Packets that met a partition, which closed their connection. */
  partitioned: number;
  /** Packets still queued when their connection closed (reset, partition, or the peer went away). */
  discarded: number;
  /** Delay the proxy added to each forwarded PUBLISH copy, from read to write, ms. */
  addedDelayMs: LatencySummary;
}

/** Mutable counters of one direction; the pipes of every connection add to the same instance. */
export class DirectionCounters {
  packets = 0;
  bytes = 0;
  publishes = 0;
  forwarded = 0;
  droppedLoss = 0;
  droppedQueueFull = 0;
  delayed = 0;
  duplicated = 0;
  partitioned = 0;
  discarded = 0;
  readonly addedDelay = new LatencyHistogram();

  snapshot(): DirectionCountersSnapshot {
    return {
      packets: this.packets,
      bytes: this.bytes,
      publishes: this.publishes,
      forwarded: this.forwarded,
      dropped: { loss: this.droppedLoss, queueFull: this.droppedQueueFull },
      delayed: this.delayed,
      duplicated: this.duplicated,
      partitioned: this.partitioned,
      discarded: this.discarded,
      addedDelayMs: this.addedDelay.summary(),
    };
  }
}
