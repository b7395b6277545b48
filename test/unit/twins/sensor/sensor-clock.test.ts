import { describe, expect, it } from 'vitest';
import { difference, rms, std } from './stats';
import { record, sensorChannel, sine } from './sensor-fixtures';
import { zeroCrossingHz } from './welch';

describe('SensorChannel clock jitter', () => {
  // A = 1 g at 1 kHz, σ = 1 µs: the error x′(t)·δ has RMS A·ω·σ/√2 = 2π·1000·1e-6/√2 = 4.443 mg.
  const amplitude = 1;
  const hz = 1000;
  const jitterS = 1e-6;
  const clean = record(sensorChannel({ rateHz: 25_600, blockSamples: 1024, measurand: sine(amplitude, hz) }), 100);
  const jittered = record(sensorChannel({ rateHz: 25_600, blockSamples: 1024, measurand: sine(amplitude, hz), model: { clockJitterS: jitterS } }), 100);
  const error = difference(jittered.values, clean.values);

  it('adds an error of RMS A·ω·σ/√2 within 15 % on a sine', () => {
    const expected = (amplitude * 2 * Math.PI * hz * jitterS) / Math.SQRT2;
    expect(expected).toBeCloseTo(4.4429e-3, 7);
    expect(Math.abs(rms(error) / expected - 1)).toBeLessThan(0.15);
  });

  it('shifts every sample, block edges included, by x′(t)·δ with δ of σ', () => {
    // δ = error/x′ where |cos ωt| > ½; block starts fall at cos ωt = 1 (every 40 ms is 40 whole periods).
    const deltas: number[] = [];
    for (let i = 0; i < error.length; i++) {
      const slope = amplitude * 2 * Math.PI * hz * Math.cos(2 * Math.PI * hz * clean.timesS[i]!);
      if (Math.abs(slope) > amplitude * Math.PI * hz) deltas.push(error[i]! / slope);
    }
    // Central differences read x′ low by sin(ωΔt)/(ωΔt) = 0.990 at 1 kHz/25.6 kHz.
    expect(Math.abs(std(deltas) / (0.99 * jitterS) - 1)).toBeLessThan(0.03);
    expect(Math.max(...deltas.map(Math.abs))).toBeLessThan(6 * jitterS);
    for (let k = 0; k < 100; k++) expect(Math.abs(error[k * 1024]!)).toBeLessThan(6 * 2 * Math.PI * hz * jitterS);
  });
});

describe('SensorChannel clock skew', () => {
  // 4 s of a 1000 Hz tone at 25.6 kHz; interpolated zero crossings resolve its frequency to about 0.01 ppm.
  const within0p1Ppm = (hz: number, expectedHz: number) => expect(Math.abs(hz / expectedHz - 1)).toBeLessThan(1e-7);
  const toneHz = (clockSkewPpm: number) => {
    const { values, blocks } = record(sensorChannel({ rateHz: 25_600, blockSamples: 1024, measurand: sine(1, 1000), model: { clockSkewPpm } }), 100);
    return { hz: zeroCrossingHz(values, 25_600), tsOffsetsMs: blocks.map((b) => b.tsOffsetMs) };
  };

  it('reads an unskewed 1000 Hz tone at 1000 Hz', () => {
    within0p1Ppm(toneHz(0).hz, 1000);
  });

  it('shows a tone at f·(1 + 1e-3) on a clock slow by 1000 ppm, with nominal timestamps', () => {
    const { hz, tsOffsetsMs } = toneHz(-1000);
    // Exactly f/(1 + ppm·1e-6) = 1000/0.999 = 1001.001 Hz, f·(1 + 1e-3) to first order.
    within0p1Ppm(hz, 1000 / 0.999);
    expect(Math.abs(hz / 1001 - 1)).toBeLessThan(2e-6);
    expect(tsOffsetsMs.every((ms) => ms === 0)).toBe(true);
  });

  it('shows a tone at f/(1 + 1e-3) = 999.001 Hz on a clock fast by 1000 ppm', () => {
    within0p1Ppm(toneHz(1000).hz, 1000 / 1.001);
  });
});
