import { describe, expect, it } from 'vitest';
import { createRng, VirtualClock } from '../../../sim/index';

const T0 = 1_700_000_000_000;

describe('VirtualClock', () => {
  it('starts at the given time and stays there until run', () => {
    const clock = new VirtualClock(T0);
    clock.schedule(T0 + 10, () => {});
    expect(clock.now()).toBe(T0);
    expect(clock.pending).toBe(1);
  });

  it('runs events in time order whatever order they were scheduled in, at their own time', async () => {
    const clock = new VirtualClock(T0);
    const seen: Array<[string, number]> = [];
    for (const [label, at] of [['c', 30], ['a', 10], ['d', 40], ['b', 20]] as const) {
      clock.schedule(T0 + at, (nowMs) => {
        seen.push([label, nowMs - T0]);
        expect(clock.now()).toBe(nowMs);
      });
    }
    await clock.runUntil(T0 + 100);
    expect(seen).toEqual([['a', 10], ['b', 20], ['c', 30], ['d', 40]]);
  });

  it('runs events due at the same time first-in, first-out', async () => {
    const clock = new VirtualClock(T0);
    const seen: number[] = [];
    for (let i = 0; i < 8; i++) clock.schedule(T0 + 5, () => void seen.push(i));
    clock.schedule(T0 + 1, () => void seen.push(-1));
    await clock.runUntil(T0 + 5);
    expect(seen).toEqual([-1, 0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('orders 2,000 events with many ties exactly like a stable sort by time', async () => {
    const clock = new VirtualClock(0);
    const rng = createRng('virtual-clock-order');
    const planned = Array.from({ length: 2_000 }, (_, id) => ({ id, atMs: Math.floor(rng.next() * 200) }));
    const seen: number[] = [];
    for (const { id, atMs } of planned) clock.schedule(atMs, () => void seen.push(id));
    await clock.runUntil(1_000);
    const expected = [...planned].sort((a, b) => a.atMs - b.atMs).map((event) => event.id);
    expect(seen).toEqual(expected);
  });

  it('awaits an async callback before advancing, so work it schedules runs in time order', async () => {
    const clock = new VirtualClock(0);
    const seen: string[] = [];
    clock.schedule(10, async (nowMs) => {
      seen.push(`start@${nowMs}`);
      for (let i = 0; i < 5; i++) await Promise.resolve();
      await new Promise((resolve) => setImmediate(resolve));
      expect(clock.now()).toBe(10);
      clock.schedule(15, (at) => void seen.push(`follow-up@${at}`));
      seen.push('end');
    });
    clock.schedule(20, (nowMs) => void seen.push(`later@${nowMs}`));
    await clock.runUntil(100);
    expect(seen).toEqual(['start@10', 'end', 'follow-up@15', 'later@20']);
  });

  it('runs a callback scheduled for the current time within the same run, after those already due', async () => {
    const clock = new VirtualClock(0);
    const seen: string[] = [];
    clock.schedule(10, () => {
      seen.push('first');
      clock.schedule(10, () => void seen.push('scheduled-now'));
    });
    clock.schedule(10, () => void seen.push('second'));
    await clock.runUntil(10);
    expect(seen).toEqual(['first', 'second', 'scheduled-now']);
  });

  it('runs an event scheduled in the past at the current time, without rewinding', async () => {
    const clock = new VirtualClock(T0);
    await clock.runUntil(T0 + 50);
    const times: number[] = [];
    clock.schedule(T0 + 10, (nowMs) => void times.push(nowMs));
    await clock.runUntil(T0 + 60);
    expect(times).toEqual([T0 + 50]);
  });

  it('ends at endMs, runs an event due exactly then, and leaves later events for the next run', async () => {
    const clock = new VirtualClock(0);
    const seen: number[] = [];
    for (const at of [50, 100, 101, 250]) clock.schedule(at, (nowMs) => void seen.push(nowMs));
    await clock.runUntil(100);
    expect(seen).toEqual([50, 100]);
    expect(clock.now()).toBe(100);
    expect(clock.pending).toBe(2);
    await clock.runUntil(200);
    expect(seen).toEqual([50, 100, 101]);
    expect(clock.now()).toBe(200);
    await clock.runUntil(300);
    expect(seen).toEqual([50, 100, 101, 250]);
    expect(clock.now()).toBe(300);
    expect(clock.pending).toBe(0);
  });

  it('advances to endMs even when nothing is scheduled, and never runs backwards', async () => {
    const clock = new VirtualClock(1_000);
    await clock.runUntil(5_000);
    expect(clock.now()).toBe(5_000);
    await clock.runUntil(2_000);
    expect(clock.now()).toBe(5_000);
  });

  it('never runs a cancelled timer, and does not count it as pending', async () => {
    const clock = new VirtualClock(0);
    const seen: string[] = [];
    const cancelA = clock.schedule(10, () => void seen.push('a'));
    clock.schedule(20, () => void seen.push('b'));
    const cancelC = clock.schedule(30, () => void seen.push('c'));
    cancelA();
    expect(clock.pending).toBe(2);
    clock.schedule(25, () => cancelC());
    await clock.runUntil(100);
    expect(seen).toEqual(['b']);
    expect(clock.pending).toBe(0);
  });

  it('treats cancelling after the run as harmless', async () => {
    const clock = new VirtualClock(0);
    let runs = 0;
    const cancel = clock.schedule(10, () => void runs++);
    await clock.runUntil(20);
    cancel();
    cancel();
    await clock.runUntil(30);
    expect(runs).toBe(1);
  });

  it('rejects runUntil with the error a callback throws, stopping at that event', async () => {
    const clock = new VirtualClock(0);
    const seen: number[] = [];
    clock.schedule(10, () => {
      throw new Error('sensor model failed');
    });
    clock.schedule(20, (nowMs) => void seen.push(nowMs));
    await expect(clock.runUntil(100)).rejects.toThrow('sensor model failed');
    expect(clock.now()).toBe(10);
    expect(seen).toEqual([]);
    await clock.runUntil(100);
    expect(seen).toEqual([20]);
  });
});
