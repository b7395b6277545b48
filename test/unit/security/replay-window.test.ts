import { describe, expect, it } from 'vitest';
import { ReplayWindow } from '../../../gateway/security/replay-window';

describe('replay window', () => {
  it('accepts each seq once, in order or not, and refuses the second copy', () => {
    const w = new ReplayWindow(64);
    expect([5, 3, 4, 9, 3, 9, 7].map((s) => w.accept(s))).toEqual(['fresh', 'fresh', 'fresh', 'fresh', 'replayed', 'replayed', 'fresh']);
    expect(w.highest).toBe(9);
  });

  it('refuses a seq at or below highest − size as too old, and takes the oldest seq still inside', () => {
    const w = new ReplayWindow(32);
    w.accept(100);
    expect(w.check(68)).toBe('too-old'); // 100 − 68 = 32 = size
    expect(w.accept(69)).toBe('fresh'); // 100 − 69 = 31: the oldest still remembered
    expect(w.accept(69)).toBe('replayed');
  });

  it('forgets the bits of seqs that slid out, so a slot reused by a newer seq starts clear', () => {
    const w = new ReplayWindow(32);
    w.accept(1); // bit 1
    expect(w.accept(33)).toBe('fresh'); // same bit (33 mod 32), one window later
    expect(w.accept(1)).toBe('too-old');
    expect(w.accept(34)).toBe('fresh');
  });

  it('clears everything on a jump of a whole window or more', () => {
    const w = new ReplayWindow(32);
    for (let s = 0; s < 32; s++) w.accept(s);
    expect(w.accept(1000)).toBe('fresh');
    for (let s = 969; s < 1000; s++) expect(w.accept(s), `seq ${s}`).toBe('fresh');
  });

  it('remembers every seq of a full window across 32-bit word boundaries', () => {
    const w = new ReplayWindow(1024);
    const seqs = Array.from({ length: 1024 }, (_, i) => 5000 - i);
    for (const s of seqs) expect(w.accept(s)).toBe('fresh');
    for (const s of seqs) expect(w.accept(s)).toBe('replayed');
  });

  it('check() decides without recording', () => {
    const w = new ReplayWindow(32);
    expect(w.check(7)).toBe('fresh');
    expect(w.check(7)).toBe('fresh');
    expect(w.highest).toBe(-1);
  });

  it.each([0, 31, 100, 1e6, 1.5])('refuses a window of %s seqs instead of rounding it', (size) => {
    expect(() => new ReplayWindow(size)).toThrow(/multiple of 32 from 32 to 65536/);
  });
});
