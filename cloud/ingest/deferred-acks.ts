import type { MqttClient } from '../../sim';

/** A QoS 1 message taken into a batch; its PUBACK waits for release(). */
export interface AckTicket {
  readonly messageId: number;
  /** The connection it arrived on: a PUBACK never crosses to the next connection, where the id means another message. */
  readonly connection: number;
}

type SendPacket = (packet: { cmd: string; messageId?: number }, cb?: (error?: Error) => void, ...rest: unknown[]) => void;

/**
 * Holds back the PUBACK of each QoS 1 message until the batch that holds it is committed ([MQTT-4.3.2] the receiver
 * acknowledges once it has taken ownership). mqtt.js sends the PUBACK when handleMessage calls back and reads no
 * further packet until then, so waiting there would commit one message at a time; instead handleMessage calls back at
 * once and the PUBACK itself is held at the client's packet writer, then written after the commit. A connection that
 * closes drops its held PUBACKs: the broker redelivers those messages to the persistent session, and the store's
 * unique key turns the second copy into a duplicate.
 */
export class DeferredAcks {
  readonly #send: SendPacket;
  /** Ids taken on the current connection whose commit has not finished. */
  readonly #pending = new Set<number>();
  /** PUBACKs mqtt.js tried to write for pending ids. */
  readonly #held = new Map<number, { cmd: string; messageId?: number }>();
  #connection = 0;
  #released = 0;

  constructor(client: MqttClient) {
    const internals = client as unknown as { _sendPacket: SendPacket };
    this.#send = internals._sendPacket.bind(client);
    internals._sendPacket = (packet, cb, ...rest) => {
      if (packet.cmd === 'puback' && packet.messageId !== undefined && this.#pending.has(packet.messageId)) {
        this.#held.set(packet.messageId, packet);
        cb?.(); // lets mqtt.js read the next packet; the PUBACK goes out in release()
        return;
      }
      this.#send(packet, cb, ...rest);
    };
    client.on('close', () => {
      this.#connection++;
      this.#pending.clear();
      this.#held.clear();
    });
  }

  /** Call from handleMessage before calling back, for a QoS 1 message. */
  hold(messageId: number): AckTicket {
    this.#pending.add(messageId);
    return { messageId, connection: this.#connection };
  }

  /** Writes the PUBACKs of committed messages still on the connection they came on. */
  release(tickets: readonly AckTicket[]): void {
    for (const ticket of tickets) {
      if (ticket.connection !== this.#connection) continue;
      this.#pending.delete(ticket.messageId);
      const packet = this.#held.get(ticket.messageId);
      if (!packet) continue; // not yet written by mqtt.js: it will pass straight through now
      this.#held.delete(ticket.messageId);
      this.#send(packet);
      this.#released++;
    }
  }

  /** PUBACKs waiting for a commit. */
  get held(): number {
    return this.#held.size;
  }

  get released(): number {
    return this.#released;
  }
}
