/** Blocks of one stream, by seq; the resequencer puts them back in order before the filters and windows see them. */
export interface Sequenced {
  readonly seq: number;
  /** Event time of the block, ms. */
  readonly tsMs: number;
}

/** What one arriving block produced. */
export interface Resequenced<T> {
  /** Blocks to process now, in seq order. */
  ready: T[];
  /** Seqs given up on (a gap): they were lost or are late; processing went on without them. */
  gaveUp: number[];
  /** The block was not taken: a copy of one already processed, or one that came after its place was given up. */
  refused?: { kind: 'duplicate' | 'late'; block: T };
}

/**
 * Puts a stream's blocks back in seq order. A QoS 1 block lost on the way comes again after its successors (the
 * sender resends it), and filters and windows need blocks in order: so a block after a gap is held, in event time,
 * until the missing one arrives or `holdMs` of the stream's event time has passed beyond the gap; then processing
 * goes on without it, and if it still comes it is refused as late (the caller dead-letters it: never silently).
 * In-order blocks pass straight through. A seq 0, or one far behind, is the device restarting its counter.
 */
export class Resequencer<T extends Sequenced> {
  readonly holdMs: number;
  readonly #restartGap: () => number;
  #next: number | undefined;
  readonly #held = new Map<number, T>();
  /** Seqs given up on, so a late arrival is told from a copy; bounded, oldest forgotten first. */
  readonly #missing = new Set<number>();

  /** @param restartGapBlocks a seq more than this many blocks behind the expected one is a restarted device, not a late block */
  constructor(holdMs: number, restartGapBlocks: () => number = () => 64) {
    this.holdMs = holdMs;
    this.#restartGap = restartGapBlocks;
  }

  /** Blocks held for a gap to fill. */
  get held(): number {
    return this.#held.size;
  }

  push(block: T): Resequenced<T> {
    const out: Resequenced<T> = { ready: [], gaveUp: [] };
    const next = this.#next;
    if (next === undefined || block.seq === next) {
      out.ready.push(block);
      this.#next = block.seq + 1;
      this.#releaseContiguous(out);
      return out;
    }
    if (block.seq > next) {
      if (!this.#held.has(block.seq)) this.#held.set(block.seq, block);
      else out.refused = { kind: 'duplicate', block };
      this.#giveUpIfStale(out);
      return out;
    }
    if (this.#missing.delete(block.seq)) return { ...out, refused: { kind: 'late', block } };
    if (block.seq === 0 || next - block.seq > this.#restartGap()) {
      // The device started counting again: what was held comes first, then the new run of seqs.
      out.ready.push(...this.#drainHeld());
      this.#missing.clear();
      out.ready.push(block);
      this.#next = block.seq + 1;
      return out;
    }
    return { ...out, refused: { kind: 'duplicate', block } };
  }

  /** Everything held, in seq order, gaps given up (at shutdown, or when a run drains). */
  flush(): Resequenced<T> {
    const out: Resequenced<T> = { ready: [], gaveUp: [] };
    while (this.#held.size > 0) this.#skipGap(out);
    return out;
  }

  #releaseContiguous(out: Resequenced<T>): void {
    for (let block = this.#held.get(this.#next!); block; block = this.#held.get(this.#next!)) {
      this.#held.delete(block.seq);
      out.ready.push(block);
      this.#next = block.seq + 1;
    }
  }

  /** Gives up on the gap once the stream's event time has moved holdMs past the oldest block waiting behind it. */
  #giveUpIfStale(out: Resequenced<T>): void {
    while (this.#held.size > 0) {
      let oldest: T | undefined;
      let newestMs = -Infinity;
      for (const block of this.#held.values()) {
        if (!oldest || block.seq < oldest.seq) oldest = block;
        if (block.tsMs > newestMs) newestMs = block.tsMs;
      }
      if (newestMs - oldest!.tsMs < this.holdMs) return;
      this.#skipGap(out);
    }
  }

  /** Skips to the oldest held block, recording the seqs skipped, and releases what follows it contiguously. */
  #skipGap(out: Resequenced<T>): void {
    const oldest = Math.min(...this.#held.keys());
    for (let seq = this.#next ?? oldest; seq < oldest; seq++) {
      out.gaveUp.push(seq);
      this.#missing.add(seq);
    }
    while (this.#missing.size > 4096) this.#missing.delete(this.#missing.values().next().value!);
    this.#next = oldest;
    this.#releaseContiguous(out);
  }

  #drainHeld(): T[] {
    const blocks = [...this.#held.values()].sort((a, b) => a.seq - b.seq);
    this.#held.clear();
    return blocks;
  }
}
