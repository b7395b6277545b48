import { describe, expect, it } from 'vitest';
import { DriftEstimator } from '../../../../scenarios/hardware/drift-estimator';

/** A device whose clock runs `ppm` fast, read every 10 ms over `seconds`, each reading late by `delayMs(t)` ≥ 0. */
function readings(ppm: number, seconds: number, delayMs: (tMs: number, i: number) => number): DriftEstimator {
  const estimator = new DriftEstimator();
  for (let i = 0; i * 10 < seconds * 1000; i++) {
    const tMs = i * 10;
    estimator.add(1_000_000 + tMs + delayMs(tMs, i), 5_000 + tMs * (1 + ppm * 1e-6));
  }
  return estimator;
}

// A line's delay: 2 ms, plus up to 8 ms of jitter that repeats (no randomness needed to be ragged).
const ragged = (_tMs: number, i: number) => 2 + ((i * 7919) % 97) / 12;

describe('the clock drift estimator', () => {
  it('says nothing before three seconds of readings', () => {
    expect(readings(20_000, 2, ragged).ppm()).toBeUndefined();
  });

  // Its resolution is about 1 ms ÷ the span: 250 ppm over 4 s.
  it('finds a device 20,000 ppm fast, or 15,000 slow, through a ragged line delay, to within 250 ppm over 4 s', () => {
    expect(Math.abs(readings(20_000, 4, ragged).ppm()! - 20_000)).toBeLessThan(250);
    expect(Math.abs(readings(-15_000, 4, ragged).ppm()! + 15_000)).toBeLessThan(250);
  });

  it('is not moved by a second in which every reading came 60 ms late (a starved machine): that second lifts off the line', () => {
    const starved = (tMs: number, i: number) => ragged(tMs, i) + (tMs >= 2000 && tMs < 3000 ? 60 : 0);
    // A least-squares line through all the per-second points is off by 918 ppm here.
    expect(Math.abs(readings(20_000, 4.5, starved).ppm()! - 20_000)).toBeLessThan(250);
  });

  it('keeps every second when they are all a little late by different amounts: none stands out, so the rate uses them all', () => {
    // Each second's floor delay differs by up to 12 ms; keeping only those nearest the floor would fit 2 or 3 of 8.
    const offsets = [0, 9, 4, 12, 6, 1, 10, 3];
    const uneven = (tMs: number, i: number) => ragged(tMs, i) + offsets[Math.floor(tMs / 1000)]!;
    expect(Math.abs(readings(20_000, 8, uneven).ppm()! - 20_000)).toBeLessThan(400);
  });
});
