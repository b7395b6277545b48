import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ScaledRealClock } from '../../../sim/index';
import { manualWall } from '../../support/manual-wall';

const T0 = 1_700_000_000_000;

describe('ScaledRealClock pace: pause, resume, factor', () => {
  it('holds simulated time while paused and runs on from there after resume, at the same factor', () => {
    const wall = manualWall(0);
    const clock = new ScaledRealClock({ factor: 10, startMs: T0, wallMs: wall.wallMs });
    wall.advance(100);
    expect(clock.now()).toBe(T0 + 1_000);
    clock.pause();
    expect(clock.paused).toBe(true);
    wall.advance(5_000);
    expect(clock.now()).toBe(T0 + 1_000);
    clock.pause();
    expect(clock.now()).toBe(T0 + 1_000);
    clock.resume();
    expect(clock.paused).toBe(false);
    expect(clock.now()).toBe(T0 + 1_000);
    wall.advance(30);
    expect(clock.now()).toBe(T0 + 1_300);
  });

  it('changes the factor from now on, leaving the time that has passed as it was (also while paused)', () => {
    const wall = manualWall(0);
    const clock = new ScaledRealClock({ factor: 2, startMs: T0, wallMs: wall.wallMs });
    wall.advance(100);
    clock.setFactor(50);
    expect(clock.factor).toBe(50);
    expect(clock.now()).toBe(T0 + 200);
    wall.advance(10);
    expect(clock.now()).toBe(T0 + 700);
    clock.pause();
    clock.setFactor(1);
    wall.advance(1_000);
    expect(clock.now()).toBe(T0 + 700);
    clock.resume();
    wall.advance(40);
    expect(clock.now()).toBe(T0 + 740);
  });

  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY])('rejects the new factor %s and keeps the old one', (factor) => {
    const clock = new ScaledRealClock({ factor: 3, startMs: T0, wallMs: () => 0 });
    expect(() => clock.setFactor(factor)).toThrow(`time factor must be a positive number, got ${factor}`);
    expect(clock.factor).toBe(3);
  });
});

describe('ScaledRealClock timers across a change of pace (fake timers)', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const fakeWallClock = (factor: number) => new ScaledRealClock({ factor, startMs: T0, wallMs: () => Date.now() });

  it('keeps a timer waiting while paused and fires it after resume, when simulated time reaches it', () => {
    const clock = fakeWallClock(1);
    const fired: number[] = [];
    clock.schedule(T0 + 100, (nowMs) => void fired.push(nowMs));
    vi.advanceTimersByTime(40);
    clock.pause();
    vi.advanceTimersByTime(10_000);
    expect(fired).toEqual([]);
    clock.resume();
    vi.advanceTimersByTime(59);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(fired).toEqual([T0 + 100]);
  });

  it('runs a timer already due while paused', () => {
    const clock = fakeWallClock(1);
    vi.advanceTimersByTime(50);
    clock.pause();
    const fired: number[] = [];
    clock.schedule(T0 + 20, (nowMs) => void fired.push(nowMs));
    vi.advanceTimersByTime(0);
    expect(fired).toEqual([T0 + 50]);
  });

  it('re-arms waiting timers when the factor rises: a timer 10 s of simulated time away fires after 0.1 s of wall time at ×100', () => {
    const clock = fakeWallClock(1);
    const fired: number[] = [];
    clock.schedule(T0 + 10_000, (nowMs) => void fired.push(nowMs));
    vi.advanceTimersByTime(1);
    clock.setFactor(100);
    vi.advanceTimersByTime(98);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(3);
    // Never early; late by at most the one wall ms a whole-ms timer rounds up to (100 ms of simulated time at ×100).
    expect(fired).toHaveLength(1);
    expect(fired[0]).toBeGreaterThanOrEqual(T0 + 10_000);
    expect(fired[0]).toBeLessThanOrEqual(T0 + 10_100);
  });

  it('never runs a timer cancelled while paused', () => {
    const clock = fakeWallClock(1);
    const fired: string[] = [];
    const cancel = clock.schedule(T0 + 10, () => void fired.push('cancelled'));
    clock.schedule(T0 + 20, () => void fired.push('kept'));
    clock.pause();
    cancel();
    clock.resume();
    vi.advanceTimersByTime(100);
    expect(fired).toEqual(['kept']);
  });
});
