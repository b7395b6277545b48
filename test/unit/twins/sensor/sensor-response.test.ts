import { describe, expect, it } from 'vitest';
import { measurand, record, sensorChannel, sine } from './sensor-fixtures';
import { toneAmplitude } from './welch';

/** x(t) = 3t − 4 on [0, 2.56) s: a noise-free ramp through zero. */
const ramp = measurand((t) => 3 * t - 4);

describe('SensorChannel transfer', () => {
  it('outputs exactly sensitivity·(1 + scaleFactorError)·x + bias on a noise-free ramp', () => {
    const { values, timesS } = record(sensorChannel({ rateHz: 100, blockSamples: 64, measurand: ramp, model: { sensitivity: 2, scaleFactorError: 0.01, bias: 0.5 } }), 4);
    for (let i = 0; i < values.length; i++) {
      expect(values[i]).toBe(Math.fround(2 * (1 + 0.01) * (3 * timesS[i]! - 4) + 0.5));
    }
    // Spot values: x(0) = −4 → 2.02·(−4) + 0.5 = −7.58; x(1) = −1 → −1.52.
    expect(values[0]).toBe(Math.fround(-7.58));
    expect(values[100]).toBe(Math.fround(-1.52));
  });

  it('saturates at ±range and passes values inside it untouched', () => {
    const { values, timesS } = record(sensorChannel({ rateHz: 100, blockSamples: 64, measurand: ramp, model: { range: 2.5 } }), 4);
    let clampedLow = 0;
    let clampedHigh = 0;
    for (let i = 0; i < values.length; i++) {
      const x = 3 * timesS[i]! - 4;
      if (x <= -2.5) clampedLow++;
      if (x >= 2.5) clampedHigh++;
      expect(values[i]).toBe(Math.fround(Math.min(2.5, Math.max(-2.5, x))));
    }
    // x < −2.5 for t < 0.5 s (50 samples), x ≥ 2.5 from t = 2.1666… s (samples 217 … 255).
    expect(clampedLow).toBe(51);
    expect(clampedHigh).toBe(39);
    expect(Math.min(...values)).toBe(-2.5);
    expect(Math.max(...values)).toBe(2.5);
  });

  it('quantizes onto the LSB = 2·range/2^bits grid with at most LSB/2 error, top code range − LSB', () => {
    // range 4, 8 bits: LSB = 8/256 = 1/32; codes −128 … 127 span −4 … 3.96875.
    const lsb = 1 / 32;
    const { values, timesS } = record(sensorChannel({ rateHz: 1000, blockSamples: 128, measurand: measurand((t) => 5 * Math.sin(2 * Math.PI * t)), model: { range: 4, adcBits: 8 } }), 8);
    let worst = 0;
    for (let i = 0; i < values.length; i++) {
      const code = values[i]! / lsb;
      expect(Number.isInteger(code)).toBe(true);
      const x = 5 * Math.sin(2 * Math.PI * timesS[i]!);
      if (x >= -4 && x < 4 - lsb / 2) worst = Math.max(worst, Math.abs(values[i]! - x));
    }
    expect(worst).toBeLessThanOrEqual(lsb / 2);
    expect(worst).toBeGreaterThan(0.45 * lsb);
    expect(Math.max(...values)).toBe(4 - lsb);
    expect(Math.min(...values)).toBe(-4);
  });

  it('keeps noisy values on the ADC grid: noise is added before quantization', () => {
    const { values } = record(sensorChannel({ rateHz: 1000, blockSamples: 100, model: { noiseDensity: 0.01, range: 1, adcBits: 12 } }), 10);
    const lsb = 2 / 4096;
    expect(values.every((v) => Number.isInteger(v / lsb))).toBe(true);
    expect(new Set(values).size).toBeGreaterThan(20);
  });
});

describe('SensorChannel anti-alias filter and decimation', () => {
  // 1 kHz output, ×8 oversampling, cutoff 0.4·1000 = 400 Hz at fs = 8 kHz. A bilinear Butterworth of order 4 has
  // |H(f)| = 1/√(1 + (tan(πf/fs)/tan(πfc/fs))^8).
  const butterworth = (hz: number) => 1 / Math.sqrt(1 + (Math.tan((Math.PI * hz) / 8000) / Math.tan((Math.PI * 400) / 8000)) ** 8);
  /** Amplitude at `hz` in the last 1 s (1000 samples) of 2 s, after the filter has settled. */
  const amplitudeAt = (toneHz: number, hz: number, decimation: number) => {
    const { values } = record(sensorChannel({ rateHz: 1000, blockSamples: 250, measurand: sine(1, toneHz), model: { decimation } }), 8);
    return toneAmplitude(values.subarray(1000), 1000, hz);
  };

  it('passes a 250 Hz tone within 0.5 dB, at the Butterworth gain of −0.096 dB', () => {
    const amplitude = amplitudeAt(250, 250, 8);
    expect(Math.abs(20 * Math.log10(amplitude))).toBeLessThan(0.5);
    expect(20 * Math.log10(butterworth(250))).toBeCloseTo(-0.0963, 3);
    expect(Math.abs(amplitude / butterworth(250) - 1)).toBeLessThan(1e-3);
  });

  it('attenuates a 1700 Hz tone, which would alias to 300 Hz, by at least 40 dB', () => {
    const amplitude = amplitudeAt(1700, 300, 8);
    expect(20 * Math.log10(amplitude)).toBeLessThan(-40);
    expect(Math.abs(amplitude / butterworth(1700) - 1)).toBeLessThan(0.02);
    // Without oversampling and its filter the same tone aliases at full amplitude.
    expect(amplitudeAt(1700, 300, 1)).toBeCloseTo(1, 4);
  });

  it('carries filter state across blocks: block size does not change the output', () => {
    const run = (blockSamples: number) =>
      record(sensorChannel({ rateHz: 1000, blockSamples, measurand: sine(1, 123), model: { decimation: 4 } }), 1000 / blockSamples).values;
    expect(Array.from(run(10))).toEqual(Array.from(run(250)));
  });

  it('starts settled: a constant input reads its value from the first sample', () => {
    const { values } = record(sensorChannel({ rateHz: 10, blockSamples: 5, measurand: measurand(() => 21.5, 'degC'), model: { decimation: 16 } }), 4);
    expect(Array.from(values)).toEqual(new Array(20).fill(21.5));
  });
});

describe('SensorChannel first-order lag', () => {
  it('follows 1 − e^(−t/τ) within 1 % on a thermocouple step from 20 to 100 °C (τ = 5 s at 1 Hz)', () => {
    const tauS = 5;
    const stepS = 10;
    const { values, timesS } = record(
      sensorChannel({ rateHz: 1, blockSamples: 1, measurand: measurand((t) => (t > stepS ? 100 : 20), 'degC'), model: { timeConstantS: tauS } }),
      60,
    );
    let worst = 0;
    for (let i = 0; i < values.length; i++) {
      const t = timesS[i]!;
      const expected = t <= stepS ? 20 : 20 + 80 * (1 - Math.exp(-(t - stepS) / tauS));
      worst = Math.max(worst, Math.abs(values[i]! - expected) / 80);
    }
    expect(worst).toBeLessThan(0.01);
    // One time constant after the step: 20 + 80·(1 − e^(−1)) = 70.57 °C.
    expect(values[15]).toBeCloseTo(20 + 80 * (1 - Math.exp(-1)), 4);
    expect(values[15]).toBeCloseTo(70.5696, 3);
  });

  it('has no start-up transient: the first output is the first input', () => {
    const { values } = record(sensorChannel({ rateHz: 1, blockSamples: 4, measurand: measurand(() => 20, 'degC'), model: { timeConstantS: 30 } }), 3);
    expect(Array.from(values)).toEqual(new Array(12).fill(20));
  });

  it('filters at the oversampled rate when decimating: same step response at 10 Hz × 10', () => {
    const { values, timesS } = record(
      sensorChannel({ rateHz: 10, blockSamples: 10, measurand: measurand((t) => (t > 1 ? 1 : 0)), model: { timeConstantS: 2, decimation: 10, antiAliasHz: 40 } }),
      20,
    );
    // The 40 Hz anti-alias filter delays by 2.613/(2π·40 Hz) = 10 ms at low frequency (Butterworth, order 4),
    // worth 0.5 % of the step here. A lag factor 1 − e^(−Δt/τ) taken at the output Δt would respond ten times faster.
    let worst = 0;
    for (let i = 0; i < values.length; i++) {
      const t = timesS[i]!;
      if (t > 1.2) worst = Math.max(worst, Math.abs(values[i]! - (1 - Math.exp(-(t - 1) / 2))));
    }
    expect(worst).toBeLessThan(0.01);
  });
});
