import { describe, expect, it } from 'vitest';
import { blockFeatures } from '../../support/block-features';

/** `periods` whole periods of A·sin, sampled `n` times. */
const sine = (amplitude: number, periods: number, n: number, phaseRad = 0) =>
  Float32Array.from({ length: n }, (_, i) => amplitude * Math.sin((2 * Math.PI * periods * i) / n + phaseRad));

describe('blockFeatures', () => {
  it('gives rms = A/√2, peak = A and crest = √2 for a sine over an integer number of periods', () => {
    // 1000 samples, 10 periods: sample 25 sits exactly on the crest (θ = π/2).
    const f = blockFeatures(sine(0.3, 10, 1000));
    expect(f.rms).toBeCloseTo(0.3 / Math.SQRT2, 6);
    expect(f.peak).toBeCloseTo(0.3, 6);
    expect(f.crest).toBeCloseTo(Math.SQRT2, 6);
  });

  it('measures the magnitude of a negative peak and does not depend on phase', () => {
    const f = blockFeatures(Array.from({ length: 400 }, (_, i) => 2 * Math.sin((2 * Math.PI * 4 * i) / 400 + Math.PI)));
    expect(f.rms).toBeCloseTo(2 / Math.SQRT2, 9);
    expect(f.peak).toBeCloseTo(2, 9);
    expect(f.crest).toBeCloseTo(Math.SQRT2, 9);
  });

  it('gives rms = peak = |c| and crest 1 for a constant block', () => {
    expect(blockFeatures(new Float32Array(64).fill(-0.5))).toEqual({ rms: 0.5, peak: 0.5, crest: 1 });
  });

  it('gives all zeros for an empty block and for a block of zeros, never NaN', () => {
    expect(blockFeatures([])).toEqual({ rms: 0, peak: 0, crest: 0 });
    expect(blockFeatures(new Float32Array(16))).toEqual({ rms: 0, peak: 0, crest: 0 });
  });

  it('gives crest √N for a single spike in N samples (rms = 1/√N, peak = 1)', () => {
    for (const n of [16, 1024, 4096]) {
      const block = new Float32Array(n);
      block[n >> 1] = 1;
      const f = blockFeatures(block);
      expect(f.peak).toBe(1);
      expect(f.rms).toBeCloseTo(1 / Math.sqrt(n), 12);
      expect(f.crest).toBeCloseTo(Math.sqrt(n), 9);
    }
  });
});
