// Spectral estimates for the sensor tests, from first principles and independent of the code under test.

import { fft } from '../signal';

export interface Psd {
  /** Bin frequencies, Hz: k·rateHz/segment for k = 0 … segment/2. */
  hz: Float64Array;
  /** One-sided power spectral density, units²/Hz. */
  density: Float64Array;
  /** Segments averaged. */
  segments: number;
}

/**
 * Welch's method: Hann-windowed segments with 50 % overlap, each mean-removed, averaged periodograms.
 * One-sided PSD P[k] = c·|X[k]|²/(fs·Σw²) with c = 2 except at DC and Nyquist (c = 1): dividing by the window
 * power Σw² makes white noise of variance σ² read σ²/(fs/2) whatever the window.
 */
export function welchPsd(signal: ArrayLike<number>, rateHz: number, segment: number): Psd {
  const window = new Float64Array(segment);
  let windowPower = 0;
  for (let i = 0; i < segment; i++) {
    // Periodic Hann, w[n] = ½(1 − cos(2πn/L)): exact 50 % overlap-add.
    window[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / segment);
    windowPower += window[i]! ** 2;
  }
  const bins = segment / 2 + 1;
  const density = new Float64Array(bins);
  const re = new Float64Array(segment);
  const im = new Float64Array(segment);
  const hop = segment / 2;
  let segments = 0;
  for (let start = 0; start + segment <= signal.length; start += hop) {
    let mean = 0;
    for (let i = 0; i < segment; i++) mean += signal[start + i]!;
    mean /= segment;
    for (let i = 0; i < segment; i++) {
      re[i] = (signal[start + i]! - mean) * window[i]!;
      im[i] = 0;
    }
    fft(re, im);
    for (let k = 0; k < bins; k++) {
      const sides = k === 0 || k === segment / 2 ? 1 : 2;
      density[k]! += (sides * (re[k]! ** 2 + im[k]! ** 2)) / (rateHz * windowPower);
    }
    segments++;
  }
  if (segments === 0) throw new RangeError(`need at least ${segment} samples, got ${signal.length}`);
  for (let k = 0; k < bins; k++) density[k]! /= segments;
  const hz = Float64Array.from({ length: bins }, (_, k) => (k * rateHz) / segment);
  return { hz, density, segments };
}

/** Mean PSD over the bins with lowHz ≤ f ≤ highHz, units²/Hz. */
export function meanDensity(psd: Psd, lowHz: number, highHz: number): number {
  let sum = 0;
  let count = 0;
  for (let k = 0; k < psd.hz.length; k++) {
    if (psd.hz[k]! >= lowHz && psd.hz[k]! <= highHz) {
      sum += psd.density[k]!;
      count++;
    }
  }
  return sum / count;
}

/**
 * Amplitude of the sinusoid at `hz` by a single-frequency DFT, A = 2·|Σ x[n]·e^(−iωn)|/N. Exact (no leakage)
 * when the record holds a whole number of periods of every tone present.
 */
export function toneAmplitude(signal: ArrayLike<number>, rateHz: number, hz: number): number {
  const omega = (2 * Math.PI * hz) / rateHz;
  let re = 0;
  let im = 0;
  for (let i = 0; i < signal.length; i++) {
    re += signal[i]! * Math.cos(omega * i);
    im -= signal[i]! * Math.sin(omega * i);
  }
  return (2 * Math.hypot(re, im)) / signal.length;
}

/**
 * Frequency of a clean tone from its rising zero crossings, located by linear interpolation between samples:
 * (crossings − 1) periods between the first and the last.
 */
export function zeroCrossingHz(signal: ArrayLike<number>, rateHz: number): number {
  let first = NaN;
  let last = NaN;
  let crossings = 0;
  for (let i = 1; i < signal.length; i++) {
    const a = signal[i - 1]!;
    const b = signal[i]!;
    if (a < 0 && b >= 0) {
      const at = (i - 1 + a / (a - b)) / rateHz;
      if (crossings === 0) first = at;
      last = at;
      crossings++;
    }
  }
  return (crossings - 1) / (last - first);
}
