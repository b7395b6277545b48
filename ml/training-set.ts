import { ModelFitError } from './errors';
import type { FeatureMap } from './feature-vector';

/** Features FeaturesV1 always carries; they lead the input order. */
const ALWAYS_PRESENT = ['rms', 'peak', 'crest'];

export interface TrainingSet {
  /** The model's input order. */
  featureNames: string[];
  rows: Float64Array[];
  /** Features some windows had but not all, left out because a model input must be present in every window. */
  dropped: string[];
}

/**
 * Turns windows into a training matrix. The inputs are `select` in its order, or else every feature present in
 * all windows: rms, peak, crest first, the rest alphabetical, so the same data always gives the same input order.
 */
export function trainingSet(windows: readonly FeatureMap[], select?: readonly string[]): TrainingSet {
  if (windows.length === 0) throw new ModelFitError('no feature windows to fit on; record healthy operation first');
  let featureNames: string[];
  let dropped: string[] = [];
  if (select && select.length > 0) {
    featureNames = [...select];
  } else {
    const counts = new Map<string, number>();
    for (const features of windows) for (const name of Object.keys(features)) counts.set(name, (counts.get(name) ?? 0) + 1);
    const common = [...counts].filter(([, count]) => count === windows.length).map(([name]) => name);
    dropped = [...counts.keys()].filter((name) => !common.includes(name)).sort();
    featureNames = [...ALWAYS_PRESENT.filter((name) => common.includes(name)), ...common.filter((name) => !ALWAYS_PRESENT.includes(name)).sort()];
  }
  const rows = windows.map((features, r) => {
    const missing = featureNames.filter((name) => !Object.hasOwn(features, name));
    if (missing.length > 0) throw new ModelFitError(`window ${r + 1} lacks ${missing.join(', ')}; select features every window has, or fit each sensor separately`);
    return Float64Array.from(featureNames, (name) => features[name]!);
  });
  return { featureNames, rows, dropped };
}
