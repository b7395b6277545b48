import { describe, expect, it } from 'vitest';
import { BiquadCascade, DspError, butterworthQs, rbjBiquad, type BiquadKind } from '../../../../gateway/dsp/index';
import { amplitudeAt, dB, tone } from './signals';

const FS = 25_600;

/**
 * |H| the RBJ cookbook designs for: the analog prototype at the bilinear-warped frequency
 * Ω = tan(πf/fs) / tan(πf0/fs). LPF 1/(s² + s/Q + 1), HPF s²/(s² + s/Q + 1), BPF (s/Q)/(s² + s/Q + 1).
 */
function prototypeGain(kind: BiquadKind, f: number, f0: number, q: number): number {
  const w = Math.tan((Math.PI * f) / FS) / Math.tan((Math.PI * f0) / FS);
  const denominator = Math.hypot(1 - w * w, w / q);
  if (kind === 'lowpass') return 1 / denominator;
  if (kind === 'highpass') return (w * w) / denominator;
  return w / q / denominator;
}

/** Steady-state gain of `filter` at f: 0.5 s of tone in, the amplitude of the last 0.25 s out. */
function measuredGain(filter: BiquadCascade, f: number): number {
  const n = FS / 2;
  const x = tone(1, f, FS, n);
  filter.process(x, n);
  return amplitudeAt(x, f, FS, n / 2, n);
}

describe('RBJ biquads', () => {
  const cases: Array<{ kind: BiquadKind; f0: number; q: number }> = [
    { kind: 'lowpass', f0: 1000, q: Math.SQRT1_2 },
    { kind: 'highpass', f0: 1000, q: Math.SQRT1_2 },
    { kind: 'bandpass', f0: 3500, q: 4 },
    { kind: 'lowpass', f0: 5000, q: 2 },
  ];
  for (const { kind, f0, q } of cases) {
    it(`${kind} at ${f0} Hz, Q ${q.toFixed(3)}: a sine through it comes out with the RBJ prototype gain ±0.1 dB`, () => {
      for (const f of [200, 800, 1000, 2500, 3500, 5000, 9000]) {
        const gain = measuredGain(new BiquadCascade([rbjBiquad(kind, f0, q, FS)]), f);
        expect(Math.abs(dB(gain) - dB(prototypeGain(kind, f, f0, q))), `${f} Hz`).toBeLessThan(0.1);
      }
    });
  }

  it('cascades sections into a Butterworth filter: 3.01 dB down at the cutoff, |H|² = 1/(1 + Ω^(2·order))', () => {
    for (const sections of [1, 2, 4, 6]) {
      const lowpass = BiquadCascade.design('lowpass', 2000, FS, sections);
      for (const f of [500, 2000, 3000, 6000]) {
        const w = Math.tan((Math.PI * f) / FS) / Math.tan((Math.PI * 2000) / FS);
        const expected = -10 * Math.log10(1 + w ** (4 * sections));
        expect(dB(lowpass.magnitude(f, FS)), `${sections} sections, ${f} Hz`).toBeCloseTo(expected, 6);
      }
    }
    expect(butterworthQs(1)[0]).toBeCloseTo(Math.SQRT1_2, 12);
    expect(butterworthQs(2)).toEqual([expect.closeTo(0.541196, 6), expect.closeTo(1.306563, 6)]);
  });

  it('carries its state across blocks: seven uneven blocks give exactly the output of one', () => {
    const x = tone(1, 440, FS, 5000);
    const whole = x.slice();
    BiquadCascade.design('highpass', 50, FS, 2).process(whole, whole.length);
    const pieces = BiquadCascade.design('highpass', 50, FS, 2);
    const edges = [0, 13, 400, 401, 1024, 2999, 3000, 5000];
    for (let b = 0; b + 1 < edges.length; b++) {
      const part = x.slice(edges[b], edges[b + 1]);
      pieces.process(part, part.length);
      expect(Array.from(part)).toEqual(Array.from(whole.subarray(edges[b], edges[b + 1])));
    }
  });

  it('refuses a frequency at or above Nyquist with E_DSP_DESIGN and names the limit', () => {
    expect(() => rbjBiquad('lowpass', 12_800, 0.7, FS)).toThrow(DspError);
    expect(() => rbjBiquad('highpass', 20_000, 0.7, FS)).toThrow(/Nyquist \(12800 Hz\)/);
  });
});
