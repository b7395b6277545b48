/** One packet (or one copy of a PUBLISH) waiting for its release time. */
export interface QueuedPacket {
  releaseMs: number;
  arrivedMs: number;
  bytes: Buffer;
  /** A PUBLISH copy: counted in the added-delay histogram. */
  publish: boolean;
}

/** How a packet is ordered against the others of its direction. */
export type Ordering =
  /** A PUBLISH as the model placed it: after earlier control packets, free against other PUBLISHes. */
  | 'publish'
  /** An extra copy of a PUBLISH: like 'publish', but nothing later waits for it except DISCONNECT and end of stream. */
  | 'copy'
  /** CONNECT, PUBACK, SUBSCRIBE, PINGREQ…: after every earlier packet except extra copies. */
  | 'control'
  /** DISCONNECT: after every earlier packet, copies included, so nothing is written after it. */
  | 'last';

/**
 * One direction's packets, released by time. Control packets never overtake an earlier PUBLISH or control packet,
 * and a PUBLISH never overtakes an earlier control packet: a client that publishes to a topic and then unsubscribes
 * from it must not get its own message back, and a DISCONNECT must not strand the data before it. PUBLISHes reorder
 * among themselves only as their release times say, which is the link model's decision (jitter, reorder).
 * Kept as an array sorted by release time (ties in arrival order) with a moving head; inserts land at the tail unless the model reorders.
 */
export class ReleaseQueue {
  #items: QueuedPacket[] = [];
  #head = 0;
  /** Release time of the latest control packet: nothing after it may go earlier. */
  #floorMs = -Infinity;
  /** Latest release of anything a control packet must follow. */
  #orderedMs = -Infinity;
  /** Latest release of anything at all. */
  #lastMs = -Infinity;
  #bytes = 0;

  get length(): number {
    return this.#items.length - this.#head;
  }

  /** Bytes waiting. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Release time of the next packet, or Infinity when empty. */
  get nextMs(): number {
    return this.#head < this.#items.length ? this.#items[this.#head]!.releaseMs : Infinity;
  }

  /** Release time of the last packet, or -Infinity when none has been queued. */
  get lastMs(): number {
    return this.#lastMs;
  }

  /**
   * The earliest time a packet that wants to go at `targetMs` may go, given what is queued before it. A caller
   * that writes the packet at once instead of queueing it must still call `note` so later packets keep order.
   */
  releaseTime(targetMs: number, ordering: Ordering): number {
    switch (ordering) {
      case 'publish':
      case 'copy':
        return Math.max(targetMs, this.#floorMs);
      case 'control':
        return Math.max(targetMs, this.#orderedMs);
      case 'last':
        return Math.max(targetMs, this.#lastMs);
    }
  }

  /** Records that a packet goes at `releaseMs` (from `releaseTime`), queued or written at once. */
  note(releaseMs: number, ordering: Ordering): void {
    if (releaseMs > this.#lastMs) this.#lastMs = releaseMs;
    if (ordering !== 'copy' && releaseMs > this.#orderedMs) this.#orderedMs = releaseMs;
    if ((ordering === 'control' || ordering === 'last') && releaseMs > this.#floorMs) this.#floorMs = releaseMs;
  }

  /** Queues a packet at `releaseMs` (from `releaseTime`, already noted). */
  push(releaseMs: number, arrivedMs: number, bytes: Buffer, publish: boolean): void {
    const item: QueuedPacket = { releaseMs, arrivedMs, bytes, publish };
    this.#bytes += bytes.length;
    const items = this.#items;
    let i = items.length;
    // Sorted insert from the tail: equal times keep arrival order.
    while (i > this.#head && items[i - 1]!.releaseMs > releaseMs) i--;
    if (i === items.length) items.push(item);
    else items.splice(i, 0, item);
  }

  /** Removes and returns the next packet if it is due at `nowMs`. */
  shiftDue(nowMs: number): QueuedPacket | undefined {
    if (this.#head >= this.#items.length) return undefined;
    const item = this.#items[this.#head]!;
    if (item.releaseMs > nowMs) return undefined;
    this.#items[this.#head++] = undefined as unknown as QueuedPacket;
    this.#bytes -= item.bytes.length;
    if (this.#head === this.#items.length) {
      this.#items.length = 0;
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return item;
  }

  /** Drops everything queued; returns how many packets that was. */
  clear(): number {
    const dropped = this.length;
    this.#items = [];
    this.#head = 0;
    this.#bytes = 0;
    return dropped;
  }
}
