import seedrandom from 'seedrandom';

/** A deterministic random stream. */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Standard normal N(0, 1). */
  normal(): number;
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
  return {
    next: () => prng(),
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
