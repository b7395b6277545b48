import { describe, expect, it } from 'vitest';
import { autocorrelation, mean, rms, std } from './stats';
import { record, sensorChannel } from './sensor-fixtures';
import { meanDensity, welchPsd } from './welch';

describe('SensorChannel white noise', () => {
  // Welch with K segments and M bins in the band: the band-mean PSD has a relative standard error of about
  // 1/√(K·M/2) (Hann bins overlap), under 1 % for every case here, so a 10 % bound is never a coin toss.
  it.each([
    { name: 'a 150 µg/√Hz accelerometer at 25.6 kHz', rateHz: 25_600, blockSamples: 1024, blocks: 256, noiseDensity: 150e-6, segment: 4096 },
    { name: 'a 100 Hz IMU axis at 0.002 (rad/s)/√Hz', rateHz: 100, blockSamples: 10, blocks: 6554, noiseDensity: 0.002, segment: 512 },
    { name: 'a 1 Hz thermocouple at 0.05 °C/√Hz in 1-sample blocks', rateHz: 1, blockSamples: 1, blocks: 65_536, noiseDensity: 0.05, segment: 512 },
  ])('measures the configured noise density within 10 % by Welch on $name', ({ rateHz, blockSamples, blocks, noiseDensity, segment }) => {
    const channel = sensorChannel({ rateHz, blockSamples, model: { noiseDensity } });
    const { values } = record(channel, blocks);
    const psd = welchPsd(values, rateHz, segment);
    expect(psd.segments).toBeGreaterThan(100);
    // Away from DC (mean removal) and Nyquist: 5 % … 45 % of the sample rate.
    const measured = Math.sqrt(meanDensity(psd, 0.05 * rateHz, 0.45 * rateHz));
    expect(Math.abs(measured / noiseDensity - 1)).toBeLessThan(0.1);
    // σ = N·√(fs/2): for 150 µg/√Hz at 25.6 kHz that is 0.016971 g.
    expect(Math.abs(rms(values) / (noiseDensity * Math.sqrt(rateHz / 2)) - 1)).toBeLessThan(0.02);
  });

  // The RMS of N independent N(0, σ²) samples has a relative standard error of 1/√(2N), and their mean one of σ/√N;
  // each bound sits at 4 standard errors, so a seed passes with probability 1 − 6·10⁻⁵ while a model off by 1.8 % in
  // σ (or by √2, had it used fs instead of fs/2 as the bandwidth) fails.
  it.each([
    { name: 'a 150 µg/√Hz accelerometer at 25.6 kHz (16.97 mg)', rateHz: 25_600, blockSamples: 1024, blocks: 100, noiseDensity: 150e-6, seed: 'noise-rms/accel' },
    { name: 'a 0.002 (rad/s)/√Hz gyro at 100 Hz (14.1 mrad/s)', rateHz: 100, blockSamples: 10, blocks: 10_240, noiseDensity: 0.002, seed: 'noise-rms/gyro' },
  ])('gives $name an RMS of density·√(fs/2) within 4 standard errors over 102,400 samples, about zero', ({ rateHz, blockSamples, blocks, noiseDensity, seed }) => {
    const { values } = record(sensorChannel({ rateHz, blockSamples, model: { noiseDensity }, seed }), blocks);
    const n = values.length;
    expect(n).toBe(102_400);
    // White noise of one-sided density N over the band 0 … fs/2.
    const bandwidthHz = rateHz / 2;
    const sigma = noiseDensity * Math.sqrt(bandwidthHz);
    expect(Math.abs(rms(values) / sigma - 1)).toBeLessThan(4 / Math.sqrt(2 * n));
    expect(Math.abs(mean(values))).toBeLessThan((4 * sigma) / Math.sqrt(n));
  });
});

describe('SensorChannel Gauss–Markov bias', () => {
  // 100 Hz, τ = 2 s over 4000 s: about N·Δt/(2τ) = 1000 independent samples, so σ has a standard error near 2.2 %
  // and ρ(τ) near 0.017 (Bartlett's formula for an AR(1)); the bounds sit at ≥ 3.5 standard errors.
  const rateHz = 100;
  const sigma = 0.01;
  const tauS = 2;
  const { values } = record(sensorChannel({ rateHz, blockSamples: 100, model: { biasInstability: sigma, biasCorrelationS: tauS } }), 4000);

  it('has the configured 1σ', () => {
    expect(Math.abs(std(values) / sigma - 1)).toBeLessThan(0.08);
  });

  it('has autocorrelation e^(−1) at a lag of one correlation time and e^(−Δt/τ) at one sample', () => {
    expect(Math.abs(autocorrelation(values, tauS * rateHz) - Math.exp(-1))).toBeLessThan(0.06);
    expect(Math.abs(autocorrelation(values, 1) - Math.exp(-1 / (rateHz * tauS)))).toBeLessThan(0.002);
    // The fitted τ = −lag/ln ρ(lag) follows.
    const fittedTauS = -tauS / Math.log(autocorrelation(values, tauS * rateHz));
    expect(Math.abs(fittedTauS / tauS - 1)).toBeLessThan(0.2);
  });

  it('starts from the stationary distribution: the first sample across 600 seeds has σ', () => {
    const first = Float64Array.from({ length: 600 }, (_, seed) => {
      const channel = sensorChannel({ rateHz, blockSamples: 1, model: { biasInstability: sigma, biasCorrelationS: tauS }, seed });
      return channel.next(0).values[0]!;
    });
    // Standard error of σ from 600 samples: 1/√1200 ≈ 2.9 %.
    expect(Math.abs(std(first) / sigma - 1)).toBeLessThan(0.12);
  });
});
