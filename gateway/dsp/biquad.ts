import { DspError } from './errors';

export type BiquadKind = 'lowpass' | 'highpass' | 'bandpass';

/** Normalised coefficients (a0 = 1) of H(z) = (b0 + b1·z⁻¹ + b2·z⁻²) / (1 + a1·z⁻¹ + a2·z⁻²). */
export interface BiquadCoefficients {
  b0: number;
  b1: number;
  b2: number;
  a1: number;
  a2: number;
}

/**
 * One RBJ Audio-EQ-Cookbook section. `frequencyHz` is the cutoff (low/high-pass) or the centre (band-pass, constant
 * 0 dB peak gain); throws when it is not strictly between 0 and Nyquist.
 */
export function rbjBiquad(kind: BiquadKind, frequencyHz: number, q: number, sampleRateHz: number): BiquadCoefficients {
  const nyquist = sampleRateHz / 2;
  if (!(frequencyHz > 0 && frequencyHz < nyquist)) {
    throw new DspError('E_DSP_DESIGN', `${kind} at ${frequencyHz} Hz cannot be built for a ${sampleRateHz} Hz stream: the frequency must lie between 0 and Nyquist (${nyquist} Hz)`);
  }
  if (!(q > 0)) throw new DspError('E_DSP_DESIGN', `${kind} Q must be positive, got ${q}`);
  // RBJ cookbook: ω0 = 2π·f0/fs, α = sin ω0 / (2Q)
  const w0 = (2 * Math.PI * frequencyHz) / sampleRateHz;
  const cosW0 = Math.cos(w0);
  const alpha = Math.sin(w0) / (2 * q);
  const a0 = 1 + alpha;
  let b0: number;
  let b1: number;
  let b2: number;
  switch (kind) {
    case 'lowpass':
      // RBJ cookbook LPF: b0 = (1 − cos ω0)/2, b1 = 1 − cos ω0, b2 = b0, a0 = 1 + α, a1 = −2 cos ω0, a2 = 1 − α
      b0 = (1 - cosW0) / 2;
      b1 = 1 - cosW0;
      b2 = b0;
      break;
    case 'highpass':
      // RBJ cookbook HPF: b0 = (1 + cos ω0)/2, b1 = −(1 + cos ω0), b2 = b0
      b0 = (1 + cosW0) / 2;
      b1 = -(1 + cosW0);
      b2 = b0;
      break;
    case 'bandpass':
      // RBJ cookbook BPF (constant 0 dB peak gain): b0 = α, b1 = 0, b2 = −α
      b0 = alpha;
      b1 = 0;
      b2 = -alpha;
      break;
  }
  return { b0: b0 / a0, b1: b1 / a0, b2: b2 / a0, a1: (-2 * cosW0) / a0, a2: (1 - alpha) / a0 };
}

/**
 * Q of each 2nd-order section of a Butterworth filter of order 2·sections, so a cascade of RBJ sections is maximally
 * flat: Q_k = 1 / (2·cos((2k − 1)·π / (4·sections))), k = 1 … sections (0.7071 for one section).
 */
export function butterworthQs(sections: number): number[] {
  const order = 2 * sections;
  return Array.from({ length: sections }, (_, i) => 1 / (2 * Math.cos(((2 * (i + 1) - 1) * Math.PI) / (2 * order))));
}

/** |H(e^jω)| of one section at `frequencyHz`, straight from its coefficients. */
export function biquadMagnitude(c: BiquadCoefficients, frequencyHz: number, sampleRateHz: number): number {
  const w = (2 * Math.PI * frequencyHz) / sampleRateHz;
  const c1 = Math.cos(w);
  const s1 = Math.sin(w);
  const c2 = Math.cos(2 * w);
  const s2 = Math.sin(2 * w);
  const nr = c.b0 + c.b1 * c1 + c.b2 * c2;
  const ni = -(c.b1 * s1 + c.b2 * s2);
  const dr = 1 + c.a1 * c1 + c.a2 * c2;
  const di = -(c.a1 * s1 + c.a2 * s2);
  return Math.sqrt((nr * nr + ni * ni) / (dr * dr + di * di));
}

/** A cascade of biquad sections in transposed direct form II, state carried from one `process` call to the next. */
export class BiquadCascade {
  readonly sections: readonly BiquadCoefficients[];
  readonly #coef: Float64Array;
  readonly #state: Float64Array;

  constructor(sections: readonly BiquadCoefficients[]) {
    this.sections = sections;
    this.#coef = new Float64Array(sections.length * 5);
    this.#state = new Float64Array(sections.length * 2);
    sections.forEach((c, i) => this.#coef.set([c.b0, c.b1, c.b2, c.a1, c.a2], i * 5));
  }

  /** `sections` identical or Butterworth-staggered RBJ sections (Butterworth when `q` is omitted; band-pass uses q). */
  static design(kind: BiquadKind, frequencyHz: number, sampleRateHz: number, sections: number, q?: number): BiquadCascade {
    const qs = q === undefined ? butterworthQs(sections) : Array.from({ length: sections }, () => q);
    return new BiquadCascade(qs.map((qk) => rbjBiquad(kind, frequencyHz, qk, sampleRateHz)));
  }

  /** |H| of the whole cascade at `frequencyHz`. */
  magnitude(frequencyHz: number, sampleRateHz: number): number {
    return this.sections.reduce((gain, c) => gain * biquadMagnitude(c, frequencyHz, sampleRateHz), 1);
  }

  /** Filters x[0 … n−1] in place. */
  process(x: Float64Array, n: number): void {
    const coef = this.#coef;
    const state = this.#state;
    for (let s = 0, c = 0; s < state.length; s += 2, c += 5) {
      const b0 = coef[c]!;
      const b1 = coef[c + 1]!;
      const b2 = coef[c + 2]!;
      const a1 = coef[c + 3]!;
      const a2 = coef[c + 4]!;
      let z1 = state[s]!;
      let z2 = state[s + 1]!;
      for (let i = 0; i < n; i++) {
        // TDF-II: y = b0·x + z1; z1 = b1·x − a1·y + z2; z2 = b2·x − a2·y
        const xi = x[i]!;
        const y = b0 * xi + z1;
        z1 = b1 * xi - a1 * y + z2;
        z2 = b2 * xi - a2 * y;
        x[i] = y;
      }
      state[s] = z1;
      state[s + 1] = z2;
    }
  }

  /** Forgets the past (after a device restart or a rate change). */
  reset(): void {
    this.#state.fill(0);
  }
}
