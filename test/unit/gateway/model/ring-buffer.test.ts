import { describe, expect, it } from 'vitest';
import { RingBuffer } from '../../../../gateway/model/ring-buffer';

describe('RingBuffer', () => {
  it('keeps the latest items, oldest first, dropping the oldest once full', () => {
    const ring = new RingBuffer<number>(3);
    ring.push(1);
    ring.push(2);
    expect(ring.toArray()).toEqual([1, 2]);
    for (const x of [3, 4, 5]) ring.push(x);
    expect(ring.toArray()).toEqual([3, 4, 5]);
    expect(ring.size).toBe(3);
  });

  it('refuses a capacity that is not a positive integer', () => {
    expect(() => new RingBuffer(0)).toThrow(RangeError);
  });
});
