import { describe, expect, it } from 'vitest';
import { DspError, Fft, RealFft, nextPowerOfTwo } from '../../../../gateway/dsp/index';
import { uniform } from './signals';

/** X[k] = Σ x[n]·e^(−j2πkn/N), term by term. */
function directDft(re: Float64Array, im: Float64Array): { re: Float64Array; im: Float64Array } {
  const n = re.length;
  const outRe = new Float64Array(n);
  const outIm = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    for (let t = 0; t < n; t++) {
      const phase = (-2 * Math.PI * k * t) / n;
      outRe[k] = outRe[k]! + re[t]! * Math.cos(phase) - im[t]! * Math.sin(phase);
      outIm[k] = outIm[k]! + re[t]! * Math.sin(phase) + im[t]! * Math.cos(phase);
    }
  }
  return { re: outRe, im: outIm };
}

const random = (n: number, seed: number) => {
  const u = uniform(seed);
  return Float64Array.from({ length: n }, () => 2 * u() - 1);
};

describe('Fft', () => {
  it('matches the direct DFT for every power of two from 1 to 512 (odd and even log₂N)', () => {
    for (let n = 1; n <= 512; n *= 2) {
      const re = random(n, n);
      const im = random(n, n + 1);
      const expected = directDft(re, im);
      new Fft(n).transform(re, im);
      for (let k = 0; k < n; k++) {
        expect(re[k]).toBeCloseTo(expected.re[k]!, 9);
        expect(im[k]).toBeCloseTo(expected.im[k]!, 9);
      }
    }
  });

  it('puts a bin-centred complex exponential in its bin with magnitude N and nothing elsewhere', () => {
    const n = 1024;
    const bin = 37;
    const re = Float64Array.from({ length: n }, (_, t) => Math.cos((2 * Math.PI * bin * t) / n));
    const im = Float64Array.from({ length: n }, (_, t) => Math.sin((2 * Math.PI * bin * t) / n));
    new Fft(n).transform(re, im);
    for (let k = 0; k < n; k++) expect(Math.hypot(re[k]!, im[k]!)).toBeCloseTo(k === bin ? n : 0, 8);
  });

  it('returns N times the input after a forward and an inverse transform', () => {
    const n = 4096;
    const re0 = random(n, 3);
    const im0 = random(n, 4);
    const re = re0.slice();
    const im = im0.slice();
    const fft = new Fft(n);
    fft.transform(re, im);
    fft.transform(re, im, true);
    let worst = 0;
    for (let t = 0; t < n; t++) worst = Math.max(worst, Math.abs(re[t]! / n - re0[t]!), Math.abs(im[t]! / n - im0[t]!));
    expect(worst).toBeLessThan(1e-12);
  });

  it('refuses a size that is not a power of two and names the size to pad to', () => {
    expect(() => new Fft(25_600)).toThrow(DspError);
    expect(() => new Fft(25_600)).toThrow(/pad the input to 32768/);
    expect(nextPowerOfTwo(25_600)).toBe(32_768);
    expect(nextPowerOfTwo(1024)).toBe(1024);
  });
});

describe('RealFft', () => {
  it('gives the one-sided spectrum (bins 0 … N/2) of a real signal, equal to the complex DFT', () => {
    for (const n of [2, 4, 8, 64, 256]) {
      const x = random(n, 10 + n);
      const expected = directDft(x, new Float64Array(n));
      const re = new Float64Array(n / 2 + 1);
      const im = new Float64Array(n / 2 + 1);
      new RealFft(n).transform(x, re, im);
      for (let k = 0; k <= n / 2; k++) {
        expect(re[k]).toBeCloseTo(expected.re[k]!, 9);
        expect(im[k]).toBeCloseTo(expected.im[k]!, 9);
      }
    }
  });
});
