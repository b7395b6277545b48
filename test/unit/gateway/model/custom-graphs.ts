import { DataType, encodeModel, node, onnx, valueInfo } from '../../../../ml/onnx-builder';

/**
 * A non-twinbed model: score = Σ x² over d inputs. `input`/`width` let a test declare the wrong name or shape;
 * `nan` makes it compute 0/0 instead, a model that validates structurally but blinds the detector.
 */
export function sumOfSquaresModel(options: { d: number; input?: string; width?: number; batch?: number; nan?: boolean; output?: string }): Uint8Array {
  const input = options.input ?? 'features';
  const output = options.output ?? 'score';
  const nodes = options.nan
    ? [node('Sub', [input, input], ['zero']), node('Div', ['zero', 'zero'], ['squared'])]
    : [node('Mul', [input, input], ['squared'])];
  return encodeModel({
    name: 'sum_of_squares',
    nodes: [...nodes, node('ReduceSum', ['squared', 'axes'], [output], { keepdims: 0 })],
    initializers: [{ name: 'axes', dims: [1], dataType: DataType.INT64, int64Data: [1] }],
    inputs: [valueInfo(input, DataType.FLOAT, [options.batch ?? 'N', options.width ?? options.d])],
    outputs: [valueInfo(output, DataType.FLOAT, [options.batch ?? 'N'])],
  });
}

/** Re-encodes a model with one node's operator replaced: the graph no longer computes what its parameters say. */
export function withOperatorSwapped(bytes: Uint8Array, output: string, opType: string): Uint8Array {
  const model = onnx.ModelProto.decode(bytes);
  const target = (model.graph?.node ?? []).find((n) => (n.output ?? []).includes(output));
  if (!target) throw new Error(`no node outputs ${output}`);
  target.opType = opType;
  return onnx.ModelProto.encode(model).finish();
}
