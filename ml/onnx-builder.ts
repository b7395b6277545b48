import onnxProto from 'onnx-proto';

// onnx-proto is CommonJS: Node's ESM loader exposes only its default export.
export const { onnx } = onnxProto;
export type OnnxModelProto = onnxProto.onnx.ModelProto;
export type OnnxTensorProto = onnxProto.onnx.ITensorProto;
export type OnnxNodeProto = onnxProto.onnx.INodeProto;
export type OnnxValueInfoProto = onnxProto.onnx.IValueInfoProto;

/** ai.onnx opset 13: ReduceSum takes its axes as an input; every operator used here is in it unchanged since. */
export const OPSET = 13;
/** IR version 7 is the one that introduced opset 13 (ONNX 1.8); any runtime that reads opset 13 reads it. */
export const IR_VERSION = 7;

export const DataType = onnx.TensorProto.DataType;

/** A float32 initializer; raw little-endian bytes, as the ONNX spec requires, so the file is byte-reproducible. */
export function floatTensor(name: string, dims: readonly number[], values: ArrayLike<number>): OnnxTensorProto {
  checkCount(name, dims, values.length);
  const raw = new Uint8Array(values.length * 4);
  const view = new DataView(raw.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i]!, true);
  return { name, dims: [...dims], dataType: DataType.FLOAT, rawData: raw };
}

/** A float64 initializer, raw little-endian bytes. */
export function doubleTensor(name: string, dims: readonly number[], values: ArrayLike<number>): OnnxTensorProto {
  checkCount(name, dims, values.length);
  const raw = new Uint8Array(values.length * 8);
  const view = new DataView(raw.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat64(i * 8, values[i]!, true);
  return { name, dims: [...dims], dataType: DataType.DOUBLE, rawData: raw };
}

export function int64Tensor(name: string, dims: readonly number[], values: readonly number[]): OnnxTensorProto {
  checkCount(name, dims, values.length);
  const raw = new Uint8Array(values.length * 8);
  const view = new DataView(raw.buffer);
  values.forEach((v, i) => view.setBigInt64(i * 8, BigInt(v), true));
  return { name, dims: [...dims], dataType: DataType.INT64, rawData: raw };
}

export function boolTensor(name: string, dims: readonly number[], values: readonly boolean[]): OnnxTensorProto {
  checkCount(name, dims, values.length);
  return { name, dims: [...dims], dataType: DataType.BOOL, rawData: Uint8Array.from(values, Number) };
}

export function node(opType: string, inputs: readonly string[], outputs: readonly string[], attributes: Record<string, number> = {}): OnnxNodeProto {
  return {
    name: outputs[0],
    opType,
    input: [...inputs],
    output: [...outputs],
    attribute: Object.entries(attributes).map(([name, i]) => ({ name, type: onnx.AttributeProto.AttributeType.INT, i })),
  };
}

/** A tensor's name, element type and shape; a string dimension is symbolic (dynamic). */
export function valueInfo(name: string, elemType: number, dims: readonly (number | string)[]): OnnxValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: dims.map((dim) => (typeof dim === 'string' ? { dimParam: dim } : { dimValue: dim })) },
      },
    },
  };
}

export interface GraphSpec {
  name: string;
  nodes: readonly OnnxNodeProto[];
  initializers: readonly OnnxTensorProto[];
  inputs: readonly OnnxValueInfoProto[];
  outputs: readonly OnnxValueInfoProto[];
  metadata?: Readonly<Record<string, string>>;
  docString?: string;
}

/** Serialises a single-graph ModelProto (ai.onnx opset 13) to bytes. */
export function encodeModel(spec: GraphSpec): Uint8Array {
  const model = onnx.ModelProto.create({
    irVersion: IR_VERSION,
    opsetImport: [{ domain: '', version: OPSET }],
    producerName: 'twinbed',
    docString: spec.docString ?? '',
    graph: {
      name: spec.name,
      node: [...spec.nodes],
      initializer: [...spec.initializers],
      input: [...spec.inputs],
      output: [...spec.outputs],
    },
    metadataProps: Object.entries(spec.metadata ?? {}).map(([key, value]) => ({ key, value })),
  });
  return onnx.ModelProto.encode(model).finish();
}

function checkCount(name: string, dims: readonly number[], count: number): void {
  const expected = dims.reduce((a, b) => a * b, 1);
  if (expected !== count) throw new RangeError(`tensor ${name}: dims [${dims.join(', ')}] need ${expected} values, got ${count}`);
}
