// The per-block features the gateway computed before pipelines: a reference for tests (the DSP's PER_BLOCK_PIPELINE reproduces it).
/** Time-domain features of one block, in the block's unit (crest is dimensionless). */
export interface BlockFeatures {
  rms: number;
  peak: number;
  crest: number;
}

export function blockFeatures(values: ArrayLike<number>): BlockFeatures {
  const n = values.length;
  if (n === 0) return { rms: 0, peak: 0, crest: 0 };
  let sumSquares = 0;
  let peak = 0;
  for (let i = 0; i < n; i++) {
    const x = values[i]!;
    sumSquares += x * x;
    const magnitude = Math.abs(x);
    if (magnitude > peak) peak = magnitude;
  }
  // RMS = √(Σx²/N); crest factor = peak / RMS (√2 for a pure sine)
  const rms = Math.sqrt(sumSquares / n);
  return { rms, peak, crest: rms > 0 ? peak / rms : 0 };
}
