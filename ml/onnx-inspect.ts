import { ModelFormatError } from './errors';
import { DataType, onnx, type OnnxModelProto, type OnnxTensorProto } from './onnx-builder';
import { INIT, META, TWINBED_FORMAT } from './onnx-export';
import type { PcaParams } from './pca-model';

/** A model twinbed fitted, as read back from its own file. */
export interface TwinbedModelInfo {
  version: string;
  threshold: number;
  fittedOn: string;
  /** The parameters exactly as the graph holds them (float32), for the reference. */
  params: PcaParams;
}

export interface OnnxInspection {
  metadata: Readonly<Record<string, string>>;
  /** Present when the model carries `twinbed.format`; a twinbed model whose parameters do not read back is an error. */
  twinbed?: TwinbedModelInfo;
}

/** Parses ONNX bytes with onnx-proto: metadata_props, and a twinbed model's parameters from its initializers. */
export function inspectOnnx(bytes: Uint8Array): OnnxInspection {
  let model: OnnxModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (cause) {
    throw new ModelFormatError(`not an ONNX model (protobuf decode failed: ${(cause as Error).message})`, { cause });
  }
  if (!model.graph) throw new ModelFormatError('not an ONNX model: it has no graph');
  const metadata: Record<string, string> = {};
  for (const entry of model.metadataProps) metadata[entry.key ?? ''] = entry.value ?? '';
  const format = metadata[META.format];
  if (format === undefined) return { metadata };
  if (format !== TWINBED_FORMAT) throw new ModelFormatError(`${META.format} is "${format}"; this gateway reads "${TWINBED_FORMAT}" — refit with this twinbed version`);
  return { metadata, twinbed: readTwinbed(metadata, model.graph.initializer ?? []) };
}

function readTwinbed(metadata: Record<string, string>, initializers: readonly OnnxTensorProto[]): TwinbedModelInfo {
  const featureNames = parseJson(metadata, META.features);
  if (!Array.isArray(featureNames) || featureNames.length === 0 || !featureNames.every((n) => typeof n === 'string' && n.length > 0)) {
    throw new ModelFormatError(`${META.features} must be a JSON array of feature names`);
  }
  const threshold = Number(metadata[META.threshold]);
  if (!(Number.isFinite(threshold) && threshold > 0)) throw new ModelFormatError(`${META.threshold} must be a positive number, got "${metadata[META.threshold]}"`);
  const d = featureNames.length;
  const byName = new Map(initializers.map((t) => [t.name ?? '', t]));
  const vector = (name: string): number[] => doubleValues(required(byName, name), [d]);
  const componentsTensor = required(byName, INIT.components);
  const k = Number(componentsTensor.dims?.[1] ?? 0);
  const flat = doubleValues(componentsTensor, [d, k]);
  const hasLog = byName.has(INIT.logMask);
  return {
    version: metadata[META.version] ?? '',
    threshold,
    fittedOn: metadata[META.fittedOn] ?? '',
    params: {
      featureNames: featureNames as string[],
      transform: {
        log: hasLog ? boolValues(required(byName, INIT.logMask), d) : featureNames.map(() => false),
        logScale: hasLog ? vector(INIT.logScale) : featureNames.map(() => 1),
        logFloor: hasLog ? vector(INIT.logFloor) : featureNames.map(() => 1),
        mean: vector(INIT.mean),
        std: vector(INIT.std),
      },
      components: Array.from({ length: d }, (_, i) => flat.slice(i * k, (i + 1) * k)),
    },
  };
}

function parseJson(metadata: Record<string, string>, key: string): unknown {
  try {
    return JSON.parse(metadata[key] ?? '');
  } catch {
    throw new ModelFormatError(`${key} is missing or not JSON`);
  }
}

function required(byName: Map<string, OnnxTensorProto>, name: string): OnnxTensorProto {
  const tensor = byName.get(name);
  if (!tensor) throw new ModelFormatError(`the twinbed model lacks its ${name} initializer; re-export it with \`twinbed model fit\``);
  return tensor;
}

function checkDims(tensor: OnnxTensorProto, dims: readonly number[]): number {
  const actual = (tensor.dims ?? []).map(Number);
  if (actual.length !== dims.length || actual.some((n, i) => n !== dims[i])) {
    throw new ModelFormatError(`initializer ${tensor.name} has shape [${actual.join(', ')}], expected [${dims.join(', ')}] for the declared features`);
  }
  return dims.reduce((a, b) => a * b, 1);
}

function doubleValues(tensor: OnnxTensorProto, dims: readonly number[]): number[] {
  const count = checkDims(tensor, dims);
  if (tensor.dataType !== DataType.DOUBLE) throw new ModelFormatError(`initializer ${tensor.name} is not float64`);
  const raw = tensor.rawData;
  if (raw && raw.length > 0) {
    if (raw.length !== count * 8) throw new ModelFormatError(`initializer ${tensor.name} holds ${raw.length} bytes for ${count} doubles`);
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    return Array.from({ length: count }, (_, i) => view.getFloat64(i * 8, true));
  }
  const values = tensor.doubleData ?? [];
  if (values.length !== count) throw new ModelFormatError(`initializer ${tensor.name} holds ${values.length} doubles, expected ${count}`);
  return values.map(Number);
}

function boolValues(tensor: OnnxTensorProto, d: number): boolean[] {
  const count = checkDims(tensor, [d]);
  if (tensor.dataType !== DataType.BOOL) throw new ModelFormatError(`initializer ${tensor.name} is not bool`);
  const values = tensor.rawData && tensor.rawData.length > 0 ? Array.from(tensor.rawData) : (tensor.int32Data ?? []);
  if (values.length !== count) throw new ModelFormatError(`initializer ${tensor.name} holds ${values.length} values, expected ${count}`);
  return values.map((v) => v !== 0);
}
