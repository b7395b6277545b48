import { DspError } from './errors';

/** True when n is a power of two (1, 2, 4, …). */
export function isPowerOfTwo(n: number): boolean {
  return Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0;
}

/** The smallest power of two ≥ n (1 for n ≤ 1). */
export function nextPowerOfTwo(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/**
 * One butterfly group of the first radix-2² pass, points a0 … a0 + 3 given in bit-reversed order and written back to
 * re/im: W1 = W2 = 1, so only the ∓j rotation remains.
 */
function firstPass(re: Float64Array, im: Float64Array, a0: number, sign: number, x0r: number, x0i: number, x1r: number, x1i: number, x2r: number, x2i: number, x3r: number, x3i: number): void {
  const t0r = x0r + x1r;
  const t0i = x0i + x1i;
  const t1r = x0r - x1r;
  const t1i = x0i - x1i;
  const t2r = x2r + x3r;
  const t2i = x2i + x3i;
  const q3r = sign * (x2i - x3i);
  const q3i = -sign * (x2r - x3r);
  re[a0] = t0r + t2r;
  im[a0] = t0i + t2i;
  re[a0 + 2] = t0r - t2r;
  im[a0 + 2] = t0i - t2i;
  re[a0 + 1] = t1r + q3r;
  im[a0 + 1] = t1i + q3i;
  re[a0 + 3] = t1r - q3r;
  im[a0 + 3] = t1i - q3i;
}

/**
 * Iterative radix-2 decimation-in-time FFT of one size, in place on split real/imaginary arrays. Two radix-2 stages
 * run per pass over the data (radix-2², a final single stage when log₂N is odd), which halves the memory traffic
 * of a stage-by-stage loop. The bit-reversal table and twiddles are built once; a plan holds no scratch, so one plan
 * serves every channel (see `fftPlan`).
 */
export class Fft {
  readonly size: number;
  /** rev[i]: i with its log₂N bits reversed, the order a DIT FFT reads its input in. */
  readonly bitReversed: Uint32Array;
  // Stage twiddles laid out per stage for sequential reads: [h + k] = W_2h^k = e^(−jπk/h), k < h.
  readonly #cos: Float64Array;
  readonly #sin: Float64Array;

  constructor(size: number) {
    if (!isPowerOfTwo(size)) throw new DspError('E_DSP_DESIGN', `FFT size ${size} is not a power of two; pad the input to ${nextPowerOfTwo(size)}`);
    this.size = size;
    const bits = Math.log2(size);
    this.bitReversed = new Uint32Array(size);
    for (let i = 0; i < size; i++) {
      let r = 0;
      for (let b = 0; b < bits; b++) r |= ((i >>> b) & 1) << (bits - 1 - b);
      this.bitReversed[i] = r;
    }
    this.#cos = new Float64Array(size);
    this.#sin = new Float64Array(size);
    for (let h = 1; h < size; h <<= 1) {
      for (let k = 0; k < h; k++) {
        this.#cos[h + k] = Math.cos((Math.PI * k) / h);
        this.#sin[h + k] = -Math.sin((Math.PI * k) / h);
      }
    }
  }

  /** X[k] = Σ x[n]·e^(−j2πkn/N) in place; with `inverse`, e^(+j2πkn/N) and no 1/N scaling (the caller scales). */
  transform(re: Float64Array, im: Float64Array, inverse = false): void {
    const rev = this.bitReversed;
    for (let i = 0; i < this.size; i++) {
      const j = rev[i]!;
      if (j > i) {
        const tr = re[i]!;
        re[i] = re[j]!;
        re[j] = tr;
        const ti = im[i]!;
        im[i] = im[j]!;
        im[j] = ti;
      }
    }
    this.transformBitReversed(re, im, inverse);
  }

  /** `transform` for input already stored in bit-reversed order (x[n] at index rev[n]): saves the permutation pass. */
  transformBitReversed(re: Float64Array, im: Float64Array, inverse = false): void {
    const n = this.size;
    const sign = inverse ? -1 : 1;
    if (n < 4) return this.#stages(re, im, sign, 1);
    for (let a0 = 0; a0 < n; a0 += 4) firstPass(re, im, a0, sign, re[a0]!, im[a0]!, re[a0 + 1]!, im[a0 + 1]!, re[a0 + 2]!, im[a0 + 2]!, re[a0 + 3]!, im[a0 + 3]!);
    this.#stages(re, im, sign, 4);
  }

  /**
   * The forward FFT of z[k] = x[2k] + j·x[2k+1], k < size, into re/im in natural order: the bit-reversal gathered
   * straight into the first pass (rev is its own inverse, so position p reads pair rev[p]), with the same arithmetic
   * as permuting first and calling `transformBitReversed`, one pass over the data fewer.
   */
  transformPairs(x: Float64Array, re: Float64Array, im: Float64Array): void {
    const n = this.size;
    const rev = this.bitReversed;
    if (n < 4) {
      for (let p = 0; p < n; p++) {
        re[p] = x[2 * rev[p]!]!;
        im[p] = x[2 * rev[p]! + 1]!;
      }
      return this.transformBitReversed(re, im);
    }
    for (let a0 = 0; a0 < n; a0 += 4) {
      const i0 = 2 * rev[a0]!;
      const i1 = 2 * rev[a0 + 1]!;
      const i2 = 2 * rev[a0 + 2]!;
      const i3 = 2 * rev[a0 + 3]!;
      firstPass(re, im, a0, 1, x[i0]!, x[i0 + 1]!, x[i1]!, x[i1 + 1]!, x[i2]!, x[i2 + 1]!, x[i3]!, x[i3 + 1]!);
    }
    this.#stages(re, im, 1, 4);
  }

  /** The radix-2² passes from stage h on, then a last radix-2 stage when log₂N is odd. */
  #stages(re: Float64Array, im: Float64Array, sign: number, h: number): void {
    const n = this.size;
    const cos = this.#cos;
    const sin = this.#sin;
    for (; 4 * h <= n; h *= 4) {
      const span = 4 * h;
      for (let start = 0; start < n; start += span) {
        for (let k = 0; k < h; k++) {
          // Stage h: (x0, x1), (x2, x3) with W1 = W_2h^k; stage 2h: (t0, t2) with W2 = W_4h^k, (t1, t3) with W_4h^(k+h) = ∓j·W2.
          const w1r = cos[h + k]!;
          const w1i = sign * sin[h + k]!;
          const w2r = cos[2 * h + k]!;
          const w2i = sign * sin[2 * h + k]!;
          const a0 = start + k;
          const a1 = a0 + h;
          const a2 = a1 + h;
          const a3 = a2 + h;
          const x1r = re[a1]!;
          const x1i = im[a1]!;
          const x3r = re[a3]!;
          const x3i = im[a3]!;
          const p1r = x1r * w1r - x1i * w1i;
          const p1i = x1r * w1i + x1i * w1r;
          const p3r = x3r * w1r - x3i * w1i;
          const p3i = x3r * w1i + x3i * w1r;
          const x0r = re[a0]!;
          const x0i = im[a0]!;
          const x2r = re[a2]!;
          const x2i = im[a2]!;
          const t0r = x0r + p1r;
          const t0i = x0i + p1i;
          const t1r = x0r - p1r;
          const t1i = x0i - p1i;
          const t2r = x2r + p3r;
          const t2i = x2i + p3i;
          const t3r = x2r - p3r;
          const t3i = x2i - p3i;
          const q2r = t2r * w2r - t2i * w2i;
          const q2i = t2r * w2i + t2i * w2r;
          const u3r = t3r * w2r - t3i * w2i;
          const u3i = t3r * w2i + t3i * w2r;
          // (u3r + j·u3i)·(∓j) = ±u3i ∓ j·u3r
          const q3r = sign * u3i;
          const q3i = -sign * u3r;
          re[a0] = t0r + q2r;
          im[a0] = t0i + q2i;
          re[a2] = t0r - q2r;
          im[a2] = t0i - q2i;
          re[a1] = t1r + q3r;
          im[a1] = t1i + q3i;
          re[a3] = t1r - q3r;
          im[a3] = t1i - q3i;
        }
      }
    }
    if (h < n) {
      // log₂N odd: one last radix-2 stage, butterfly (a, b) ← (a + W·b, a − W·b) with W = W_2h^k.
      for (let k = 0; k < h; k++) {
        const wr = cos[h + k]!;
        const wi = sign * sin[h + k]!;
        const b = k + h;
        const br = re[b]!;
        const bi = im[b]!;
        const xr = br * wr - bi * wi;
        const xi = br * wi + bi * wr;
        const ar = re[k]!;
        const ai = im[k]!;
        re[k] = ar + xr;
        im[k] = ai + xi;
        re[b] = ar - xr;
        im[b] = ai - xi;
      }
    }
  }
}

const plans = new Map<number, Fft>();

/** The shared plan for `size`: twiddles are computed once per size for the whole process. */
export function fftPlan(size: number): Fft {
  let plan = plans.get(size);
  if (!plan) {
    plan = new Fft(size);
    plans.set(size, plan);
  }
  return plan;
}

/**
 * FFT of N real samples through one complex FFT of N/2 (even samples as real part, odd as imaginary), then the
 * split step. Output bins 0 … N/2 (the one-sided spectrum); holds its own N/2 scratch.
 */
export class RealFft {
  readonly size: number;
  readonly #half: Fft;
  readonly #zr: Float64Array;
  readonly #zi: Float64Array;
  readonly #cos: Float64Array;
  readonly #sin: Float64Array;

  constructor(size: number) {
    if (!isPowerOfTwo(size) || size < 2) throw new DspError('E_DSP_DESIGN', `real FFT size ${size} must be a power of two ≥ 2`);
    this.size = size;
    const m = size >>> 1;
    this.#half = fftPlan(m);
    this.#zr = new Float64Array(m);
    this.#zi = new Float64Array(m);
    this.#cos = new Float64Array(m + 1);
    this.#sin = new Float64Array(m + 1);
    for (let k = 0; k <= m; k++) {
      this.#cos[k] = Math.cos((2 * Math.PI * k) / size);
      this.#sin[k] = Math.sin((2 * Math.PI * k) / size);
    }
  }

  /**
   * One-sided spectrum of x[0 … N−1] into re/im[0 … N/2] (length ≥ N/2 + 1). Reads exactly N samples of `x`:
   * the caller zero-pads.
   */
  transform(x: Float64Array, re: Float64Array, im: Float64Array): void {
    const m = this.size >>> 1;
    const zr = this.#zr;
    const zi = this.#zi;
    this.#half.transformPairs(x, zr, zi);
    const cos = this.#cos;
    const sin = this.#sin;
    // Bins k and M − k read the same two values of Z, so they are made together: half the loads, and no index wrap
    // inside the loop.
    for (let end = 0; end < 2; end++) {
      // DC and Nyquist: Z[M] is Z[0].
      const k = end * m;
      splitBin(re, im, k, zr[0]!, zi[0]!, zr[0]!, -zi[0]!, cos[k]!, sin[k]!);
    }
    for (let k = 1; 2 * k <= m; k++) {
      const l = m - k;
      const pr = zr[k]!;
      const pi = zi[k]!;
      const qr = zr[l]!;
      const qi = zi[l]!;
      splitBin(re, im, k, pr, pi, qr, -qi, cos[k]!, sin[k]!);
      if (l !== k) splitBin(re, im, l, qr, qi, pr, -pi, cos[l]!, sin[l]!);
    }
  }
}

/**
 * Bin k of a real FFT from its half-size complex FFT Z: X[k] = E[k] + e^(−j2πk/N)·O[k], E = (a + b)/2,
 * O = (a − b)/(2j), with a = Z[k] and b = Z*[M−k] (br, bi given conjugated), c + js = e^(j2πk/N).
 */
function splitBin(re: Float64Array, im: Float64Array, k: number, ar: number, ai: number, br: number, bi: number, c: number, s: number): void {
  const er = 0.5 * (ar + br);
  const ei = 0.5 * (ai + bi);
  const or = 0.5 * (ai - bi);
  const oi = -0.5 * (ar - br);
  re[k] = er + or * c + oi * s;
  im[k] = ei + oi * c - or * s;
}
