import { BiquadCascade } from './biquad';

/** Anti-alias cutoff as a fraction of the output rate: 0.4·fs_out leaves a transition band up to Nyquist (0.5·fs_out). */
export const ANTI_ALIAS_FRACTION = 0.4;

/**
 * Integer down-sampling by `factor`: a Butterworth low-pass of order 2·sections at 0.4·fs_out, then every
 * factor-th sample. The keep/drop phase and the filter state run on across blocks, so blocks whose length is not a
 * multiple of the factor still yield an evenly spaced output stream.
 */
export class Decimator {
  readonly factor: number;
  readonly inputRateHz: number;
  readonly outputRateHz: number;
  readonly antiAlias: BiquadCascade;
  #phase = 0;

  constructor(factor: number, inputRateHz: number, sections: number) {
    this.factor = factor;
    this.inputRateHz = inputRateHz;
    this.outputRateHz = inputRateHz / factor;
    this.antiAlias = BiquadCascade.design('lowpass', ANTI_ALIAS_FRACTION * this.outputRateHz, inputRateHz, sections);
  }

  /** Filters x[0 … n−1] and compacts the kept samples to its front; returns how many were kept. */
  process(x: Float64Array, n: number): number {
    this.antiAlias.process(x, n);
    let kept = 0;
    let i = this.#phase;
    for (; i < n; i += this.factor) x[kept++] = x[i]!;
    this.#phase = i - n;
    return kept;
  }

  reset(): void {
    this.antiAlias.reset();
    this.#phase = 0;
  }
}
