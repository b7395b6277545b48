export type WindowFunction = 'hann' | 'rect';

/** A window's samples with the two sums its spectral normalisations need. */
export interface WindowTable {
  readonly values: Float64Array;
  /** Σw: amplitude of a bin-centred tone of amplitude A is 2·|X[k]|/Σw. */
  readonly sum: number;
  /** Σw²: mean-square power in a band is 2·Σ|X[k]|²/(N·Σw²). */
  readonly sumSquares: number;
}

/**
 * w[n] for a window of `length` samples: the symmetric Hann (zero at both ends) or the rectangle. A Hann of one or two
 * samples is all ends, so all zero (Σw² = 0, every spectral feature 0/0): those get the rectangle.
 */
export function windowTable(fn: WindowFunction, length: number): WindowTable {
  const values = new Float64Array(length);
  let sum = 0;
  let sumSquares = 0;
  for (let n = 0; n < length; n++) {
    // Hann: w[n] = 0.5·(1 − cos(2πn/(L − 1)))
    const w = fn === 'rect' || length <= 2 ? 1 : 0.5 * (1 - Math.cos((2 * Math.PI * n) / (length - 1)));
    values[n] = w;
    sum += w;
    sumSquares += w * w;
  }
  return { values, sum, sumSquares };
}

/** Remembers the last few tables by (function, length): full windows always hit, partial ones rarely evict them. */
export class WindowCache {
  readonly #tables = new Map<string, WindowTable>();
  readonly #capacity: number;

  constructor(capacity = 4) {
    this.#capacity = capacity;
  }

  get(fn: WindowFunction, length: number): WindowTable {
    const key = `${fn}:${length}`;
    let table = this.#tables.get(key);
    if (table) {
      this.#tables.delete(key);
    } else {
      table = windowTable(fn, length);
      if (this.#tables.size >= this.#capacity) this.#tables.delete(this.#tables.keys().next().value!);
    }
    this.#tables.set(key, table);
    return table;
  }
}
