import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ModelRegistryError, trainModel, type TrainingWindow } from '../../../../cloud/models';
import { inspectOnnx, ReferenceScorer } from '../../../../ml';
import { ConfigError } from '../../../../protocol';
import { defectFeatures, healthyWindows, row } from './healthy-windows';

const WINDOWS = healthyWindows(['pump-1', 'pump-2'], 600, 'trainer');
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('trainModel', () => {
  it('gives the same bytes and sha256 for the same windows, in whatever order the store returns them', () => {
    const options = { version: '1.0.0', trainedOn: 'pump-1, pump-2 / accel' };
    const first = trainModel(WINDOWS, options);
    const again = trainModel(WINDOWS, options);
    // Interleaved by time instead of grouped by device, and reversed: still the same fit, bit for bit.
    const reordered = trainModel([...WINDOWS].sort((a, b) => b.tsMs - a.tsMs || (a.device < b.device ? 1 : -1)), options);

    expect(first.sha256).toBe(sha256(first.bytes));
    expect(again.sha256).toBe(first.sha256);
    expect(Buffer.from(again.bytes).equals(Buffer.from(first.bytes))).toBe(true);
    expect(reordered.sha256).toBe(first.sha256);
    expect(first.manifest).toMatchObject({ version: '1.0.0', sha256: first.sha256, file: 'model.onnx', fittedOn: 'pump-1, pump-2 / accel', stats: { windows: 1200 } });
    // Other windows or another version give other bytes: the hash pins both the fit and its metadata.
    expect(trainModel(healthyWindows(['pump-1', 'pump-2'], 600, 'other-seed'), options).sha256).not.toBe(first.sha256);
    expect(trainModel(WINDOWS, { ...options, version: '1.1.0' }).sha256).not.toBe(first.sha256);
  });

  it('scores ≥ 99% of its training windows below the threshold it ships and a bearing-defect window above it', () => {
    const { bytes } = trainModel(WINDOWS, { version: '1.0.0', trainedOn: 'healthy' });
    // Judged from the shipped file's own parameters, as the gateway will run it.
    const twinbed = inspectOnnx(bytes).twinbed!;
    const scorer = new ReferenceScorer(twinbed.params);
    const below = WINDOWS.filter((w) => scorer.score(row(w.features, scorer.featureNames)) <= twinbed.threshold).length;

    expect(below / WINDOWS.length).toBeGreaterThanOrEqual(0.99);
    for (const seed of ['defect-1', 'defect-2', 'defect-3']) {
      expect(scorer.score(row(defectFeatures(seed), scorer.featureNames))).toBeGreaterThan(twinbed.threshold);
    }
    // The same healthy draw without the defect stays below: the score reacts to the defect, not to the draw.
    expect(scorer.score(row(healthyWindows(['x'], 1, 'defect-1')[0]!.features, scorer.featureNames))).toBeLessThan(twinbed.threshold);
  });

  it('refuses windows of several sensors and fit options out of range, naming the field', () => {
    const mixed: TrainingWindow[] = [...WINDOWS.slice(0, 30), ...healthyWindows(['pump-1'], 30, 'temp', 'temp')];
    expect(() => trainModel(mixed, { version: '1.0.0', trainedOn: 'x' })).toThrow(ModelRegistryError);
    expect(() => trainModel(mixed, { version: '1.0.0', trainedOn: 'x' })).toThrow(
      expect.objectContaining({ code: 'E_MODEL_TRAINING_DATA', message: expect.stringContaining('several sensors (accel, temp)') }),
    );
    expect(() => trainModel(WINDOWS, { version: '1.0.0', trainedOn: 'x', fit: { variance: 1.5 } })).toThrow(ConfigError);
    expect(() => trainModel(WINDOWS, { version: '1.0.0', trainedOn: 'x', fit: { variance: 1.5 } })).toThrow(/fit\.variance/);
  });
});
