import type net from 'node:net';
import type { Cancel, Clock } from '../clock';
import type { LinkModel } from '../link/index';
import type { DirectionCounters } from './counters';
import { MqttFramer, PacketType, type PacketSink } from './framer';
import { ReleaseQueue, type Ordering } from './release-queue';

/** What a pipe tells its connection. */
export interface PipeEvents {
  /** The first packet read, whole (the client's CONNECT on the `up` pipe). */
  first?(packet: Buffer): void;
  /** The model says the link is partitioned: the connection must close. */
  partition(): void;
  /** The model says the link is stalled: the connection must hold both directions. */
  stall(): void;
  /** The peer sent bytes that are not MQTT. */
  error(error: Error): void;
}

export interface PipeOptions {
  from: net.Socket;
  to: net.Socket;
  link: Pick<LinkModel, 'impairment' | 'transmit'>;
  clock: Clock;
  counters: DirectionCounters;
  /** Queued bytes above which the pipe stops reading, as a TCP window would. */
  maxQueuedBytes: number;
  events: PipeEvents;
}

/**
 * One direction of one proxied connection: reads MQTT packets from `from`, asks the link model about each PUBLISH,
 * and writes the original bytes to `to` at their release times. Packets due at once while nothing waits are
 * written as one run of the chunk they came in (no copy, one write per chunk); the rest go through a ReleaseQueue.
 */
export class Pipe {
  readonly #from: net.Socket;
  readonly #to: net.Socket;
  readonly #link: Pick<LinkModel, 'impairment' | 'transmit'>;
  readonly #clock: Clock;
  readonly #counters: DirectionCounters;
  readonly #maxQueuedBytes: number;
  readonly #events: PipeEvents;
  readonly #framer = new MqttFramer();
  readonly #queue = new ReleaseQueue();
  readonly #sink: PacketSink = (buf, start, end, header) => this.#packet(buf, start, end, header);

  // State of the chunk being framed: now, and the run of it due at once, [runStart, runEnd).
  #nowMs = 0;
  #chunk: Buffer | undefined;
  #runStart = 0;
  #runEnd = -1;

  #firstSeen = false;
  #held = false;
  #waitingForDrain = false;
  #queueFull = false;
  #ended = false;
  #closed = false;
  #timer: Cancel | undefined;
  #timerAtMs = Infinity;

  constructor(options: PipeOptions) {
    this.#from = options.from;
    this.#to = options.to;
    this.#link = options.link;
    this.#clock = options.clock;
    this.#counters = options.counters;
    this.#maxQueuedBytes = options.maxQueuedBytes;
    this.#events = options.events;
    this.#from.on('data', (chunk: Buffer) => this.#read(chunk));
    this.#from.on('end', () => this.endInput());
    this.#to.on('drain', () => {
      this.#waitingForDrain = false;
      this.#updateReading();
    });
  }

  /** Packets waiting for their release time. */
  get queued(): number {
    return this.#queue.length;
  }

  /** Stops writing and reading until `release()`: a stall keeps everything and loses nothing. */
  hold(): void {
    if (this.#held || this.#closed) return;
    this.#held = true;
    this.#cancelTimer();
    this.#updateReading();
  }

  /** Ends a hold: what fell due meanwhile goes out at once, in order. */
  release(): void {
    if (!this.#held || this.#closed) return;
    this.#held = false;
    this.#updateReading();
    this.#flushDue();
  }

  /** The connection is gone: drop what is queued and ignore what still arrives. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#cancelTimer();
    this.#counters.discarded += this.#queue.clear();
  }

  #read(chunk: Buffer): void {
    if (this.#closed) return;
    this.#nowMs = this.#clock.now();
    this.#chunk = chunk;
    this.#runEnd = -1;
    this.#to.cork();
    try {
      this.#framer.push(chunk, this.#sink);
    } catch (error) {
      this.#to.uncork();
      this.#events.error(error as Error);
      return;
    }
    if (this.#closed) {
      this.#to.uncork();
      return;
    }
    this.#writeRun();
    this.#chunk = undefined;
    if (this.#queue.length > 0) this.#releaseDue(this.#nowMs);
    this.#to.uncork();
    this.#afterWrite();
  }

  #packet(buf: Buffer, start: number, end: number, header: number): void {
    if (this.#closed) return;
    const counters = this.#counters;
    const bytes = end - start;
    counters.packets++;
    counters.bytes += bytes;
    if (!this.#firstSeen) {
      this.#firstSeen = true;
      this.#events.first?.(buf.subarray(start, end));
      if (this.#closed) return;
    }
    const type = header >> 4;
    if (type !== PacketType.publish) {
      const ordering: Ordering = type === PacketType.disconnect ? 'last' : 'control';
      // Control packets take the link's fixed latency but not its loss, jitter, duplication or bandwidth (mqtt-proxy.ts).
      this.#emit(buf, start, end, this.#nowMs + this.#link.impairment.latencyMs, ordering);
      return;
    }
    counters.publishes++;
    // [MQTT-3.3.1-2] QoS is bits 2–1 of the PUBLISH fixed header.
    const verdict = this.#link.transmit({ bytes, qos: ((header >> 1) & 3) as 0 | 1 | 2 }, this.#nowMs);
    switch (verdict.kind) {
      case 'deliver': {
        const at = verdict.atMs;
        if (at.length === 0) return;
        if (this.#emit(buf, start, end, at[0]!, 'publish') > this.#nowMs) counters.delayed++;
        for (let i = 1; i < at.length; i++) {
          counters.duplicated++;
          this.#emit(buf, start, end, at[i]!, 'copy');
        }
        return;
      }
      case 'drop':
        // The PUBLISH vanishes and the session stays up. A QoS ≥ 1 sender resends it only after a reconnect:
        // [MQTT-4.4.0-1] re-delivery of unacknowledged PUBLISH packets happens on session resumption, never on a timer.
        if (verdict.reason === 'loss') counters.droppedLoss++;
        else counters.droppedQueueFull++;
        return;
      case 'down':
        if (verdict.reason === 'partition') {
          counters.partitioned++;
          this.#events.partition();
          return;
        }
        // A stall loses nothing: the packet waits with everything else until the stall ends.
        this.#events.stall();
        this.#emit(buf, start, end, this.#nowMs, 'publish');
        return;
    }
  }

  /** Writes or queues one packet (or copy) that wants to go at `targetMs`; returns its release time. */
  #emit(buf: Buffer, start: number, end: number, targetMs: number, ordering: Ordering): number {
    const queue = this.#queue;
    const releaseMs = queue.releaseTime(targetMs, ordering);
    queue.note(releaseMs, ordering);
    const publish = ordering === 'publish' || ordering === 'copy';
    if (releaseMs <= this.#nowMs && queue.length === 0 && !this.#held) {
      if (publish) {
        this.#counters.forwarded++;
        this.#counters.addedDelay.record(0);
      }
      if (buf === this.#chunk && start === this.#runEnd) {
        this.#runEnd = end;
      } else {
        this.#writeRun();
        if (buf === this.#chunk) {
          this.#runStart = start;
          this.#runEnd = end;
        } else {
          this.#to.write(start === 0 && end === buf.length ? buf : buf.subarray(start, end));
        }
      }
      return releaseMs;
    }
    this.#writeRun();
    queue.push(releaseMs, this.#nowMs, start === 0 && end === buf.length ? buf : buf.subarray(start, end), publish);
    return releaseMs;
  }

  #writeRun(): void {
    if (this.#runEnd < 0) return;
    const chunk = this.#chunk!;
    this.#to.write(this.#runStart === 0 && this.#runEnd === chunk.length ? chunk : chunk.subarray(this.#runStart, this.#runEnd));
    this.#runEnd = -1;
  }

  #releaseDue(nowMs: number): void {
    if (this.#held || this.#closed) return;
    const queue = this.#queue;
    const counters = this.#counters;
    for (let item = queue.shiftDue(nowMs); item; item = queue.shiftDue(nowMs)) {
      this.#to.write(item.bytes);
      if (item.publish) {
        counters.forwarded++;
        counters.addedDelay.record(nowMs - item.arrivedMs);
      }
    }
    if (queue.length === 0) {
      if (this.#ended && !this.#to.writableEnded) this.#to.end();
      return;
    }
    const nextMs = queue.nextMs;
    if (nextMs < this.#timerAtMs) {
      this.#cancelTimer();
      this.#timerAtMs = nextMs;
      this.#timer = this.#clock.schedule(nextMs, this.#onTimer);
    }
  }

  readonly #onTimer = (): void => {
    this.#timer = undefined;
    this.#timerAtMs = Infinity;
    this.#flushDue();
  };

  #flushDue(): void {
    if (this.#held || this.#closed) return;
    this.#to.cork();
    this.#releaseDue(this.#clock.now());
    this.#to.uncork();
    this.#afterWrite();
  }

  #afterWrite(): void {
    if (this.#to.writableNeedDrain) this.#waitingForDrain = true;
    this.#queueFull = this.#queue.bytes > this.#maxQueuedBytes;
    this.#updateReading();
  }

  #updateReading(): void {
    if (this.#closed) return;
    const stop = this.#held || this.#waitingForDrain || this.#queueFull;
    if (stop && !this.#from.isPaused()) this.#from.pause();
    else if (!stop && this.#from.isPaused()) this.#from.resume();
  }

  /** Nothing more will be read (FIN, or the reading side closed): end the write side once the queue is empty. */
  endInput(): void {
    if (this.#ended) return;
    this.#ended = true;
    // During a stall the FIN waits behind the data, like the data itself; release() sends it.
    if (!this.#closed && !this.#held && this.#queue.length === 0) this.#to.end();
  }

  #cancelTimer(): void {
    this.#timer?.();
    this.#timer = undefined;
    this.#timerAtMs = Infinity;
  }
}
