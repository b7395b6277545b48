import { describe, expect, it } from 'vitest';
import { ReleaseQueue, type Ordering } from '../../../../sim/proxy/release-queue';

/** Queues named packets (target time, ordering) and returns their names in release order. */
function order(packets: Array<[name: string, targetMs: number, ordering: Ordering]>): string[] {
  const queue = new ReleaseQueue();
  for (const [name, targetMs, ordering] of packets) {
    const releaseMs = queue.releaseTime(targetMs, ordering);
    queue.note(releaseMs, ordering);
    queue.push(releaseMs, 0, Buffer.from(name), ordering === 'publish' || ordering === 'copy');
  }
  const out: string[] = [];
  for (let item = queue.shiftDue(Infinity); item; item = queue.shiftDue(Infinity)) out.push(item.bytes.toString());
  return out;
}

describe('ReleaseQueue ordering', () => {
  it('lets a PUBLISH overtake a slower PUBLISH when the model times say so', () => {
    expect(order([['p1', 50, 'publish'], ['p2', 10, 'publish']])).toEqual(['p2', 'p1']);
  });

  it('never lets a control packet overtake an earlier delayed PUBLISH', () => {
    expect(order([['p1', 100, 'publish'], ['unsubscribe', 0, 'control']])).toEqual(['p1', 'unsubscribe']);
  });

  it('never lets a PUBLISH overtake an earlier delayed control packet', () => {
    expect(order([['subscribe', 100, 'control'], ['p1', 0, 'publish']])).toEqual(['subscribe', 'p1']);
  });

  it('lets control packets pass a duplicate copy, but not DISCONNECT', () => {
    expect(order([['p1', 0, 'publish'], ['p1-copy', 500, 'copy'], ['puback', 0, 'control'], ['disconnect', 0, 'last']])).toEqual([
      'p1',
      'puback',
      'p1-copy',
      'disconnect',
    ]);
  });

  it('keeps arrival order between packets due at the same time', () => {
    expect(order([['a', 5, 'publish'], ['b', 5, 'control'], ['c', 5, 'publish'], ['d', 5, 'publish']])).toEqual(['a', 'b', 'c', 'd']);
  });

  it('releases only what is due, and tracks queued bytes', () => {
    const queue = new ReleaseQueue();
    queue.push(10, 0, Buffer.alloc(3), true);
    queue.push(20, 0, Buffer.alloc(4), true);
    expect(queue.bytes).toBe(7);
    expect(queue.nextMs).toBe(10);
    expect(queue.shiftDue(9)).toBeUndefined();
    expect(queue.shiftDue(10)?.bytes.length).toBe(3);
    expect(queue.shiftDue(15)).toBeUndefined();
    expect(queue.bytes).toBe(4);
    expect(queue.clear()).toBe(1);
    expect(queue.nextMs).toBe(Infinity);
  });
});
