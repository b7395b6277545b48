import {
  exportPcaOnnx,
  fitPcaModel,
  modelManifest,
  PcaFitOptionsSchema,
  sha256Hex,
  trainingSet,
  type ModelManifest,
  type PcaFitOptionsInput,
  type PcaModel,
} from '../../ml';
import { ConfigError, formatFieldPath } from '../../protocol';
import { ModelRegistryError } from './errors';

/** One stored healthy feature window: the part of a FeatureRecord training reads. */
export interface TrainingWindow {
  device: string;
  sensor: string;
  /** Event time of the window's first block, ms since the Unix epoch. */
  tsMs: number;
  features: Record<string, number>;
}

export interface TrainOptions {
  /** Version carried in the ONNX metadata and the manifest; the registry passes the one it registers it as. */
  version: string;
  /** PCA fit knobs, as `twinbed model fit` takes them. Default: ml's (variance 0.95, p99.9 × 1.5, log auto). */
  fit?: PcaFitOptionsInput;
  /** Input features, in input order. Default: every feature all windows have, rms, peak, crest first. */
  select?: string[];
  /** What it was trained on, for people, e.g. `pump-1, pump-2 / accel healthy windows 0–600 s`. */
  trainedOn: string;
}

export interface TrainedModel {
  /** The ONNX file. */
  bytes: Uint8Array;
  /** SHA-256 of `bytes`, hex. */
  sha256: string;
  /** model.json of `bytes`, as `twinbed model fit` writes it (file `model.onnx`). */
  manifest: ModelManifest;
  model: PcaModel;
}

/**
 * Fits the edge anomaly model on healthy windows the way `twinbed model fit` does — trainingSet → fitPcaModel →
 * exportPcaOnnx → modelManifest, from ml/ — so a model trained in the cloud is byte for byte the one the CLI fits
 * from the same windows (in time order) and options. The same windows, in any order, give the same bytes.
 */
export function trainModel(windows: readonly TrainingWindow[], options: TrainOptions): TrainedModel {
  const fit = PcaFitOptionsSchema.safeParse(options.fit ?? {});
  if (!fit.success) {
    throw new ConfigError('model training options', fit.error.issues.map((issue) => ({ path: formatFieldPath(['fit', ...issue.path]), message: issue.message })));
  }
  const sensors = [...new Set(windows.map((w) => w.sensor))];
  if (sensors.length > 1) {
    throw new ModelRegistryError('E_MODEL_TRAINING_DATA', `windows of several sensors (${sensors.join(', ')}); a model scores one sensor, so train each separately`);
  }
  // Storage hands windows back device by device; float sums depend on order, so a canonical one keeps the bytes stable.
  const ordered = [...windows].sort(byTimeThenDevice);
  const set = trainingSet(ordered.map((w) => w.features), options.select);
  const model = fitPcaModel(set.rows, set.featureNames, fit.data);
  const { version, trainedOn } = options;
  const bytes = exportPcaOnnx(model, { version, fittedOn: trainedOn });
  const sha256 = sha256Hex(bytes);
  const manifest = modelManifest(model, { version, file: 'model.onnx', sha256, fittedOn: trainedOn });
  return { bytes, sha256, manifest, model };
}

function byTimeThenDevice(a: TrainingWindow, b: TrainingWindow): number {
  return a.tsMs - b.tsMs || (a.device < b.device ? -1 : a.device > b.device ? 1 : 0);
}
