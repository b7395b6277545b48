import { describe, expect, it } from 'vitest';
import { Resequencer } from '../../../../gateway/dsp/index';

/** Block seq s of a 40 ms block stream. */
const b = (seq: number) => ({ seq, tsMs: 1_000_000 + seq * 40 });
const seqs = (blocks: readonly { seq: number }[]) => blocks.map((x) => x.seq);

describe('Resequencer', () => {
  it('passes blocks in order straight through, holding nothing', () => {
    const r = new Resequencer(2000);
    for (let seq = 0; seq < 5; seq++) expect(seqs(r.push(b(seq)).ready)).toEqual([seq]);
    expect(r.held).toBe(0);
  });

  it('holds the blocks after a gap and releases them in order when the missing one arrives (a QoS 1 resend)', () => {
    const r = new Resequencer(2000);
    r.push(b(0));
    expect(r.push(b(2)).ready).toEqual([]);
    expect(r.push(b(3)).ready).toEqual([]);
    expect(r.held).toBe(2);
    expect(seqs(r.push(b(1)).ready)).toEqual([1, 2, 3]);
    expect(r.held).toBe(0);
  });

  it('gives up on a gap once the stream\'s event time is holdMs past it, and then refuses the missing block as late', () => {
    const r = new Resequencer(200);
    r.push(b(0));
    // 200 ms of event time is 5 blocks of 40 ms: held until the newest is 200 ms after the oldest waiting.
    for (const seq of [2, 3, 4, 5]) expect(r.push(b(seq))).toEqual({ ready: [], gaveUp: [] });
    const given = r.push(b(7));
    expect(given.gaveUp).toEqual([1]);
    expect(seqs(given.ready)).toEqual([2, 3, 4, 5]);
    expect(r.held).toBe(1);
    expect(r.push(b(1))).toEqual({ ready: [], gaveUp: [], refused: { kind: 'late', block: b(1) } });
    // Told once: a second copy is a duplicate.
    expect(r.push(b(1)).refused).toEqual({ kind: 'duplicate', block: b(1) });
  });

  it('refuses a copy of a block already processed, or already held, as a duplicate', () => {
    const r = new Resequencer(2000);
    r.push(b(0));
    r.push(b(1));
    expect(r.push(b(1)).refused?.kind).toBe('duplicate');
    r.push(b(3));
    expect(r.push(b(3)).refused?.kind).toBe('duplicate');
  });

  it('takes seq 0, or a seq far behind, as a device that restarted its counter: what was held goes first', () => {
    const r = new Resequencer(10_000, () => 64);
    for (let seq = 0; seq < 100; seq++) r.push(b(seq));
    r.push(b(101));
    const restarted = r.push(b(0));
    expect(seqs(restarted.ready)).toEqual([101, 0]);
    expect(seqs(r.push(b(1)).ready)).toEqual([1]);
    const far = new Resequencer(10_000, () => 64);
    for (let seq = 0; seq < 200; seq++) far.push(b(seq));
    expect(seqs(far.push(b(100)).ready)).toEqual([100]);
    expect(seqs(far.push(b(101)).ready)).toEqual([101]);
    // Within the restart gap, an old seq is a copy of one already processed.
    expect(far.push(b(60)).refused?.kind).toBe('duplicate');
  });

  it('flushes what it holds in order at the end, gaps given up', () => {
    const r = new Resequencer(60_000);
    r.push(b(0));
    r.push(b(3));
    r.push(b(5));
    const flushed = r.flush();
    expect(seqs(flushed.ready)).toEqual([3, 5]);
    expect(flushed.gaveUp).toEqual([1, 2, 4]);
    expect(r.held).toBe(0);
  });
});
