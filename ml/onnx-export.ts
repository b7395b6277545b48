import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { boolTensor, DataType, doubleTensor, encodeModel, int64Tensor, node, valueInfo, type OnnxNodeProto } from './onnx-builder';
import type { PcaModel } from './pca-model';

/** Value of `twinbed.format` in a model twinbed fitted; a reader that sees another value treats the model as external. */
export const TWINBED_FORMAT = 'twinbed-pca-residual/2';
/** The input and output every twinbed model declares. */
export const INPUT_NAME = 'features';
export const OUTPUT_NAME = 'score';

/** metadata_props keys of a twinbed model. */
export const META = {
  format: 'twinbed.format',
  version: 'twinbed.version',
  features: 'twinbed.features',
  logFeatures: 'twinbed.log_features',
  threshold: 'twinbed.threshold',
  components: 'twinbed.components',
  explainedVariance: 'twinbed.explained_variance',
  fittedOn: 'twinbed.fitted_on',
} as const;

/** Initializer names of a twinbed model; the reference reads its parameters back from them. */
export const INIT = {
  logMask: 'twinbed.log_mask',
  logScale: 'twinbed.log_scale',
  logFloor: 'twinbed.log_floor',
  mean: 'twinbed.mean',
  std: 'twinbed.std',
  components: 'twinbed.components',
  axes: 'twinbed.reduce_axes',
} as const;

export interface OnnxExportOptions {
  /** Version name carried in the metadata, e.g. `v3`. */
  version: string;
  /** What it was fitted on, for people: windows, devices, sensors, time span. */
  fittedOn: string;
}

/**
 * The model as an ONNX graph, `features` float32 [N, d] → `score` float32 [N], computed in float64 inside:
 *   Cast(f64) → (Div(g) → Max(f) → Log → Where(log mask) →) Sub(μ) → Div(σ) → MatMul(W) → MatMul(Wᵀ) → Sub from z
 *   → Mul(r, r) → ReduceSum(axis 1) → Cast(f32)
 * Float64 because a window far from the healthy data has ‖z‖² ≫ s: in float32 the residual's cancellation leaves
 * an error of ~ε₃₂·‖z‖², which exceeded 1e-5 of the score; in float64 runtime and reference agree to the last
 * float32 bit. The log stage appears only when some feature is log-transformed. The bytes depend only on the model
 * and options, so the same fit gives the same sha256.
 */
export function exportPcaOnnx(model: PcaModel, options: OnnxExportOptions): Uint8Array {
  const { featureNames, transform, components } = model;
  const d = featureNames.length;
  const k = components[0]?.length ?? 0;
  const anyLog = transform.log.some(Boolean);
  const nodes: OnnxNodeProto[] = [node('Cast', [INPUT_NAME], ['x'], { to: DataType.DOUBLE })];
  const initializers = [
    doubleTensor(INIT.mean, [d], transform.mean),
    doubleTensor(INIT.std, [d], transform.std),
    doubleTensor(INIT.components, [d, k], components.flat()),
    int64Tensor(INIT.axes, [1], [1]),
  ];
  let u = 'x';
  if (anyLog) {
    initializers.push(
      boolTensor(INIT.logMask, [d], [...transform.log]),
      doubleTensor(INIT.logScale, [d], transform.logScale),
      doubleTensor(INIT.logFloor, [d], transform.logFloor),
    );
    nodes.push(
      node('Div', ['x', INIT.logScale], ['ratio']),
      node('Max', ['ratio', INIT.logFloor], ['ratio_floored']),
      node('Log', ['ratio_floored'], ['log_ratio']),
      // Where reads only the selected branch, so a negative non-log feature's NaN log never reaches the output.
      node('Where', [INIT.logMask, 'log_ratio', 'x'], ['transformed']),
    );
    u = 'transformed';
  }
  nodes.push(
    node('Sub', [u, INIT.mean], ['centred']),
    node('Div', ['centred', INIT.std], ['z']),
    node('MatMul', ['z', INIT.components], ['projection']),
    // Transpose without perm reverses the axes: Wᵀ, folded to a constant by the runtime.
    node('Transpose', [INIT.components], ['components_t']),
    node('MatMul', ['projection', 'components_t'], ['reconstruction']),
    node('Sub', ['z', 'reconstruction'], ['residual']),
    node('Mul', ['residual', 'residual'], ['squared']),
    node('ReduceSum', ['squared', INIT.axes], ['score_f64'], { keepdims: 0 }),
    node('Cast', ['score_f64'], [OUTPUT_NAME], { to: DataType.FLOAT }),
  );

  return encodeModel({
    name: 'twinbed_pca_residual',
    nodes,
    initializers,
    inputs: [valueInfo(INPUT_NAME, DataType.FLOAT, ['N', d])],
    outputs: [valueInfo(OUTPUT_NAME, DataType.FLOAT, ['N'])],
    docString: 'twinbed PCA residual anomaly score: s = ‖z − W·Wᵀ·z‖², z = (T(x) − μ)/σ; anomalous above twinbed.threshold',
    metadata: {
      [META.format]: TWINBED_FORMAT,
      [META.version]: options.version,
      [META.features]: JSON.stringify(featureNames),
      [META.logFeatures]: JSON.stringify(featureNames.filter((_, i) => transform.log[i])),
      [META.threshold]: String(model.threshold),
      [META.components]: String(k),
      [META.explainedVariance]: String(model.stats.explainedVariance),
      [META.fittedOn]: options.fittedOn,
    },
  });
}

/** Hex SHA-256 of a model file's bytes, as `stage(…, { sha256 })` expects it. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Writes `bytes` to `file` (creating its folder) and returns their sha256. */
export async function writeOnnxFile(file: string, bytes: Uint8Array): Promise<string> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, bytes);
  return sha256Hex(bytes);
}
