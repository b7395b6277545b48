import { describe, expect, it } from 'vitest';
import { onnx } from '../../../../ml/onnx-builder';
import { exportPcaOnnx, sha256Hex } from '../../../../ml/onnx-export';
import { inspectOnnx } from '../../../../ml/onnx-inspect';
import { OnnxRunner } from '../../../../gateway/model/onnx-runner';
import { ModelFormatError } from '../../../../gateway/model/errors';
import { sumOfSquaresModel } from './custom-graphs';
import { toyModel } from './toy-model';

const options = { version: 'v7', fittedOn: '2,000 windows of pump-1 / accel' };

describe('exportPcaOnnx', () => {
  it('writes opset 13, features float32 [N, d] → score float32 [N], float64 parameters inside, and the twinbed metadata', () => {
    const model = onnx.ModelProto.decode(exportPcaOnnx(toyModel({ threshold: 2.5 }), options));
    expect(model.opsetImport.map((o) => [o.domain, Number(o.version)])).toEqual([['', 13]]);
    const input = model.graph!.input![0]!;
    expect(input.name).toBe('features');
    expect(input.type!.tensorType!.elemType).toBe(onnx.TensorProto.DataType.FLOAT);
    expect(input.type!.tensorType!.shape!.dim!.map((d) => d.dimParam || Number(d.dimValue))).toEqual(['N', 3]);
    expect(model.graph!.output![0]!.name).toBe('score');
    expect(model.graph!.output![0]!.type!.tensorType!.elemType).toBe(onnx.TensorProto.DataType.FLOAT);
    expect(new Set(model.graph!.initializer!.filter((t) => t.name !== 'twinbed.reduce_axes').map((t) => t.dataType))).toEqual(new Set([onnx.TensorProto.DataType.DOUBLE]));
    const meta = Object.fromEntries(model.metadataProps.map((p) => [p.key, p.value]));
    expect(meta).toMatchObject({
      'twinbed.format': 'twinbed-pca-residual/2',
      'twinbed.version': 'v7',
      'twinbed.features': '["a","b","c"]',
      'twinbed.threshold': '2.5',
      'twinbed.fitted_on': '2,000 windows of pump-1 / accel',
    });
  });

  it('builds Cast → Sub → Div → MatMul → MatMul(Wᵀ) → Sub → Mul → ReduceSum → Cast, with the log stage only when a feature needs it', () => {
    const ops = (log: boolean) => onnx.ModelProto.decode(exportPcaOnnx(toyModel({ log }), options)).graph!.node!.map((n) => n.opType);
    expect(ops(false)).toEqual(['Cast', 'Sub', 'Div', 'MatMul', 'Transpose', 'MatMul', 'Sub', 'Mul', 'ReduceSum', 'Cast']);
    expect(ops(true).slice(0, 5)).toEqual(['Cast', 'Div', 'Max', 'Log', 'Where']);
  });

  it('gives the same bytes, and so the same sha256, for the same model', () => {
    const a = exportPcaOnnx(toyModel({ log: true }), options);
    const b = exportPcaOnnx(toyModel({ log: true }), options);
    expect(sha256Hex(a)).toBe(sha256Hex(b));
    expect(sha256Hex(a)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('reads back the parameters exactly, as the float64 values the graph holds', () => {
    const { twinbed } = inspectOnnx(exportPcaOnnx(toyModel({ log: true, threshold: 2.5 }), options));
    expect(twinbed).toBeDefined();
    expect(twinbed!.version).toBe('v7');
    expect(twinbed!.threshold).toBe(2.5);
    expect(twinbed!.params.transform.log).toEqual([true, false, false]);
    expect(twinbed!.params.transform.std).toEqual([0.5, 2, 4]);
    expect(twinbed!.params.components).toEqual([[Math.SQRT1_2], [Math.SQRT1_2], [0]]);
  });

  it('refuses bytes that are not ONNX', () => {
    expect(() => inspectOnnx(new TextEncoder().encode('not a model at all'))).toThrow(ModelFormatError);
  });
});

describe('OnnxRunner on an exported model', () => {
  it('computes the hand-computed toy scores with ONNX Runtime on the CPU, in one batch', async () => {
    const runner = await OnnxRunner.load(exportPcaOnnx(toyModel({ log: true }), options), { features: ['a', 'b', 'c'] });
    try {
      // See reference.test.ts: s = 2 for z = (2, 0, 0); s = 1 for z = (1, 1, 1); s = 2·ln²(10⁻³) for a dead channel.
      const scores = await runner.scoreBatch(Float32Array.from([2 * Math.E, 2, 3, 2 * Math.exp(0.5), 4, 7, 0, 2, 3]), 3);
      expect(scores[0]).toBeCloseTo(2, 5);
      expect(scores[1]).toBeCloseTo(1, 5);
      expect(scores[2]).toBeCloseTo(2 * Math.log(1e-3) ** 2, 3);
      expect(await runner.scoreOne([2 * Math.E, 2, 3])).toBeCloseTo(2, 5);
    } finally {
      await runner.release();
    }
  });

  it('refuses to load against a spec with a different feature count, naming the shapes', async () => {
    await expect(OnnxRunner.load(exportPcaOnnx(toyModel(), options), { features: ['a', 'b', 'c', 'd'] })).rejects.toThrow(
      /input "features" has shape \[N, 3\], expected \[N, 4\] for the 4 declared features/,
    );
  });

  it('runs a model declared with a fixed batch of 1 window by window, and refuses a fixed batch of 8', async () => {
    const runner = await OnnxRunner.load(sumOfSquaresModel({ d: 2, batch: 1 }), { features: ['a', 'b'] });
    try {
      expect(Array.from(await runner.scoreBatch(Float32Array.from([1, 2, 3, 4, 0, 5]), 3))).toEqual([5, 25, 25]);
    } finally {
      await runner.release();
    }
    await expect(OnnxRunner.load(sumOfSquaresModel({ d: 2, batch: 8 }), { features: ['a', 'b'] })).rejects.toThrow(/has shape \[8, 2\], expected \[N, 2\]/);
  });
});
