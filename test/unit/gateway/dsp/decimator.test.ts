import { describe, expect, it } from 'vitest';
import { Decimator } from '../../../../gateway/dsp/index';
import { amplitudeAt, dB, tone } from './signals';

const FS = 25_600;
const FACTOR = 4; // 6400 Hz out: Nyquist 3200 Hz, anti-alias cutoff 2560 Hz

/** Decimates 1 s of a unit tone at `hz` and returns the output amplitude at `measureHz` (its alias when above Nyquist). */
function outputAmplitude(hz: number, measureHz: number): number {
  const decimator = new Decimator(FACTOR, FS, 6);
  const x = tone(1, hz, FS, FS);
  const n = decimator.process(x, x.length);
  expect(n).toBe(FS / FACTOR);
  // Skip the first 0.25 s (filter settling), then measure over whole periods of the output rate.
  return amplitudeAt(x.subarray(0, n), measureHz, FS / FACTOR, n / 4, n);
}

describe('Decimator', () => {
  it('passes a tone below the new Nyquist: 1 kHz comes through within 0.1 dB', () => {
    expect(Math.abs(dB(outputAmplitude(1000, 1000)))).toBeLessThan(0.1);
  });

  // 3840 Hz folds to 6400 − 3840 = 2560 Hz (the top of the kept band, the hardest case); 4600 Hz to 1800 Hz; 9000 Hz to 2600 Hz.
  const ALIASES = [
    [3840, 2560],
    [4600, 1800],
    [9000, 2600],
  ] as const;

  it('attenuates tones that would alias into the kept band by at least 40 dB', () => {
    for (const [hz, alias] of ALIASES) expect(dB(outputAmplitude(hz, alias)), `${hz} Hz → ${alias} Hz`).toBeLessThan(-40);
  });

  it('aliases at full amplitude without the filter, so the test above measures the anti-alias filter (control)', () => {
    for (const [hz, alias] of ALIASES) {
      const x = tone(1, hz, FS, FS);
      const kept = Float64Array.from({ length: FS / FACTOR }, (_, i) => x[i * FACTOR]!);
      expect(amplitudeAt(kept, alias, FS / FACTOR), `${hz} Hz → ${alias} Hz`).toBeCloseTo(1, 6);
    }
  });

  it('keeps the keep/drop phase across blocks whose length is not a multiple of the factor', () => {
    const x = tone(1, 300, FS, 4000);
    const whole = x.slice();
    const wholeLength = new Decimator(FACTOR, FS, 6).process(whole, whole.length);
    const pieces = new Decimator(FACTOR, FS, 6);
    const out: number[] = [];
    for (const [from, to] of [
      [0, 1023],
      [1023, 1030],
      [1030, 2049],
      [2049, 4000],
    ] as const) {
      const part = x.slice(from, to);
      const n = pieces.process(part, part.length);
      out.push(...part.subarray(0, n));
    }
    expect(out.length).toBe(wholeLength);
    expect(out).toEqual(Array.from(whole.subarray(0, wholeLength)));
  });
});
