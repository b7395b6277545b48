import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runModelCheck, runModelFit } from '../../../cli/model';
import { ModelManifestSchema, sha256Hex } from '../../../gateway/index';
import { loadScenario, runScenario, type Scenario } from '../../../scenarios/index';

// The shipped library scenario and the model it names: fitted by twinbed itself on 20 min of the pump running healthy.
const SCENARIO = path.resolve('scenarios/library/bearing-anomaly.yaml');
const MODEL_DIR = path.resolve('scenarios/library/models/pump-accel');

let dir: string;
let scenario: Scenario;
const quiet = { write: () => undefined };

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'twinbed-bearing-anomaly-'));
  scenario = await loadScenario(SCENARIO);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the default anomaly model on a bearing fault (scenarios/library/bearing-anomaly.yaml)', () => {
  it('is what `twinbed model fit --scenario` builds: refitting gives the shipped model byte for byte', async () => {
    const code = await runModelFit({ scenario: SCENARIO, device: 'pump-1', seconds: '1200', out: path.join(dir, 'refit'), modelVersion: 'pump-accel-v1' }, quiet);
    expect(code).toBe(0);
    const shipped = ModelManifestSchema.parse(JSON.parse(await readFile(path.join(MODEL_DIR, 'model.json'), 'utf8')));
    expect(sha256Hex(await readFile(path.join(MODEL_DIR, 'model.onnx')))).toBe(shipped.sha256);
    expect(sha256Hex(await readFile(path.join(dir, 'refit/model.onnx')))).toBe(shipped.sha256);
    expect(shipped.stats.windows).toBe(1200);
  }, 60_000);

  it('scores the faulted run in ONNX Runtime within 1e-5 of the TypeScript reference', async () => {
    const json = path.join(dir, 'check.json');
    const code = await runModelCheck({ model: path.join(MODEL_DIR, 'model.onnx'), scenario: SCENARIO, device: 'pump-1', json }, quiet);
    const report = JSON.parse(await readFile(json, 'utf8'));
    expect(code).toBe(0);
    expect(report.windows).toBe(480);
    expect(report.parity.maxScaledDiff).toBeLessThan(1e-5);
    // Healthy for 300 of 480 windows: under the threshold; the defect puts most of the rest over it.
    expect(report.scores.over).toBeGreaterThan(150);
    expect(report.scores.over).toBeLessThanOrEqual(180);
  }, 60_000);

  it('raises an anomaly at the edge within 60 s of the defect reaching severity 0.1, where the RMS rule stays silent, and slows the pump', async () => {
    const result = await runScenario(scenario);
    const byName = Object.fromEntries(result.expectations.map((e) => [e.name, e]));
    expect(result.passed, JSON.stringify(result.expectations, null, 2)).toBe(true);
    const anomaly = byName['anomaly on pump-1 within 60 s of its bearing reaching full severity']!;
    const raisedAtS = Number(/raised at ([\d.]+) s/.exec(anomaly.detail)![1]);
    expect(raisedAtS).toBeGreaterThanOrEqual(300);
    expect(raisedAtS).toBeLessThanOrEqual(360 + 60);
    expect(byName['no alert on any device']!.passed).toBe(true);
    expect(result.stats.edge!.events).toBeGreaterThanOrEqual(1);
    expect(result.stats.edge!.commands).toBeGreaterThanOrEqual(1);
  }, 120_000);

  it('raises no anomaly in a healthy hour of the same pump', async () => {
    const healthyHour: Scenario = {
      ...scenario,
      name: 'bearing anomaly: healthy hour',
      durationS: 3600,
      faults: [],
      expect: [
        { type: 'no-alert', kind: 'anomaly' },
        { type: 'stored-exactly-once' },
      ],
    };
    const result = await runScenario(healthyHour);
    expect(result.expectations.map((e) => [e.name, e.passed, e.detail])).toEqual([
      ['no anomaly on any device', true, 'no anomaly on any device in 0–3600 s'],
      ['every QoS 1 reading stored exactly once', true, expect.stringMatching(/^QoS 1 published \d+, stored \d+, duplicates dropped 0$/)],
    ]);
    expect(result.stats.windows).toBeGreaterThanOrEqual(3600);
  }, 300_000);
});
