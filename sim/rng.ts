import seedrandom from 'seedrandom';

/** A deterministic random stream. */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Standard normal N(0, 1). */
  normal(): number;
  /**
   * Adds `scale`·N(0, 1) to out[0 … count−1] (count defaults to out.length), for bulk sensor noise. Draws come
   * from a separate fast generator seeded from this stream on first use, so they never shift next()/normal().
   */
  addNormal(out: Float64Array | Float32Array, scale: number, count?: number): void;
}

/**
 * Named random streams derived from one seed: `streams.stream('pump-1/accel/noise')`. Each consumer owns its
 * stream, so adding a draw in one model never shifts another model's numbers.
 */
export class RandomStreams {
  readonly seed: string;
  readonly #taken = new Set<string>();

  constructor(seed: string | number) {
    this.seed = String(seed);
  }

  /** The stream for `name`; each name may be taken once, since two owners of one stream would couple their draws. */
  stream(name: string): Rng {
    if (this.#taken.has(name)) throw new Error(`random stream "${name}" is already taken; give each consumer its own name`);
    this.#taken.add(name);
    // JSON keeps seed and name apart: seed "1/a" with name "b" must not equal seed "1" with name "a/b".
    return createRng(JSON.stringify([this.seed, name]));
  }
}

/** Alea: fast, well distributed, and identical across platforms for the same seed string. */
export function createRng(seed: string): Rng {
  const prng = seedrandom.alea(seed);
  let spare: number | undefined;
  let bulk: BulkNormal | undefined;
  return {
    next: () => prng(),
    addNormal: (out, scale, count = out.length) => {
      // Seeded from the stream's own seed (not its draws) so interleaving bulk and single draws changes neither.
      bulk ??= new BulkNormal(seedrandom.alea(`${seed}#bulk`));
      bulk.add(out, scale, count);
    },
    normal: () => {
      if (spare !== undefined) {
        const value = spare;
        spare = undefined;
        return value;
      }
      // Marsaglia polar: for s = u² + v² in (0, 1), z0 = u·√(−2 ln s / s) and z1 = v·√(−2 ln s / s); no trig calls.
      let u: number;
      let v: number;
      let s: number;
      do {
        u = 2 * prng() - 1;
        v = 2 * prng() - 1;
        s = u * u + v * v;
      } while (s >= 1 || s === 0);
      const scale = Math.sqrt((-2 * Math.log(s)) / s);
      spare = v * scale;
      return u * scale;
    },
  };
}

/**
 * Gaussian noise in bulk, several times faster than a seedrandom call per sample: sfc32 (Doty-Humphrey's small
 * fast counting generator) seeded with three draws of a seedrandom stream, shaped by the ziggurat method
 * (Marsaglia & Tsang 2000, 128 layers). Only 32-bit integer ops and IEEE doubles: same seed, same numbers everywhere.
 */
class BulkNormal {
  #a: number;
  #b: number;
  #c: number;
  #d = 1;

  constructor(seeder: () => number) {
    this.#a = (seeder() * 2 ** 32) | 0;
    this.#b = (seeder() * 2 ** 32) | 0;
    this.#c = (seeder() * 2 ** 32) | 0;
    for (let i = 0; i < 12; i++) this.#next(); // discard the warm-up, as sfc32's author recommends
  }

  /** One sfc32 step: a signed 32-bit integer. */
  #next(): number {
    const a = this.#a;
    const b = this.#b;
    const c = this.#c;
    const t = (((a + b) | 0) + this.#d) | 0;
    this.#d = (this.#d + 1) | 0;
    this.#a = b ^ (b >>> 9);
    this.#b = (c + (c << 3)) | 0;
    this.#c = (((c << 21) | (c >>> 11)) + t) | 0;
    return t;
  }

  /** Uniform in (0, 1). */
  #uniform(): number {
    return ((this.#next() >>> 0) + 0.5) / 2 ** 32;
  }

  add(out: Float64Array | Float32Array, scale: number, count: number): void {
    // sfc32 inlined with its state in locals: this loop runs for every noise sample in a run.
    let a = this.#a;
    let b = this.#b;
    let c = this.#c;
    let d = this.#d;
    for (let i = 0; i < count; i++) {
      const hz = (((a + b) | 0) + d) | 0;
      d = (d + 1) | 0;
      a = b ^ (b >>> 9);
      b = (c + (c << 3)) | 0;
      c = (((c << 21) | (c >>> 11)) + hz) | 0;
      const iz = hz & 127;
      // Fast path (~99% of draws): the point lies inside the layer's rectangle.
      if (Math.abs(hz) < ZIG_K[iz]!) {
        out[i]! += scale * hz * ZIG_W[iz]!;
        continue;
      }
      [this.#a, this.#b, this.#c, this.#d] = [a, b, c, d];
      out[i]! += scale * this.#tail(hz, iz);
      [a, b, c, d] = [this.#a, this.#b, this.#c, this.#d];
    }
    [this.#a, this.#b, this.#c, this.#d] = [a, b, c, d];
  }

  /** The ziggurat's slow path: the wedge test, or the tail beyond r for the base layer. */
  #tail(hz: number, iz: number): number {
    for (;;) {
      const x = hz * ZIG_W[iz]!;
      if (iz === 0) {
        // Tail beyond r (Marsaglia 1964): x = −ln(U1)/r, accept when −2 ln(U2) > x².
        let tx: number;
        let ty: number;
        do {
          tx = -Math.log(this.#uniform()) / ZIG_R;
          ty = -Math.log(this.#uniform());
        } while (ty + ty < tx * tx);
        return hz > 0 ? ZIG_R + tx : -ZIG_R - tx;
      }
      if (ZIG_F[iz]! + this.#uniform() * (ZIG_F[iz - 1]! - ZIG_F[iz]!) < Math.exp(-0.5 * x * x)) return x;
      hz = this.#next();
      iz = hz & 127;
      if (Math.abs(hz) < ZIG_K[iz]!) return hz * ZIG_W[iz]!;
    }
  }
}

// Ziggurat tables for N(0, 1), 128 layers: r = 3.442619855899, v = 9.91256303526217e-3 (Marsaglia & Tsang 2000).
const ZIG_R = 3.442619855899;
const ZIG_K = new Float64Array(128);
const ZIG_W = new Float64Array(128);
const ZIG_F = new Float64Array(128);
{
  const m1 = 2 ** 31;
  const v = 9.91256303526217e-3;
  let dn = ZIG_R;
  let tn = dn;
  const q = v / Math.exp(-0.5 * dn * dn);
  ZIG_K[0] = (dn / q) * m1;
  ZIG_K[1] = 0;
  ZIG_W[0] = q / m1;
  ZIG_W[127] = dn / m1;
  ZIG_F[0] = 1;
  ZIG_F[127] = Math.exp(-0.5 * dn * dn);
  for (let i = 126; i >= 1; i--) {
    dn = Math.sqrt(-2 * Math.log(v / dn + Math.exp(-0.5 * dn * dn)));
    ZIG_K[i + 1] = (dn / tn) * m1;
    tn = dn;
    ZIG_F[i] = Math.exp(-0.5 * dn * dn);
    ZIG_W[i] = dn / m1;
  }
}
