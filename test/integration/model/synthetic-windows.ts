import type { FeaturesV1 } from '../../../protocol';
import { createRng, type Rng } from '../../../sim';

/**
 * Feature windows of an accelerometer on a pump, healthy or with an outer-race bearing defect, drawn from a small
 * generative model so the features are correlated the way real ones are: one operating point (speed, load) drives
 * the level of every energy-like feature, and band energies go as rms² (Parseval).
 */
export const FEATURE_NAMES = ['rms', 'peak', 'crest', 'kurtosis', 'skewness', 'bandLow', 'bandMid', 'bandHigh', 'envBpfo', 'envBpfi', 'envBsf', 'envFtf'] as const;

export interface WindowOptions {
  /** 0 for healthy; 0–1 scales an outer-race defect: impulsive (kurtosis, crest), resonance band, BPFO envelope line. */
  defect?: number;
}

export class SyntheticWindows {
  readonly #rng: Rng;
  #seq = 0;

  constructor(seed: string) {
    this.#rng = createRng(seed);
  }

  features(options: WindowOptions = {}): Record<string, number> {
    const rng = this.#rng;
    const n = () => rng.normal();
    const defect = options.defect ?? 0;
    // Operating point: speed ±15% (lognormal), load 20–100%; vibration level ∝ speed^1.5 (unbalance forces ∝ ω²) and load.
    const speed = Math.exp(0.15 * n());
    const load = Math.min(1, Math.max(0.2, 0.6 + 0.15 * n()));
    let rms = 0.5 * speed ** 1.5 * (0.7 + 0.6 * load) * Math.exp(0.05 * n());
    // Crest and kurtosis both measure impulsiveness: a window with one large excursion raises both.
    const impulsive = n();
    let crest = 3 + 0.12 * (0.8 * impulsive + 0.6 * n());
    let kurtosis = Math.max(1.8, 3 + 0.15 * (0.8 * impulsive + 0.6 * n()));
    let skewness = 0.04 * n();
    const energy = rms * rms;
    let bandHigh = energy * 0.1 * speed * Math.exp(0.1 * n());
    const bandLow = energy * 0.55 * speed ** -0.5 * Math.exp(0.08 * n());
    const bandMid = energy * 0.3 * speed ** 0.3 * Math.exp(0.08 * n());
    // The envelope spectrum's noise floor follows the demodulated (high) band's amplitude; each line adds its own scatter.
    const floor = 0.03 * Math.sqrt(bandHigh) * Math.exp(0.1 * n());
    let envBpfo = floor * Math.exp(0.1 * n());
    const envBpfi = floor * 0.9 * Math.exp(0.1 * n());
    const envBsf = floor * 0.8 * Math.exp(0.1 * n());
    const envFtf = floor * 1.2 * Math.exp(0.1 * n());
    if (defect > 0) {
      // Impacts at BPFO ring the housing resonance: impulsive time signal, energy in the high band, a BPFO envelope line.
      kurtosis += 12 * defect * Math.exp(0.2 * n());
      crest += 3 * defect;
      skewness += 0.3 * defect;
      rms *= 1 + 0.3 * defect;
      bandHigh *= 1 + 20 * defect;
      envBpfo *= 1 + 30 * defect;
    }
    return { rms, peak: crest * rms, crest, kurtosis, skewness, bandLow, bandMid, bandHigh, envBpfo, envBpfi, envBsf, envFtf };
  }

  window(options: WindowOptions = {}, device = 'pump-1', sensor = 'accel'): FeaturesV1 {
    const seq = this.#seq++;
    const features = this.features(options);
    return {
      type: 'features',
      v: 1,
      device,
      sensor,
      seq,
      tsMs: 1_700_000_000_000 + seq * 1000,
      windowMs: 1000,
      unit: 'g',
      features: { ...features, rms: features.rms!, peak: features.peak!, crest: features.crest! },
    };
  }

  /** Feature vectors in FEATURE_NAMES order. */
  rows(count: number, options: WindowOptions = {}): number[][] {
    return Array.from({ length: count }, () => {
      const features = this.features(options);
      return FEATURE_NAMES.map((name) => features[name]!);
    });
  }
}
