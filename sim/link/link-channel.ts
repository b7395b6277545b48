import { z } from 'zod';
import type { Cancel, Clock } from '../clock';
import { LinkError, parseLinkConfig } from './link-error';
import type { LinkImpairment } from './link-impairment';
import type { LinkChange, LinkModel } from './link-model';

export const LinkChannelOptionsSchema = z
  .object({
    retryMs: z
      .number()
      .positive()
      .finite()
      .default(1000)
      .describe('Simulated ms after a loss before a QoS ≥ 1 packet is sent again (the sender noticing and reconnecting). Default 1000.'),
  })
  .strict();

export type LinkChannelOptions = z.input<typeof LinkChannelOptionsSchema>;

export type Qos = 0 | 1 | 2;

export interface ChannelPacket {
  /** Size on the wire, bytes. */
  bytes: number;
  qos: Qos;
}

/** Passed to `deliver`, for receivers that want to check their dedupe. */
export interface DeliveryInfo {
  /** MQTT-level transmissions so far: 1 for the first, more after a loss, a partition or a reset ([MQTT-3.3.1-1] DUP = 1). */
  attempt: number;
  /** 0 for the original, 1 for the link's duplicate copy. */
  copy: number;
}

/** Runs on the receiving side at the arrival time; a returned promise is awaited by a VirtualClock (backpressure). */
export type Deliver = (info: DeliveryInfo) => void | Promise<void>;

export type PerQos = Record<Qos, number>;

export interface LinkChannelCounters {
  /** send() calls. */
  sent: PerQos;
  /** deliver calls, duplicates included. */
  delivered: PerQos;
  /** QoS 0 packets gone for good: lost, tail-dropped, sent into a partition, or in flight or stalled at a reset. */
  lostQos0: number;
  /** QoS ≥ 1 resends after a loss, a partition or a reset. */
  retransmitted: PerQos;
  /** Packets the down link made wait (QoS ≥ 1 in a partition; everything in a stall). */
  held: PerQos;
}

/** What the channel still owes: held for the link, scheduled for delivery, waiting for a retry. */
export interface LinkChannelBacklog {
  held: number;
  inFlight: number;
  retrying: number;
}

interface Message {
  readonly seq: number;
  readonly packet: ChannelPacket;
  readonly deliver: Deliver;
  attempt: number;
  /** The next transmission is an MQTT-level resend (after a partition or a reset), not a stalled write going out. */
  resend: boolean;
}

interface Flight {
  readonly message: Message;
  readonly cancels: Cancel[];
  remaining: number;
  arrived: boolean;
}

/**
 * MQTT delivery semantics over a LinkModel, for simulated runs: what a client and broker over TCP would make of the
 * link's verdicts. The receiver sees real duplicates (link duplicates and resends) and must dedupe, as a broker does
 * by packet identifier ([MQTT-4.3.3] for QoS 2); the channel never dedupes.
 *
 * - deliver: `deliver` is scheduled on the clock at each copy's arrival time.
 * - loss or tail drop: QoS 0 is gone; QoS ≥ 1 is sent again retryMs later, through the model, so it can be lost again.
 * - partition: QoS 0 is gone; QoS ≥ 1 waits and is resent, in send order, when the link comes back.
 * - stall: everything waits and goes out, in send order, when the stall ends; that is the same write, not a resend.
 * - reset: copies not yet arrived and writes held by a stall are aborted: QoS 0 lost, QoS ≥ 1 resent at once (or
 *   when the link is up again), in send order, ahead of later messages.
 * A partition or stall does not touch copies already scheduled (they left before the cut); pair it with `reset` to
 * kill them too. Packets held by a stall stay held if a partition follows, and go out when the link is up.
 */
export class LinkChannel {
  readonly #model: LinkModel;
  readonly #clock: Clock;
  readonly #retryMs: number;
  readonly #unsubscribe: () => void;
  /** Packets waiting for the link, in send order. */
  #held: Message[] = [];
  /** Packets scheduled for delivery, by sequence number; a packet has at most one flight at a time. */
  readonly #inFlight = new Map<number, Flight>();
  readonly #retries = new Set<Cancel>();
  #seq = 0;
  readonly #sent: PerQos = { 0: 0, 1: 0, 2: 0 };
  readonly #delivered: PerQos = { 0: 0, 1: 0, 2: 0 };
  readonly #retransmitted: PerQos = { 0: 0, 1: 0, 2: 0 };
  readonly #heldCount: PerQos = { 0: 0, 1: 0, 2: 0 };
  #lostQos0 = 0;

  constructor(model: LinkModel, clock: Clock, options: LinkChannelOptions = {}) {
    this.#model = model;
    this.#clock = clock;
    this.#retryMs = parseLinkConfig(LinkChannelOptionsSchema, options, `channel on link ${model.name}`).retryMs;
    this.#unsubscribe = model.onChange((impairment, _nowMs, change) => this.#onChange(impairment, change));
  }

  /** Offers a packet to the link now; `deliver` runs at each arrival. */
  send(packet: ChannelPacket, deliver: Deliver): void {
    if (packet.qos !== 0 && packet.qos !== 1 && packet.qos !== 2) {
      throw new LinkError('E_LINK_PACKET', `channel on link ${this.#model.name}: qos must be 0, 1 or 2, got ${String(packet.qos)}`);
    }
    // Another change listener may send before ours flushes: release the held packets first so none is overtaken.
    if (this.#held.length > 0 && isUp(this.#model.impairment)) this.#flush();
    this.#transmit({ seq: this.#seq++, packet, deliver, attempt: 1, resend: false });
    this.#sent[packet.qos]++;
  }

  counters(): LinkChannelCounters {
    return {
      sent: { ...this.#sent },
      delivered: { ...this.#delivered },
      lostQos0: this.#lostQos0,
      retransmitted: { ...this.#retransmitted },
      held: { ...this.#heldCount },
    };
  }

  backlog(): LinkChannelBacklog {
    return { held: this.#held.length, inFlight: this.#inFlight.size, retrying: this.#retries.size };
  }

  /** Stops listening to the model and cancels every pending delivery and retry; held packets are discarded. */
  close(): void {
    this.#unsubscribe();
    for (const flight of this.#inFlight.values()) for (const cancel of flight.cancels) cancel();
    for (const cancel of this.#retries) cancel();
    this.#inFlight.clear();
    this.#retries.clear();
    this.#held = [];
  }

  #transmit(message: Message): void {
    const { qos } = message.packet;
    const verdict = this.#model.transmit(message.packet, this.#clock.now());
    switch (verdict.kind) {
      case 'deliver':
        this.#schedule(message, verdict.atMs);
        return;
      case 'drop':
        // [MQTT-4.3.1] QoS 0 is "at most once": no acknowledgement, no resend; a lost or tail-dropped one is gone.
        if (qos === 0) {
          this.#lostQos0++;
          return;
        }
        // [MQTT-4.3.2-1] QoS ≥ 1 stays unacknowledged until its PUBACK/PUBREC, so the sender sends it again.
        this.#retryLater(message);
        return;
      case 'down':
        if (verdict.reason === 'partition') {
          // A partition breaks the connection: QoS 0 is gone; QoS ≥ 1 is resent on reconnect [MQTT-4.4.0-1].
          if (qos === 0) {
            this.#lostQos0++;
            return;
          }
          message.resend = true;
        }
        // A stall is TCP holding its send buffer (MQTT §4.2: an ordered, lossless byte stream): every QoS waits.
        this.#heldCount[qos]++;
        this.#held.push(message);
        return;
    }
  }

  #schedule(message: Message, atMs: readonly number[]): void {
    const flight: Flight = { message, cancels: [], remaining: atMs.length, arrived: false };
    this.#inFlight.set(message.seq, flight);
    const attempt = message.attempt;
    atMs.forEach((at, copy) => {
      flight.cancels.push(
        this.#clock.schedule(at, () => {
          flight.arrived = true;
          if (--flight.remaining === 0) this.#inFlight.delete(message.seq);
          this.#delivered[message.packet.qos]++;
          return message.deliver({ attempt, copy });
        }),
      );
    });
  }

  #retryLater(message: Message): void {
    const cancel = this.#clock.schedule(this.#clock.now() + this.#retryMs, () => {
      this.#retries.delete(cancel);
      this.#resend(message);
    });
    this.#retries.add(cancel);
  }

  #resend(message: Message): void {
    message.attempt++;
    message.resend = false;
    this.#retransmitted[message.packet.qos]++;
    this.#transmit(message);
  }

  #onChange(impairment: LinkImpairment, change: LinkChange): void {
    if (change.reason === 'reset') this.#abortFlights();
    if (isUp(impairment)) this.#flush();
  }

  /**
   * A reset kills the connection and with it everything on the wire and in TCP's send buffer (packets held by a
   * stall): QoS 0 among them is lost, QoS ≥ 1 is resent [MQTT-4.4.0-1]. Packets held by a partition were resends already.
   */
  #abortFlights(): void {
    const flights = [...this.#inFlight.values()].sort((a, b) => a.message.seq - b.message.seq);
    this.#inFlight.clear();
    const resend: Message[] = [];
    for (const flight of flights) {
      for (const cancel of flight.cancels) cancel();
      // One copy already landed; the cancelled one was only the link's duplicate.
      if (!flight.arrived) resend.push(flight.message);
    }
    const kept: Message[] = [];
    // [MQTT-4.6.0-1] resends go out in the order the originals were sent, so merge the flights into the held queue by sequence.
    for (const message of [...resend, ...this.#held].sort((a, b) => a.seq - b.seq)) {
      if (message.resend) kept.push(message);
      else if (message.packet.qos === 0) this.#lostQos0++;
      else {
        message.resend = true;
        kept.push(message);
      }
    }
    this.#held = kept;
  }

  /** Sends the held packets in order; resends count as retransmissions, stalled writes do not. */
  #flush(): void {
    const held = this.#held;
    this.#held = [];
    for (const message of held) {
      if (message.resend) this.#resend(message);
      else this.#transmit(message);
    }
  }
}

function isUp(impairment: LinkImpairment): boolean {
  return !impairment.partition && !impairment.stall;
}
