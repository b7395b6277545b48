import { fftPlan, nextPowerOfTwo, RealFft } from './fft';

/**
 * Envelope spectrum from the spectrum X[k] (k = 0 … N/2) of a windowed, zero-padded window, by the Hilbert
 * transform done in the frequency domain: keep only the positive-frequency bins of the demodulation band (×2, the
 * analytic signal), inverse FFT, take |z|, then FFT the envelope.
 *
 * The band of B bins is moved to 0 Hz before the inverse FFT, which changes z only by a factor e^(jωn) of modulus 1,
 * so |z| is unchanged; and the inverse FFT has only M = nextPow2(2B) points (the analytic signal decimated by N/M,
 * still alias-free for |z|², whose spectrum spans ±B). The envelope spectrum keeps the signal's bin spacing fs/N.
 * Its amplitudes are those of the envelope's sinusoidal components, in the signal's unit: the window the signal
 * carried is divided out (2·|E[k]|/Σw), and its scaled copy μ·w is subtracted first so the envelope's mean does not
 * leak into low-frequency bins.
 */
export class EnvelopeSpectrum {
  /** Amplitude per bin, valid for bins 0 … size/2 after `compute`. */
  readonly amplitude: Float64Array;
  readonly #zr: Float64Array;
  readonly #zi: Float64Array;
  readonly #envelope: Float64Array;
  readonly #er: Float64Array;
  readonly #ei: Float64Array;
  readonly #realFfts = new Map<number, RealFft>();
  #binHz = 0;
  #size = 0;

  /** Bin spacing of `amplitude`, Hz (fs/N of the last `compute`). */
  get binHz(): number {
    return this.#binHz;
  }

  /** Points of the last inverse FFT (M); 0 when the band held no bin. */
  get size(): number {
    return this.#size;
  }

  /** `maxSize`: the largest N the analyzer will see (M ≤ N). */
  constructor(maxSize: number) {
    this.#zr = new Float64Array(maxSize);
    this.#zi = new Float64Array(maxSize);
    this.#envelope = new Float64Array(maxSize);
    this.#er = new Float64Array(maxSize / 2 + 1);
    this.#ei = new Float64Array(maxSize / 2 + 1);
    this.amplitude = new Float64Array(maxSize / 2 + 1);
  }

  /**
   * re/im: spectrum bins 0 … N/2 of the window; `window`: the L window samples (w ≡ 1 for rect); band clipped to
   * Nyquist. Returns false (amplitudes all 0) when the band holds no bin.
   */
  compute(re: Float64Array, im: Float64Array, n: number, sampleRateHz: number, loHz: number, hiHz: number, window: Float64Array, length: number): boolean {
    const half = n >>> 1;
    const binHz = sampleRateHz / n;
    const first = Math.max(1, Math.ceil(loHz / binHz));
    const last = Math.min(half, Math.floor(hiHz / binHz));
    this.#binHz = binHz;
    if (last < first) {
      this.amplitude.fill(0);
      this.#size = 0;
      return false;
    }
    const m = Math.min(n, Math.max(4, nextPowerOfTwo(2 * (last - first + 1))));
    this.#size = m;
    const zr = this.#zr;
    const zi = this.#zi;
    zr.fill(0, 0, m);
    zi.fill(0, 0, m);
    // Analytic signal: Z[k] = 2·X[k] on the kept positive band, 0 elsewhere; 1/N from the inverse DFT.
    const scale = 2 / n;
    for (let k = first; k <= last; k++) {
      zr[k - first] = scale * re[k]!;
      zi[k - first] = scale * im[k]!;
    }
    fftPlan(m).transform(zr, zi, true);

    const stride = n / m;
    const valid = Math.min(m, Math.ceil(length / stride));
    const e = this.#envelope;
    let sum = 0;
    let windowSum = 0;
    for (let j = 0; j < valid; j++) {
      const v = Math.sqrt(zr[j]! * zr[j]! + zi[j]! * zi[j]!);
      e[j] = v;
      sum += v;
      windowSum += window[j * stride]!;
    }
    const mean = windowSum > 0 ? sum / windowSum : 0;
    for (let j = 0; j < valid; j++) e[j] = e[j]! - mean * window[j * stride]!;
    e.fill(0, valid, m);

    let fft = this.#realFfts.get(m);
    if (!fft) {
      fft = new RealFft(m);
      this.#realFfts.set(m, fft);
    }
    fft.transform(e, this.#er, this.#ei);
    const norm = windowSum > 0 ? 2 / windowSum : 0;
    for (let k = 0; k <= m / 2; k++) this.amplitude[k] = norm * Math.sqrt(this.#er[k]! * this.#er[k]! + this.#ei[k]! * this.#ei[k]!);
    return true;
  }

  /**
   * Largest envelope amplitude within ±`toleranceBins` of `hz` (slip moves defect lines by a bin or two), refined
   * between bins when it is a local maximum (Gaussian interpolation: ln peak = β − ¼(α − γ)·δ), which removes most
   * of the window's scalloping loss (up to 15% for Hann).
   */
  amplitudeAt(hz: number, toleranceBins = 2): number {
    if (this.#size === 0 || !(hz > 0)) return 0;
    const a = this.amplitude;
    const centre = Math.round(hz / this.#binHz);
    const top = this.#size / 2;
    let best = -1;
    for (let k = Math.max(1, centre - toleranceBins); k <= Math.min(top, centre + toleranceBins); k++) {
      if (best < 0 || a[k]! > a[best]!) best = k;
    }
    if (best < 0) return 0;
    const beta = a[best]!;
    if (best <= 1 || best >= top || beta <= 0) return Math.max(beta, 0);
    const below = a[best - 1]!;
    const above = a[best + 1]!;
    if (!(below > 0 && above > 0 && below <= beta && above <= beta)) return beta;
    const la = Math.log(below);
    const lb = Math.log(beta);
    const lc = Math.log(above);
    const denominator = la - 2 * lb + lc;
    if (!(denominator < 0)) return beta;
    const delta = (0.5 * (la - lc)) / denominator;
    return Math.exp(lb - 0.25 * (la - lc) * delta);
  }
}
