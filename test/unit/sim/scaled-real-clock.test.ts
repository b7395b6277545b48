import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { monotonicWallMs, ScaledRealClock } from '../../../sim/index';
import { manualWall } from '../../support/manual-wall';

const T0 = 1_700_000_000_000;

describe('ScaledRealClock time', () => {
  it('reads startMs + (wall − wall at construction) · factor', () => {
    const wall = manualWall(5_000);
    const clock = new ScaledRealClock({ factor: 20, startMs: T0, wallMs: wall.wallMs });
    expect(clock.now()).toBe(T0);
    wall.advance(10);
    expect(clock.now()).toBe(T0 + 200);
    wall.advance(0.5);
    expect(clock.now()).toBe(T0 + 210);
    wall.advance(1_000);
    expect(clock.now()).toBe(T0 + 20_210);
  });

  it('starts at the wall time and runs at real speed by default', () => {
    const wall = manualWall(1_234);
    const clock = new ScaledRealClock({ wallMs: wall.wallMs });
    expect(clock.factor).toBe(1);
    expect(clock.now()).toBe(1_234);
    wall.advance(7);
    expect(clock.now()).toBe(1_241);
  });

  it('reads the monotonic wall clock when none is injected', () => {
    const before = monotonicWallMs();
    const clock = new ScaledRealClock();
    const reading = clock.now();
    expect(reading).toBeGreaterThanOrEqual(before);
    expect(reading).toBeLessThanOrEqual(monotonicWallMs());
    expect(Math.abs(monotonicWallMs() - Date.now())).toBeLessThan(1_000);
  });

  it.each([0, -2, Number.NaN, Number.POSITIVE_INFINITY])('rejects the time factor %s', (factor) => {
    expect(() => new ScaledRealClock({ factor })).toThrow(RangeError);
    expect(() => new ScaledRealClock({ factor })).toThrow(`time factor must be a positive number, got ${factor}`);
  });
});

describe('ScaledRealClock timers (fake timers)', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const fakeWallClock = (factor: number) => new ScaledRealClock({ factor, startMs: T0, wallMs: () => Date.now() });

  it('waits (atMs − now) / factor wall milliseconds, then passes the simulated time', () => {
    const clock = fakeWallClock(50);
    const fired: number[] = [];
    clock.schedule(T0 + 500, (nowMs) => void fired.push(nowMs));
    vi.advanceTimersByTime(9);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(fired).toEqual([T0 + 500]);
  });

  it('runs a timer for a time already past on the next turn', () => {
    const clock = fakeWallClock(10);
    vi.advanceTimersByTime(100);
    const fired: number[] = [];
    clock.schedule(T0, (nowMs) => void fired.push(nowMs));
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(0);
    expect(fired).toEqual([T0 + 1_000]);
  });

  it('never runs a cancelled timer', () => {
    const clock = fakeWallClock(1);
    const fired: string[] = [];
    const cancel = clock.schedule(T0 + 100, () => void fired.push('cancelled'));
    clock.schedule(T0 + 200, () => void fired.push('kept'));
    cancel();
    vi.advanceTimersByTime(1_000);
    expect(fired).toEqual(['kept']);
  });

  it('hands errors from callbacks, thrown or rejected, to onError', async () => {
    const errors: unknown[] = [];
    const clock = new ScaledRealClock({ factor: 1, startMs: T0, wallMs: () => Date.now(), onError: (error) => errors.push(error) });
    clock.schedule(T0 + 10, () => {
      throw new Error('sync failure');
    });
    clock.schedule(T0 + 20, async () => {
      await Promise.resolve();
      throw new Error('async failure');
    });
    await vi.advanceTimersByTimeAsync(30);
    expect(errors.map((error) => (error as Error).message)).toEqual(['sync failure', 'async failure']);
  });
});

describe('ScaledRealClock on real timers', () => {
  /** Reads the wall clock around the construction of a ×50 clock that reads it too, so its anchor lies between. */
  const bracketedClock = () => {
    const beforeMs = monotonicWallMs();
    const clock = new ScaledRealClock({ factor: 50, startMs: T0 });
    return { clock, beforeMs, afterMs: monotonicWallMs() };
  };

  it('at factor 50 runs a timer 500 ms of simulated time ahead no earlier than that, and hands it the clock\'s reading', async () => {
    const { clock, beforeMs } = bracketedClock();
    const { nowMs, wallMs } = await new Promise<{ nowMs: number; wallMs: number }>((resolve) => {
      clock.schedule(T0 + 500, (nowMs) => resolve({ nowMs, wallMs: monotonicWallMs() }));
    });
    // Never early, though JavaScript timers round their delays: it re-checks the clock before running the callback.
    expect(nowMs).toBeGreaterThanOrEqual(T0 + 500);
    // So at least 500 / 50 = 10 ms of wall time went by since the clock was made.
    expect(wallMs - beforeMs).toBeGreaterThanOrEqual(10);
    // And what it was handed is the clock's own reading at that moment: startMs + 50 × the wall time since.
    expect(nowMs).toBeLessThanOrEqual(T0 + 50 * (wallMs - beforeMs));
    expect(nowMs).toBeLessThanOrEqual(clock.now());
  });

  it('hands a timer that runs late the simulated time it runs at, not the time it was due', async () => {
    const { clock, afterMs } = bracketedClock();
    const fired = new Promise<number>((resolve) => clock.schedule(T0 + 500, resolve));
    // Hold the thread for 40 ms of wall time (2,000 ms simulated): the timer cannot run before the hold ends.
    let heldUntilMs = monotonicWallMs();
    while (heldUntilMs - afterMs < 40) heldUntilMs = monotonicWallMs();
    const nowMs = await fired;
    expect(nowMs).toBeGreaterThanOrEqual(T0 + 50 * (heldUntilMs - afterMs));
    expect(nowMs).toBeGreaterThanOrEqual(T0 + 2_000);
  });
});
