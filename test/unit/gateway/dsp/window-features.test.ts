import { describe, expect, it } from 'vitest';
import { FeaturesConfigSchema, WindowAnalyzer, bandFeatureName, windowStats, type FeaturesConfig } from '../../../../gateway/dsp/index';
import { noise, sum, tone } from './signals';

const FS = 25_600;
const N = 25_600; // 1 s: padded to a 32,768-point FFT, bins 0.78125 Hz apart
const BIN_HZ = FS / 32_768;

const analyzer = (features: Partial<FeaturesConfig>, fn: 'hann' | 'rect' = 'hann') => new WindowAnalyzer(FeaturesConfigSchema.parse(features), fn);

describe('window statistics', () => {
  it('give rms = A/√2, peak = A, crest √2, kurtosis 1.5 and skewness 0 on a pure sine', () => {
    // 100 whole periods; sample 64 of each 256-sample period sits on the crest.
    const stats = windowStats(tone(0.7, 100, FS, N));
    expect(stats.rms).toBeCloseTo(0.7 / Math.SQRT2, 9);
    expect(stats.peak).toBeCloseTo(0.7, 9);
    expect(stats.crest).toBeCloseTo(Math.SQRT2, 9);
    expect(stats.kurtosis).toBeCloseTo(1.5, 9);
    expect(stats.skewness).toBeCloseTo(0, 9);
    expect(stats.mean).toBeCloseTo(0, 9);
  });

  it('measure kurtosis and skewness about the mean, so a 25 °C offset changes neither (rms and crest include it)', () => {
    const stats = windowStats(sum(tone(0.01, 100, FS, N), new Float64Array(N).fill(25)));
    expect(stats.mean).toBeCloseTo(25, 9);
    expect(stats.std).toBeCloseTo(0.01 / Math.SQRT2, 9);
    expect(stats.kurtosis).toBeCloseTo(1.5, 6);
    expect(stats.skewness).toBeCloseTo(0, 6);
  });

  it('give kurtosis ≈ 3 for Gaussian noise and a positive skew for a one-sided impulse train', () => {
    expect(windowStats(noise(1, 200_000)).kurtosis).toBeCloseTo(3, 1);
    const impulses = new Float64Array(N);
    for (let i = 0; i < N; i += 100) impulses[i] = 1;
    // Bernoulli(p): skewness (1 − 2p)/√(p(1 − p)) = 9.849… for p = 0.01.
    expect(windowStats(impulses).skewness).toBeCloseTo(0.98 / Math.sqrt(0.0099), 6);
  });

  it('report zeros for an empty or constant window, never NaN', () => {
    expect(windowStats(new Float64Array(0))).toEqual({ mean: 0, std: 0, rms: 0, peak: 0, crest: 0, kurtosis: 0, skewness: 0 });
    const flat = windowStats(new Float64Array(64).fill(2));
    expect([flat.kurtosis, flat.skewness, flat.std]).toEqual([0, 0, 0]);
    expect(flat.crest).toBe(1);
  });
});

describe('window features', () => {
  const bands: Array<[number, number]> = [
    [10, 1000],
    [1000, 5000],
    [5000, 10_000],
  ];

  it('put the energy of a two-tone signal into the right bands: A²/2 each, within 2%', () => {
    // Frequencies off the bin grid, so the test covers leakage across bins as well.
    const x = sum(tone(1, 523.3, FS, N), tone(0.5, 3141.7, FS, N), noise(0.001, N));
    const f = analyzer({ bandsHz: bands }).analyze(x, N, FS);
    expect(bandFeatureName(10, 1000)).toBe('band10_1000Hz');
    expect(Math.abs(f.band10_1000Hz! / 0.5 - 1)).toBeLessThan(0.02);
    expect(Math.abs(f.band1000_5000Hz! / 0.125 - 1)).toBeLessThan(0.02);
    expect(f.band5000_10000Hz).toBeLessThan(1e-4);
  });

  it('give the same band energies with a rectangular window for bin-centred tones (Parseval: Σ bands = mean square)', () => {
    const x = sum(tone(1, 500 * (FS / N), FS, N), tone(0.5, 3000 * (FS / N), FS, N));
    const f = analyzer({ bandsHz: [[0, FS / 2 + 1]] }, 'rect').analyze(x, N, FS);
    expect(f[bandFeatureName(0, FS / 2 + 1)]).toBeCloseTo(0.5 + 0.125, 9);
  });

  it('clip bands at Nyquist: a band wholly above it reports 0, one straddling it only its part below', () => {
    const x = tone(1, 4000, 10_000, 10_000);
    const f = analyzer({ bandsHz: [[6000, 9000], [3000, 8000]] }).analyze(x, 10_000, 10_000);
    expect(f.band6000_9000Hz).toBe(0);
    expect(f.band3000_8000Hz).toBeCloseTo(0.5, 2);
  });

  it('find the top peaks at the tone frequencies (±1 bin), largest first, with their amplitudes (±2%)', () => {
    const x = sum(tone(0.3, 120.4, FS, N), tone(1, 1500.2, FS, N), tone(0.6, 7777.7, FS, N), noise(0.01, N));
    const f = analyzer({ peaks: 3 }).analyze(x, N, FS);
    const expected = [
      [1500.2, 1],
      [7777.7, 0.6],
      [120.4, 0.3],
    ] as const;
    expected.forEach(([hz, amplitude], i) => {
      expect(Math.abs(f[`peak${i + 1}Hz`]! - hz), `peak${i + 1}Hz`).toBeLessThan(BIN_HZ);
      expect(Math.abs(f[`peak${i + 1}Amp`]! / amplitude - 1), `peak${i + 1}Amp`).toBeLessThan(0.02);
    });
  });

  it('keep every spectral feature finite on a 2-sample Hann window (a short last block from a device), where the Hann is all zero', () => {
    const f = analyzer({ bandsHz: [[10, 1000]], peaks: 1 }).analyze(Float64Array.of(0.5, -0.5), 2, 100);
    for (const [name, value] of Object.entries(f)) expect(Number.isFinite(value), `${name} = ${value}`).toBe(true);
    // The rectangle instead: the 50 Hz alternation is all AC, so its mean square (0.25) lies in the band.
    expect(f.band10_1000Hz).toBeCloseTo(0.25, 10);
  });

  it('always report rms, peak and crest, add only the configured stats, and keep spectral keys on a 1-sample window', () => {
    const f = analyzer({ stats: ['kurtosis'], bandsHz: [[1, 10]], peaks: 1 }).analyze(Float64Array.of(2), 1, FS);
    expect(f).toEqual({ rms: 2, peak: 2, crest: 1, kurtosis: 0, band1_10Hz: 0, peak1Hz: 0, peak1Amp: 0 });
  });
});
