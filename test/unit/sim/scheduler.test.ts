import { afterEach, describe, expect, it, vi } from 'vitest';
import { ScaledRealClock, Scheduler, VirtualClock } from '../../../sim/index';

const T0 = 1_700_000_000_000;

describe('Scheduler.at and Scheduler.after', () => {
  it('run once at an absolute time, or a delay from now', async () => {
    const clock = new VirtualClock(T0);
    const scheduler = new Scheduler(clock);
    await clock.runUntil(T0 + 100);
    const seen: Array<[string, number]> = [];
    scheduler.at(T0 + 130, (nowMs) => void seen.push(['at', nowMs - T0]));
    scheduler.after(20, (nowMs) => void seen.push(['after', nowMs - T0]));
    await clock.runUntil(T0 + 1_000);
    expect(seen).toEqual([['after', 120], ['at', 130]]);
  });

  it('return a cancel that stops the job', async () => {
    const clock = new VirtualClock(0);
    const scheduler = new Scheduler(clock);
    let runs = 0;
    scheduler.after(10, () => void runs++)();
    await clock.runUntil(100);
    expect(runs).toBe(0);
  });
});

describe('Scheduler.every', () => {
  it('ticks at start + k·period with the tick index, at the clock time of the tick', async () => {
    const clock = new VirtualClock(T0);
    const ticks: Array<[number, number]> = [];
    new Scheduler(clock).every(
      250,
      (tickMs, tick) => {
        expect(clock.now()).toBe(tickMs);
        ticks.push([tickMs - T0, tick]);
      },
      { startMs: T0 + 1_000 },
    );
    await clock.runUntil(T0 + 2_000);
    expect(ticks).toEqual([[1_000, 0], [1_250, 1], [1_500, 2], [1_750, 3], [2_000, 4]]);
  });

  it('starts at the current time by default', async () => {
    const clock = new VirtualClock(T0 + 7);
    const ticks: number[] = [];
    new Scheduler(clock).every(100, (tickMs) => void ticks.push(tickMs - T0));
    await clock.runUntil(T0 + 310);
    expect(ticks).toEqual([7, 107, 207, 307]);
  });

  it('does not drift over 10,000 ticks of a period that is not exact in binary', async () => {
    const clock = new VirtualClock(0);
    const periodMs = 0.1;
    const ticks: number[] = [];
    new Scheduler(clock).every(periodMs, (tickMs) => void ticks.push(tickMs), { startMs: 0, endMs: 999.95 });
    await clock.runUntil(2_000);
    expect(ticks).toHaveLength(10_000);
    // Accumulating `t += 0.1` would be off by ~2e-10 by now; anchoring to the start is exact.
    ticks.forEach((tickMs, k) => {
      if (tickMs !== k * periodMs) expect.fail(`tick ${k} at ${tickMs}, expected ${k * periodMs}`);
    });
    let accumulated = 0;
    for (let k = 1; k < 10_000; k++) accumulated += periodMs;
    expect(accumulated).not.toBe(9_999 * periodMs);
  });

  it('stops after the last tick at or before endMs', async () => {
    const clock = new VirtualClock(0);
    const ticks: number[] = [];
    new Scheduler(clock).every(100, (tickMs) => void ticks.push(tickMs), { startMs: 0, endMs: 300 });
    await clock.runUntil(10_000);
    expect(ticks).toEqual([0, 100, 200, 300]);
    expect(clock.pending).toBe(0);
  });

  it('stops when cancelled between runs', async () => {
    const clock = new VirtualClock(0);
    const ticks: number[] = [];
    const cancel = new Scheduler(clock).every(100, (tickMs) => void ticks.push(tickMs));
    await clock.runUntil(250);
    cancel();
    await clock.runUntil(1_000);
    expect(ticks).toEqual([0, 100, 200]);
    expect(clock.pending).toBe(0);
  });

  it('stops when cancelled from inside its own tick', async () => {
    const clock = new VirtualClock(0);
    const ticks: number[] = [];
    const cancel = new Scheduler(clock).every(100, (tickMs, tick) => {
      ticks.push(tickMs);
      if (tick === 2) cancel();
    });
    await clock.runUntil(1_000);
    expect(ticks).toEqual([0, 100, 200]);
  });

  it.each([0, -5, Number.NaN])('rejects the period %s', (periodMs) => {
    const scheduler = new Scheduler(new VirtualClock(0));
    expect(() => scheduler.every(periodMs, () => {})).toThrow(RangeError);
  });
});

describe('Scheduler.every with an async tick on a real-time clock', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('never starts a tick before the previous one settles, and keeps the anchored tick times', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const clock = new ScaledRealClock({ factor: 1, startMs: T0, wallMs: () => Date.now() });
    let running = 0;
    let maxRunning = 0;
    const started: Array<[number, number]> = [];
    const cancel = new Scheduler(clock).every(10, async (tickMs, tick) => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      started.push([tick, tickMs - T0]);
      // Each tick takes 25 ms, two and a half periods.
      await new Promise((resolve) => setTimeout(resolve, 25));
      running--;
    });
    await vi.advanceTimersByTimeAsync(110);
    cancel();
    expect(maxRunning).toBe(1);
    // Ticks start at wall 0, 25, 50, 75, 100: late, one at a time, each carrying its own k·period time.
    expect(started).toEqual([[0, 0], [1, 10], [2, 20], [3, 30], [4, 40]]);
  });
});
