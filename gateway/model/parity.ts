import type { ReferenceScorer } from '../../ml';

/**
 * Largest accepted difference between a model's score and the reference's, |a − b| / max(1, |b|): absolute for
 * scores up to 1 and relative above, because one float32 ulp of a score of 1000 is already 6·10⁻⁵.
 */
export const PARITY_TOLERANCE = 1e-5;

export interface ParityReport {
  count: number;
  maxAbsDiff: number;
  /** max |a − b| / max(1, |b|), the quantity PARITY_TOLERANCE bounds. */
  maxScaledDiff: number;
  /** The window with the largest scaled difference. */
  worst: { index: number; model: number; reference: number } | null;
  /** Windows where exactly one side is non-finite, or both are but differently. */
  nonFiniteMismatches: number;
  withinTolerance: boolean;
}

/** Anything that scores packed feature vectors: the ONNX runner, or a slot's model. */
export interface BatchScorer {
  scoreBatch(flat: Float32Array, n: number): Promise<Float32Array>;
}

/** Scores the same windows (packed row-major, n·d values) with the model and the reference and compares them. */
export async function compareWithReference(
  model: BatchScorer,
  reference: ReferenceScorer,
  flat: Float32Array,
  n: number,
  tolerance = PARITY_TOLERANCE,
): Promise<ParityReport> {
  return compareScores(await model.scoreBatch(flat, n), reference.scoreBatch(flat, n), tolerance);
}

export function compareScores(model: ArrayLike<number>, reference: ArrayLike<number>, tolerance = PARITY_TOLERANCE): ParityReport {
  if (model.length !== reference.length) throw new RangeError(`compareScores needs equal lengths, got ${model.length} and ${reference.length}`);
  let maxAbsDiff = 0;
  let maxScaledDiff = 0;
  let worst: ParityReport['worst'] = null;
  let nonFiniteMismatches = 0;
  for (let i = 0; i < model.length; i++) {
    const a = model[i]!;
    const b = reference[i]!;
    if (!Number.isFinite(a) || !Number.isFinite(b)) {
      if (!Object.is(a, b)) nonFiniteMismatches++;
      continue;
    }
    const abs = Math.abs(a - b);
    const scaled = abs / Math.max(1, Math.abs(b));
    if (abs > maxAbsDiff) maxAbsDiff = abs;
    if (scaled > maxScaledDiff || worst === null) {
      maxScaledDiff = Math.max(maxScaledDiff, scaled);
      worst = { index: i, model: a, reference: b };
    }
  }
  return {
    count: model.length,
    maxAbsDiff,
    maxScaledDiff,
    worst,
    nonFiniteMismatches,
    withinTolerance: nonFiniteMismatches === 0 && maxScaledDiff <= tolerance,
  };
}
