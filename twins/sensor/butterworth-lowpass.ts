/**
 * 4th-order Butterworth low-pass as two cascaded biquads in transposed direct form II, with state kept across
 * calls so consecutive blocks filter as one stream. Platform-free.
 */
export class ButterworthLowpass {
  readonly cutoffHz: number;
  readonly sampleRateHz: number;
  // Stage coefficients, normalised to a0 = 1; stage A has the low Q, stage B the high Q.
  readonly #b0a: number;
  readonly #b1a: number;
  readonly #a1a: number;
  readonly #a2a: number;
  readonly #b0b: number;
  readonly #b1b: number;
  readonly #a1b: number;
  readonly #a2b: number;
  #s1a = 0;
  #s2a = 0;
  #s1b = 0;
  #s2b = 0;
  #primed = false;

  constructor(cutoffHz: number, sampleRateHz: number) {
    if (!(cutoffHz > 0 && cutoffHz < sampleRateHz / 2)) {
      throw new RangeError(`cutoff ${cutoffHz} Hz must lie in (0, ${sampleRateHz / 2}) Hz, below Nyquist of ${sampleRateHz} Hz`);
    }
    this.cutoffHz = cutoffHz;
    this.sampleRateHz = sampleRateHz;
    // Butterworth pole pairs of order N = 4: Q_k = 1/(2·cos((2k − 1)π/(2N))), k = 1, 2.
    const a = lowpassBiquad(cutoffHz, sampleRateHz, 1 / (2 * Math.cos(Math.PI / 8)));
    const b = lowpassBiquad(cutoffHz, sampleRateHz, 1 / (2 * Math.cos((3 * Math.PI) / 8)));
    [this.#b0a, this.#b1a, this.#a1a, this.#a2a] = a;
    [this.#b0b, this.#b1b, this.#a1b, this.#a2b] = b;
  }

  /** Filters x[from … from + count − 1] in place. The first sample ever seen sets the steady state, so a constant input passes unchanged. */
  process(x: Float64Array, from: number, count: number): void {
    if (count <= 0) return;
    const b0a = this.#b0a, b1a = this.#b1a, a1a = this.#a1a, a2a = this.#a2a;
    const b0b = this.#b0b, b1b = this.#b1b, a1b = this.#a1b, a2b = this.#a2b;
    if (!this.#primed) {
      // Steady state for a constant u at unit DC gain: s2 = (b2 − a2)·u, s1 = (b1 − a1)·u + s2 (b2 = b0 for a low-pass).
      const u = x[from]!;
      this.#s2a = (b0a - a2a) * u;
      this.#s1a = (b1a - a1a) * u + this.#s2a;
      this.#s2b = (b0b - a2b) * u;
      this.#s1b = (b1b - a1b) * u + this.#s2b;
      this.#primed = true;
    }
    let s1a = this.#s1a, s2a = this.#s2a, s1b = this.#s1b, s2b = this.#s2b;
    const end = from + count;
    for (let i = from; i < end; i++) {
      const u = x[i]!;
      const v = b0a * u + s1a;
      s1a = b1a * u - a1a * v + s2a;
      s2a = b0a * u - a2a * v;
      const y = b0b * v + s1b;
      s1b = b1b * v - a1b * y + s2b;
      s2b = b0b * v - a2b * y;
      x[i] = y;
    }
    this.#s1a = s1a;
    this.#s2a = s2a;
    this.#s1b = s1b;
    this.#s2b = s2b;
  }
}

/** [b0, b1, a1, a2] of a low-pass biquad (b2 = b0), bilinear transform with the cutoff prewarped (RBJ Audio EQ Cookbook). */
function lowpassBiquad(cutoffHz: number, sampleRateHz: number, q: number): [number, number, number, number] {
  // w0 = 2π·fc/fs, α = sin(w0)/(2Q); b0 = b2 = (1 − cos w0)/2, b1 = 1 − cos w0, a0 = 1 + α, a1 = −2·cos w0, a2 = 1 − α
  const w0 = (2 * Math.PI * cutoffHz) / sampleRateHz;
  const cos = Math.cos(w0);
  const alpha = Math.sin(w0) / (2 * q);
  const a0 = 1 + alpha;
  return [(1 - cos) / 2 / a0, (1 - cos) / a0, (-2 * cos) / a0, (1 - alpha) / a0];
}
