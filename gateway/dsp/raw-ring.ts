import type { TelemetryV1 } from '../../protocol';

/**
 * The last `preS` seconds (event time) of one sensor's raw blocks, for uplink when an event fires: a block stays
 * while any of its samples lies within preS of the newest block's end. Blocks with a number[] are stored as a
 * Float32Array copy (what the raw codec sends anyway, and a quarter of the memory); Float32 blocks are kept by
 * reference and must not be changed afterwards.
 */
export class RawRing {
  readonly preMs: number;
  #blocks: TelemetryV1[] = [];
  #head = 0;

  constructor(preS: number) {
    this.preMs = preS * 1000;
  }

  /** Blocks held. */
  get size(): number {
    return this.#blocks.length - this.#head;
  }

  push(block: TelemetryV1): void {
    this.#blocks.push(Array.isArray(block.values) ? { ...block, values: Float32Array.from(block.values) } : block);
    const cutoffMs = endMs(block) - this.preMs;
    while (this.#head < this.#blocks.length - 1 && endMs(this.#blocks[this.#head]!) <= cutoffMs) this.#head++;
    if (this.#head > 32 && this.#head * 2 > this.#blocks.length) {
      this.#blocks = this.#blocks.slice(this.#head);
      this.#head = 0;
    }
  }

  /** The held blocks, oldest first. */
  blocks(): TelemetryV1[] {
    return this.#blocks.slice(this.#head);
  }

  /** The held blocks, oldest first, and empties the ring. */
  drain(): TelemetryV1[] {
    const blocks = this.blocks();
    this.clear();
    return blocks;
  }

  clear(): void {
    this.#blocks = [];
    this.#head = 0;
  }
}

function endMs(block: TelemetryV1): number {
  return block.tsMs + (1000 * block.values.length) / block.rateHz;
}
