import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareScores, compareWithReference, PARITY_TOLERANCE } from '../../../gateway/model/parity';
import { exportPcaOnnx } from '../../../ml/onnx-export';
import { inspectOnnx } from '../../../ml/onnx-inspect';
import { OnnxRunner } from '../../../gateway/model/onnx-runner';
import { fitPcaModel, type PcaModel } from '../../../ml/pca-model';
import { ReferenceScorer } from '../../../ml/reference';
import { summariseScores } from '../../../ml/stats';
import { FEATURE_NAMES, SyntheticWindows } from './synthetic-windows';

const SEVERITIES = [0.2, 0.4, 0.6, 0.8, 1];
const pack = (rows: number[][]) => Float32Array.from(rows.flat());

let model: PcaModel;
let runner: OnnxRunner;
let reference: ReferenceScorer;
const heldOut = new SyntheticWindows('held-out');

beforeAll(async () => {
  model = fitPcaModel(new SyntheticWindows('fit').rows(2000), [...FEATURE_NAMES]);
  const bytes = exportPcaOnnx(model, { version: 'parity-1', fittedOn: '2,000 synthetic healthy windows' });
  runner = await OnnxRunner.load(bytes, { features: [...FEATURE_NAMES] });
  // The reference reads the parameters back from the file, so parity covers the export as well as the runtime.
  reference = new ReferenceScorer(inspectOnnx(bytes).twinbed!.params);
});
afterAll(async () => {
  await runner.release();
});

describe('the fitted PCA model, exported to ONNX and run by ONNX Runtime', () => {
  it('matches the TypeScript reference within 1e-5 on 1,000 windows, healthy and anomalous', async () => {
    const healthy = heldOut.rows(800);
    const anomalous = SEVERITIES.flatMap((defect) => heldOut.rows(40, { defect }));
    const parity = await compareWithReference(runner, reference, pack([...healthy, ...anomalous]), 1000);
    const healthyOnly = compareScores(await runner.scoreBatch(pack(healthy), 800), reference.scoreBatch(pack(healthy), 800));
    const anomalousScores = reference.scoreBatch(pack(anomalous), 200);
    const anomalousOnly = compareScores(await runner.scoreBatch(pack(anomalous), 200), anomalousScores);
    console.log(
      `parity over 1,000 windows (k = ${model.stats.components} of ${FEATURE_NAMES.length}, threshold ${model.threshold.toFixed(3)}): ` +
        `max |Δ|/max(1, |ref|) ${parity.maxScaledDiff.toExponential(2)}; max |Δ| ${healthyOnly.maxAbsDiff.toExponential(2)} on 800 healthy windows, ` +
        `${anomalousOnly.maxAbsDiff.toExponential(2)} on 200 anomalous ones (scores up to ${Math.max(...anomalousScores).toFixed(1)}, relative ${anomalousOnly.maxScaledDiff.toExponential(2)})`,
    );
    expect(parity.count).toBe(1000);
    expect(parity.nonFiniteMismatches).toBe(0);
    expect(parity.maxScaledDiff).toBeLessThanOrEqual(PARITY_TOLERANCE);
    expect(parity.withinTolerance).toBe(true);
    // Healthy scores are O(1), where the bound is absolute; anomalous scores of 10–100 are bounded relatively
    // (the score is float32, and one float32 ulp of 64 is 7.6e-6: 1e-5 absolute cannot be promised there).
    expect(healthyOnly.maxAbsDiff).toBeLessThanOrEqual(1e-5);
    expect(anomalousOnly.maxScaledDiff).toBeLessThanOrEqual(1e-5);
  });

  it('scores outer-race defect windows far above the threshold, more so as the defect grows', async () => {
    const medians: number[] = [];
    for (const defect of SEVERITIES) {
      const rows = heldOut.rows(200, { defect });
      const summary = summariseScores(await runner.scoreBatch(pack(rows), rows.length), model.threshold);
      expect(summary.over).toBe(200);
      expect(summary.min / model.threshold, `defect ${defect}`).toBeGreaterThan(5);
      medians.push(summary.p50);
    }
    expect([...medians].sort((a, b) => a - b)).toEqual(medians);
  });

  it('keeps held-out healthy windows under the threshold at or below the nominal 0.1% false-positive rate', async () => {
    const rows = heldOut.rows(20_000);
    const scores = await runner.scoreBatch(pack(rows), rows.length);
    const summary = summariseScores(scores, model.threshold);
    // p99.9 of the training scores × 1.5 margin: held out, at most 0.1% of windows may cross it.
    expect(summary.overRate).toBeLessThanOrEqual(1e-3);
    // With the detector's default debounce of 3 windows, no false anomaly event.
    let run = 0;
    let longest = 0;
    for (const s of scores) longest = Math.max(longest, (run = s > model.threshold ? run + 1 : 0));
    expect(longest).toBeLessThan(3);
    console.log(
      `held-out healthy: ${summary.over} of 20,000 over the threshold (${(100 * summary.overRate).toFixed(3)}%), ` +
        `p99.9 ${summary.p999.toFixed(3)}, max ${summary.max.toFixed(3)} vs threshold ${model.threshold.toFixed(3)}`,
    );
  });

  // One window per run is the gateway's path (the anomaly detector scores each feature window as a batch of one); its
  // latency is measured by `npm run bench -- gateway`, against the TypeScript reference in the same run.
  it('scores windows one per call, as the gateway does: within 1e-5 of the reference and of a batch, and the same bits on a second pass', async () => {
    const rows = [...heldOut.rows(100), ...SEVERITIES.flatMap((defect) => heldOut.rows(20, { defect }))];
    const one = async (row: number[]) => (await runner.scoreBatch(pack([row]), 1))[0]!;
    const single: number[] = [];
    for (const row of rows) single.push(await one(row));
    const parity = compareScores(single, reference.scoreBatch(pack(rows), rows.length));
    expect(parity.count).toBe(200);
    expect(parity.nonFiniteMismatches).toBe(0);
    expect(parity.maxScaledDiff).toBeLessThanOrEqual(PARITY_TOLERANCE);
    expect(compareScores(single, await runner.scoreBatch(pack(rows), rows.length)).maxScaledDiff).toBeLessThanOrEqual(PARITY_TOLERANCE);
    // The session keeps nothing from one run to the next: each window scores to the same float32 after 199 others.
    const again: number[] = [];
    for (const row of rows) again.push(await one(row));
    expect(again).toEqual(single);
  });
});
