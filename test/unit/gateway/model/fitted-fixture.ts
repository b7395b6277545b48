import { exportPcaOnnx } from '../../../../ml/onnx-export';
import { fitPcaModel, type PcaModel } from '../../../../ml/pca-model';
import { createRng } from '../../../../sim';

export const NAMES = ['level', 'energy', 'crest', 'skew'] as const;

/** Healthy windows with correlated features: a log-normal level, energy ∝ level², crest partly following it. */
export function healthyWindows(n: number, seed: string): Record<string, number>[] {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => {
    const level = Math.exp(0.3 * rng.normal());
    return { level, energy: level ** 2 * Math.exp(0.05 * rng.normal()), crest: 3 + 0.1 * rng.normal() + 0.2 * level, skew: 0.1 * rng.normal() };
  });
}

let cached: PcaModel | undefined;

/** A model fitted on 500 healthy windows, and its ONNX bytes for a given version. */
export function fittedModel(version = 'v1'): { model: PcaModel; bytes: Uint8Array } {
  cached ??= fitPcaModel(healthyWindows(500, 'slot-fit').map((w) => NAMES.map((name) => w[name]!)), [...NAMES]);
  return { model: cached, bytes: exportPcaOnnx(cached, { version, fittedOn: '500 synthetic windows' }) };
}
