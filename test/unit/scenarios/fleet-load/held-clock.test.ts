import { afterEach, describe, expect, it, vi } from 'vitest';
import { blocksBetween } from '../../../../scenarios/index';
import { HeldClock, Scheduler, VirtualClock } from '../../../../sim/index';

const T0 = 1_767_225_600_000;

afterEach(() => {
  vi.useRealTimers();
});

/** A HeldClock on fake timers and a fake wall clock that moves with them. */
function heldClock(factor = 1) {
  vi.useFakeTimers();
  const wallStart = Date.now();
  return new HeldClock(factor, T0, { wallMs: () => Date.now() - wallStart });
}

describe('HeldClock', () => {
  it('stands at its start and runs nothing until released', async () => {
    const clock = heldClock();
    const ran: number[] = [];
    clock.schedule(T0, () => void ran.push(0));
    await vi.advanceTimersByTimeAsync(5_000);
    expect(clock.now()).toBe(T0);
    expect(ran).toEqual([]);
    clock.release();
    await vi.advanceTimersByTimeAsync(0);
    expect(ran).toEqual([0]);
  });

  it('runs jobs in time order, first in first out at equal times, never before their time', async () => {
    const clock = heldClock();
    const ran: [string, number][] = [];
    const job = (name: string) => (nowMs: number) => void ran.push([name, nowMs - T0]);
    clock.schedule(T0 + 300, job('c'));
    clock.schedule(T0 + 100, job('a'));
    clock.schedule(T0 + 100, job('b'));
    clock.release();
    clock.schedule(T0 + 200.5, job('fraction'));
    await vi.advanceTimersByTimeAsync(250);
    expect(ran).toEqual([['a', 100], ['b', 100], ['fraction', 201]]);
    await vi.advanceTimersByTimeAsync(100);
    expect(ran.map(([name]) => name)).toEqual(['a', 'b', 'fraction', 'c']);
    for (const [, atMs] of ran) expect(atMs).toBeGreaterThanOrEqual(100);
  });

  it('scales time by its factor from the release', async () => {
    const clock = heldClock(10);
    await vi.advanceTimersByTimeAsync(1_000);
    clock.release();
    const ran: number[] = [];
    clock.schedule(T0 + 5_000, (nowMs) => void ran.push(nowMs - T0));
    await vi.advanceTimersByTimeAsync(499);
    expect(ran).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(ran).toEqual([5_000]);
  });

  it('drops cancelled jobs, and hands what a job throws or rejects with to onError', async () => {
    vi.useFakeTimers();
    const errors: string[] = [];
    const wallStart = Date.now();
    const clock = new HeldClock(1, T0, { wallMs: () => Date.now() - wallStart, onError: (e) => void errors.push((e as Error).message) });
    const ran: string[] = [];
    clock.schedule(T0 + 10, () => void ran.push('cancelled'))();
    clock.schedule(T0 + 20, () => {
      throw new Error('thrown');
    });
    clock.schedule(T0 + 30, async () => {
      throw new Error('rejected');
    });
    clock.schedule(T0 + 40, () => void ran.push('after'));
    clock.release();
    await vi.advanceTimersByTimeAsync(100);
    expect(ran).toEqual(['after']);
    expect(errors).toEqual(['thrown', 'rejected']);
  });

  it('drives Scheduler.every as the fleet uses it: each period, the next tick armed when one settles', async () => {
    const clock = heldClock();
    const ticks: number[] = [];
    new Scheduler(clock).every(1000, async (tickMs) => void ticks.push(tickMs - T0), { startMs: T0 + 250, endMs: T0 + 3_250 });
    clock.release();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(ticks).toEqual([250, 1_250, 2_250, 3_250]);
  });
});

describe('blocksBetween', () => {
  it('counts the blocks TwinFleet schedules: every tick start + k·block ≤ end − block', async () => {
    for (const [durationMs, blockMs] of [[60_000, 1_000], [4_000, 40], [10_500, 1_000], [999, 1_000], [1_000, 1_000], [3_000, 1024 / 25.6], [600_000, 10_000], [100, 0.1]] as const) {
      const clock = new VirtualClock(T0);
      let ticks = 0;
      new Scheduler(clock).every(blockMs, () => void ticks++, { startMs: T0, endMs: T0 + durationMs - blockMs });
      await clock.runUntil(T0 + durationMs * 2);
      expect(blocksBetween(T0, T0 + durationMs, blockMs), `${durationMs} ms in blocks of ${blockMs} ms`).toBe(ticks);
    }
  });
});
