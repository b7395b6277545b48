/** One processed block held for the windows that include it. */
export interface HeldBlock {
  readonly seq: number;
  readonly tsMs: number;
  /** Input samples ÷ input rate, ms. */
  readonly durationMs: number;
  /** Processed samples, [0, length). */
  readonly samples: Float32Array;
  readonly length: number;
  /** Sum and count of the block's input samples, before the stages (for a window's DC level). */
  readonly rawSum: number;
  readonly rawCount: number;
}

/** A window as it closes: the blocks present, oldest first, and the blocks no later window needs. */
export interface ClosedWindow {
  /** The aligned start s (a multiple of the hop); the window spans seqs s … s + blocks − 1. */
  readonly start: number;
  readonly blocks: readonly HeldBlock[];
  /** Blocks the durable inbox may now release (equal to the window's blocks when windows do not overlap). */
  readonly releaseSeqs: number[];
}

interface Slot {
  seq: number;
  tsMs: number;
  durationMs: number;
  samples: Float32Array;
  length: number;
  rawSum: number;
  rawCount: number;
}

/**
 * Groups blocks into windows of `size` whole blocks that start every `hop` blocks at seq multiples of the hop:
 * window s holds seqs s … s + size − 1, whatever seq the stream started at, so two gateways (or one after a
 * restart) cut a stream into the same windows. A window closes when its last block arrives, or early when a block
 * past its end arrives (a gap); it then holds only the blocks present. Windows are handed to `onWindow`
 * synchronously, before the block that closed them is stored (its slot may be the one being read).
 * Seqs must rise; the caller turns away late and duplicate blocks.
 */
export class BlockWindows {
  readonly size: number;
  readonly hop: number;
  readonly #slots: Slot[];
  readonly #onWindow: (window: ClosedWindow) => void;
  /** Start of the earliest window not yet handed out; undefined until the first block (or after a flush). */
  #nextStart: number | undefined;
  /** Every held block with seq < #releasedBelow has been released. */
  #releasedBelow = 0;
  #lastSeq = -1;
  #held = 0;

  constructor(size: number, hop: number, onWindow: (window: ClosedWindow) => void) {
    this.size = size;
    this.hop = Math.min(Math.max(1, hop), size);
    this.#onWindow = onWindow;
    this.#slots = Array.from({ length: size }, () => ({ seq: -1, tsMs: 0, durationMs: 0, samples: new Float32Array(0), length: 0, rawSum: 0, rawCount: 0 }));
  }

  /** Seq of the last block added, −1 before the first. */
  get lastSeq(): number {
    return this.#lastSeq;
  }

  /** Blocks held for windows not yet closed. */
  get held(): number {
    return this.#held;
  }

  /** The first window start (a multiple of the hop) whose window contains `seq`. */
  firstWindowOf(seq: number): number {
    return Math.max(0, Math.ceil((seq - this.size + 1) / this.hop)) * this.hop;
  }

  add(seq: number, tsMs: number, durationMs: number, samples: Float64Array, length: number, raw: { sum: number; count: number } = { sum: 0, count: 0 }): void {
    this.#nextStart ??= this.firstWindowOf(seq);
    this.#releasedBelow = Math.max(this.#releasedBelow, this.#nextStart);
    // Windows that end before this block can get no more blocks: close them as they are.
    while (this.#nextStart + this.size - 1 < seq) {
      if (this.#held === 0) {
        this.#nextStart = Math.max(this.#nextStart, this.firstWindowOf(seq));
        this.#releasedBelow = this.#nextStart;
        break;
      }
      this.#close(this.#nextStart);
    }
    const slot = this.#slots[seq % this.size]!;
    if (slot.seq >= 0) this.#held--;
    if (slot.samples.length < length) slot.samples = new Float32Array(length);
    for (let i = 0; i < length; i++) slot.samples[i] = samples[i]!;
    slot.seq = seq;
    slot.tsMs = tsMs;
    slot.durationMs = durationMs;
    slot.length = length;
    slot.rawSum = raw.sum;
    slot.rawCount = raw.count;
    this.#held++;
    this.#lastSeq = seq;
    if (seq === this.#nextStart + this.size - 1) this.#close(this.#nextStart);
  }

  /** Closes every window that holds a block, then starts afresh: the next block opens new windows. */
  flush(): void {
    if (this.#nextStart !== undefined) {
      while (this.#held > 0) this.#close(this.#nextStart);
    }
    this.#nextStart = undefined;
    this.#releasedBelow = 0;
  }

  #close(start: number): void {
    const blocks: HeldBlock[] = [];
    for (let seq = start; seq < start + this.size; seq++) {
      const slot = this.#slots[seq % this.size]!;
      if (slot.seq === seq) blocks.push({ seq, tsMs: slot.tsMs, durationMs: slot.durationMs, samples: slot.samples, length: slot.length, rawSum: slot.rawSum, rawCount: slot.rawCount });
    }
    this.#nextStart = start + this.hop;
    // Blocks before the next window's start are needed by no open window any more.
    const releaseSeqs: number[] = [];
    for (let seq = this.#releasedBelow; seq < this.#nextStart; seq++) {
      const slot = this.#slots[seq % this.size]!;
      if (slot.seq === seq) {
        releaseSeqs.push(seq);
        slot.seq = -1;
        this.#held--;
      }
    }
    this.#releasedBelow = this.#nextStart;
    if (blocks.length > 0) this.#onWindow({ start, blocks, releaseSeqs });
  }
}
