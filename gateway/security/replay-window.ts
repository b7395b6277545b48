import { SecurityError } from './errors';

export type ReplayVerdict = 'fresh' | 'replayed' | 'too-old';

/**
 * Anti-replay window over sequence numbers (the sliding bitmap of RFC 4303 §3.4.3, IPsec ESP): remembers which
 * of the last `size` seqs up to the highest seen have been accepted. A seq is accepted once; one at or below
 * highest − size can no longer be told apart from a replay and is refused too.
 */
export class ReplayWindow {
  readonly size: number;
  #highest = -1;
  /** Bit (seq mod size) is set when that seq, within the window, has been accepted. */
  readonly #bits: Uint32Array;

  /** `size` in seqs: a positive multiple of 32, at most 65536. Default 1024. */
  constructor(size = 1024) {
    if (!Number.isInteger(size) || size < 32 || size > 65_536 || size % 32 !== 0) {
      throw new SecurityError(`replay window ${size}: use a multiple of 32 from 32 to 65536`);
    }
    this.size = size;
    this.#bits = new Uint32Array(size / 32);
  }

  /** Highest seq accepted so far; -1 before the first. */
  get highest(): number {
    return this.#highest;
  }

  /** What `accept(seq)` would decide, without recording anything. */
  check(seq: number): ReplayVerdict {
    if (seq > this.#highest) return 'fresh';
    if (this.#highest - seq >= this.size) return 'too-old';
    return this.#test(seq) ? 'replayed' : 'fresh';
  }

  /** Records `seq` and returns the verdict; only a `fresh` seq changes the window. */
  accept(seq: number): ReplayVerdict {
    const verdict = this.check(seq);
    if (verdict !== 'fresh') return verdict;
    if (seq > this.#highest) {
      // Slide: the seqs between the old and the new highest have not been seen, so their bits start clear.
      if (this.#highest < 0 || seq - this.#highest >= this.size) this.#bits.fill(0);
      else for (let s = this.#highest + 1; s < seq; s++) this.#clear(s);
      this.#highest = seq;
    }
    this.#set(seq);
    return 'fresh';
  }

  #test(seq: number): boolean {
    const bit = seq % this.size;
    return (this.#bits[bit >>> 5]! & (1 << (bit & 31))) !== 0;
  }

  #set(seq: number): void {
    const bit = seq % this.size;
    this.#bits[bit >>> 5]! |= 1 << (bit & 31);
  }

  #clear(seq: number): void {
    const bit = seq % this.size;
    this.#bits[bit >>> 5]! &= ~(1 << (bit & 31));
  }
}
