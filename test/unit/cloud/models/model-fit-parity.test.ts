import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runModelFit } from '../../../../cli/model';
import { trainModel } from '../../../../cloud/models';
import { ModelManifestSchema } from '../../../../ml';
import type { FeaturesV1 } from '../../../../protocol';
import { healthyWindows, WINDOW_MS } from './healthy-windows';

const WINDOWS = healthyWindows(['pump-1', 'pump-2'], 600, 'trainer');
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('trainModel and `twinbed model fit`', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'twinbed-cloud-trainer-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('fit the same model, byte for byte, from the same windows and options', async () => {
    // The CLI fits in file order; the file holds the windows in time order, the order trainModel fits in.
    const ordered = [...WINDOWS].sort((a, b) => a.tsMs - b.tsMs || (a.device < b.device ? -1 : 1));
    const seqs = new Map<string, number>();
    const lines = ordered.map((w): FeaturesV1 => {
      const seq = seqs.get(w.device) ?? 0;
      seqs.set(w.device, seq + 1);
      const { rms, peak, crest } = w.features as { rms: number; peak: number; crest: number };
      return { type: 'features', v: 1, device: w.device, sensor: w.sensor, seq, tsMs: w.tsMs, windowMs: WINDOW_MS, unit: 'g', features: { ...w.features, rms, peak, crest } };
    });
    const file = path.join(dir, 'healthy.jsonl');
    await writeFile(file, lines.map((line) => JSON.stringify(line)).join('\n') + '\n');
    const out = path.join(dir, 'model');
    const code = await runModelFit({ features: file, out, modelVersion: '1.2.0', variance: '0.9', margin: '2', log: 'none' }, { write: () => true });
    expect(code).toBe(0);
    const cliBytes = await readFile(path.join(out, 'model.onnx'));
    const cliManifest = ModelManifestSchema.parse(JSON.parse(await readFile(path.join(out, 'model.json'), 'utf8')));

    // Shuffled input on this side: the trainer's canonical order is what makes the two meet.
    const trained = trainModel([...WINDOWS].reverse(), { version: '1.2.0', trainedOn: cliManifest.fittedOn, fit: { variance: 0.9, thresholdMargin: 2, logFeatures: 'none' } });
    expect(trained.sha256).toBe(sha256(cliBytes));
    expect(trained.manifest).toEqual(cliManifest);
    expect(trained.manifest.threshold).toBeCloseTo(trained.manifest.stats.healthyScores.p999 * 2, 9);
  });
});
