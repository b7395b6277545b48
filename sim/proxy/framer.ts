import { ProxyError } from './errors';

/** MQTT control packet types, the high nibble of the fixed header's first byte [MQTT-2.2.1]. */
export const PacketType = {
  connect: 1,
  connack: 2,
  publish: 3,
  puback: 4,
  pubrec: 5,
  pubrel: 6,
  pubcomp: 7,
  subscribe: 8,
  suback: 9,
  unsubscribe: 10,
  unsuback: 11,
  pingreq: 12,
  pingresp: 13,
  disconnect: 14,
  auth: 15,
} as const;

/**
 * Receives one whole control packet: bytes [start, end) of `buf`, whose first byte is `header` (type and flags).
 * `buf` is the pushed chunk itself when the packet lies inside it, else a fresh buffer holding just the packet.
 */
export type PacketSink = (buf: Buffer, start: number, end: number, header: number) => void;

/** Longest fixed header: one type-and-flags byte and a remaining length of at most 4 bytes [MQTT-1.5.5]. */
const MAX_HEADER_BYTES = 5;

/**
 * Whole length of the packet starting at buf[pos], or -1 while its fixed header is still incomplete in [pos, end).
 * Throws on a remaining length longer than 4 bytes, which no MQTT version allows.
 */
export function packetLength(buf: Uint8Array, pos: number, end: number): number {
  let remaining = 0;
  let multiplier = 1;
  let i = pos + 1;
  for (;;) {
    if (i >= end) return -1;
    if (i - pos >= MAX_HEADER_BYTES) throw new ProxyError('E_PROXY_PROTOCOL', 'malformed MQTT packet: remaining length longer than 4 bytes [MQTT-1.5.5]; is the peer speaking MQTT?');
    const byte = buf[i++]!;
    remaining += (byte & 0x7f) * multiplier;
    if ((byte & 0x80) === 0) return i - pos + remaining;
    multiplier *= 128;
  }
}

/**
 * Splits a TCP byte stream into MQTT control packets by their fixed header alone [MQTT-2.2], which is the same in
 * v3.1.1 and v5: framing needs no protocol version, and the original bytes go on untouched, v5 properties and all.
 * A packet inside one chunk is handed on as a range of that chunk (no copy); only a packet split across chunks
 * is copied once, into a buffer of its exact size.
 */
export class MqttFramer {
  readonly #pending: Buffer[] = [];
  #pendingBytes = 0;
  /** Whole length of the split packet, or -1 while its fixed header is incomplete. */
  #needed = -1;

  /** Bytes held back, waiting for the rest of a packet. */
  get buffered(): number {
    return this.#pendingBytes;
  }

  push(chunk: Buffer, sink: PacketSink): void {
    let pos = 0;
    if (this.#pendingBytes > 0) {
      pos = this.#completePending(chunk, sink);
      if (pos < 0) return;
    }
    const end = chunk.length;
    while (pos < end) {
      if (chunk[pos]! >> 4 === 0) throw reservedType();
      const length = packetLength(chunk, pos, end);
      if (length < 0 || pos + length > end) {
        this.#needed = length;
        this.#pending.push(chunk.subarray(pos));
        this.#pendingBytes = end - pos;
        return;
      }
      sink(chunk, pos, pos + length, chunk[pos]!);
      pos += length;
    }
  }

  /** Feeds the start of `chunk` to the split packet; returns where the next packet starts in it, or -1 if none does. */
  #completePending(chunk: Buffer, sink: PacketSink): number {
    if (this.#needed < 0) {
      // The header itself was split: it is at most 5 bytes, so join just enough to read it.
      const head = Buffer.concat([...this.#pending, chunk.subarray(0, MAX_HEADER_BYTES)]);
      this.#needed = packetLength(head, 0, head.length);
      if (this.#needed < 0) {
        this.#pending.push(chunk);
        this.#pendingBytes += chunk.length;
        return -1;
      }
    }
    const take = this.#needed - this.#pendingBytes;
    if (chunk.length < take) {
      this.#pending.push(chunk);
      this.#pendingBytes += chunk.length;
      return -1;
    }
    this.#pending.push(chunk.subarray(0, take));
    const packet = Buffer.concat(this.#pending, this.#needed);
    this.#pending.length = 0;
    this.#pendingBytes = 0;
    this.#needed = -1;
    sink(packet, 0, packet.length, packet[0]!);
    return take;
  }
}

function reservedType(): ProxyError {
  return new ProxyError('E_PROXY_PROTOCOL', 'malformed MQTT packet: control packet type 0 is reserved [MQTT-2.2.1]; is the peer speaking MQTT?');
}
