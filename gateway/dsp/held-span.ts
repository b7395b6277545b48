import type { ClosedWindow, HeldBlock } from './block-windows';

/**
 * Windows closed but not yet sent (report by exception, or a record the stream's bytes could not pay for yet): copies
 * of their blocks, oldest first, so they can go up later as one record, and the inbox rows they keep from release.
 */
export class HeldSpan {
  #blocks: HeldBlock[] = [];
  #releaseSeqs: number[] = [];

  get empty(): boolean {
    return this.#blocks.length === 0;
  }

  /** The held blocks, oldest first. */
  get blocks(): readonly HeldBlock[] {
    return this.#blocks;
  }

  /** Event time of the first held block, ms; undefined when nothing is held. */
  get startMs(): number | undefined {
    return this.#blocks[0]?.tsMs;
  }

  /** Keeps a window's blocks; their slots in BlockWindows are reused, so the samples are copied. */
  hold(window: ClosedWindow): void {
    for (const b of window.blocks) this.#blocks.push({ ...b, samples: b.samples.slice(0, b.length) });
    this.#releaseSeqs.push(...window.releaseSeqs);
  }

  /** Everything held, which is then forgotten: the blocks and the seqs the inbox may release once they are sent. */
  take(): { blocks: HeldBlock[]; releaseSeqs: number[] } {
    const taken = { blocks: this.#blocks, releaseSeqs: this.#releaseSeqs };
    this.#blocks = [];
    this.#releaseSeqs = [];
    return taken;
  }
}
