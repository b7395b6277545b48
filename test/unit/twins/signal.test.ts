import { describe, expect, it } from 'vitest';
import { dominantFrequencyHz, magnitudeSpectrum, rms, sampleStd } from './signal';

// The twin tests trust these helpers; each is checked here on a signal whose answer is known in closed form.
describe('test signal helpers', () => {
  it('magnitudeSpectrum puts a cosine of amplitude A on bin k with |X[k]| = A·N/2', () => {
    const n = 256;
    const signal = Array.from({ length: n }, (_, i) => 3 * Math.cos((2 * Math.PI * 10 * i) / n));
    const spectrum = magnitudeSpectrum(signal);
    expect(spectrum[10]).toBeCloseTo((3 * n) / 2, 9);
    expect(spectrum[9]).toBeCloseTo(0, 9);
    expect(spectrum[0]).toBeCloseTo(0, 9);
  });

  it('dominantFrequencyHz finds a 37 Hz tone under a weaker 80 Hz one', () => {
    const rateHz = 1024;
    const signal = Array.from({ length: 4096 }, (_, i) => Math.sin((2 * Math.PI * 37 * i) / rateHz) + 0.5 * Math.sin((2 * Math.PI * 80 * i) / rateHz));
    expect(dominantFrequencyHz(signal, rateHz)).toBe(37);
  });

  it('rms of [3, −4] is √12.5 and sampleStd of [1, 2, 3, 4] is √(5/3)', () => {
    expect(rms([3, -4])).toBeCloseTo(Math.sqrt(12.5), 12);
    expect(sampleStd([1, 2, 3, 4])).toBeCloseTo(Math.sqrt(5 / 3), 12);
  });
});
