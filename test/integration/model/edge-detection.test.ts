import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { FeaturesV1 } from '../../../protocol';
import { AnomalyDetector, type DetectorVerdict } from '../../../gateway/model/anomaly-detector';
import { ModelSlot } from '../../../gateway/model/model-slot';
import { exportPcaOnnx, sha256Hex } from '../../../ml/onnx-export';
import { fitPcaModel, type PcaModel } from '../../../ml/pca-model';
import { FEATURE_NAMES, SyntheticWindows } from './synthetic-windows';

let model: PcaModel;
const bytesOf = (version: string) => exportPcaOnnx(model, { version, fittedOn: '2,000 synthetic healthy windows' });
beforeAll(() => {
  model = fitPcaModel(new SyntheticWindows('edge-fit').rows(2000), [...FEATURE_NAMES]);
});

const slots: ModelSlot[] = [];
afterEach(async () => {
  await Promise.all(slots.splice(0).map((slot) => slot.close()));
});

async function activeSlot(version: string, warmUp: SyntheticWindows): Promise<ModelSlot> {
  const slot = new ModelSlot();
  slots.push(slot);
  for (let i = 0; i < 64; i++) slot.observe(warmUp.window().features);
  const bytes = bytesOf(version);
  await slot.stage(bytes, { version, sha256: sha256Hex(bytes) });
  slot.activate();
  return slot;
}

describe('edge anomaly detection with the fitted model in a model slot', () => {
  it('raises one anomaly event when a bearing defect appears and clears it once the machine is healthy again', async () => {
    const windows = new SyntheticWindows('edge-run');
    const slot = await activeSlot('v1', windows);
    const detector = new AnomalyDetector(slot, { anomalyAfter: 3, clearAfter: 5 });
    const plan = [...Array<number>(50).fill(0), ...Array<number>(20).fill(0.5), ...Array<number>(50).fill(0)];
    const verdicts: DetectorVerdict[] = [];
    for (const defect of plan) verdicts.push(await detector.process(windows.window({ defect })));

    const events = verdicts.flatMap((v, i) => (v.scored && v.event ? [{ i, ...v.event }] : []));
    expect(events.map((e) => [e.i, e.state])).toEqual([
      [52, 'raised'], // the third defect window
      [74, 'cleared'], // the fifth healthy window after it
    ]);
    expect(events[0]).toMatchObject({ kind: 'anomaly', origin: 'edge', threshold: model.threshold, message: expect.stringContaining('(model v1)') });
    expect(events[0]!.value / model.threshold).toBeGreaterThan(5);
    const latency = detector.latency();
    expect(latency.count).toBe(plan.length);
    console.log(`detector, ${plan.length} windows through the slot: inference p50 ${(latency.p50Ms * 1000).toFixed(0)} µs, p99 ${(latency.p99Ms * 1000).toFixed(0)} µs`);
  });

  it('drops no window across a hot swap: windows started on v1 finish on v1, later ones run on v2', async () => {
    const windows = new SyntheticWindows('edge-swap');
    const slot = await activeSlot('v1', windows);
    await slot.stage(bytesOf('v2'), { version: 'v2' });
    const detector = new AnomalyDetector(slot);
    const batch = (n: number): FeaturesV1[] => Array.from({ length: n }, (_, i) => windows.window({}, 'pump-1', `accel-${i % 10}`));

    const first = batch(100).map((w) => detector.process(w));
    // Let the head window of each of the 10 streams start and lease v1; the rest queue behind them per stream.
    await Promise.resolve();
    slot.activate();
    const second = batch(100).map((w) => detector.process(w));
    const verdicts = await Promise.all([...first, ...second]);

    expect(verdicts.every((v) => v.scored)).toBe(true);
    const versions = verdicts.map((v) => (v.scored ? v.modelVersion : 'none'));
    expect(versions.slice(0, 10)).toEqual(Array<string>(10).fill('v1'));
    expect(versions.slice(10).every((v) => v === 'v2')).toBe(true);
    expect(slot.status()).toMatchObject({ active: { version: 'v2' }, previous: { version: 'v1' } });
  });
});
