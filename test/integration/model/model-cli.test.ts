import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runModelCheck, runModelFit } from '../../../cli/model';
import { ModelManifestSchema } from '../../../ml/manifest';
import { sha256Hex } from '../../../ml/onnx-export';
import { ConfigError } from '../../../protocol';
import { SyntheticWindows } from './synthetic-windows';

let dir: string;
const file = (name: string) => path.join(dir, name);
function capture(): { write(text: string): void; text: string } {
  return {
    text: '',
    write(text: string) {
      this.text += text;
    },
  };
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'twinbed-model-cli-'));
  const healthy = new SyntheticWindows('cli-healthy');
  await writeFile(file('healthy.jsonl'), Array.from({ length: 2000 }, () => JSON.stringify(healthy.window())).join('\n') + '\n');
  const mixed = new SyntheticWindows('cli-check');
  const windows = [...Array.from({ length: 900 }, () => mixed.window()), ...Array.from({ length: 100 }, () => mixed.window({ defect: 0.5 }))];
  await writeFile(file('check.jsonl'), windows.map((w) => JSON.stringify(w)).join('\n'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('twinbed model fit / check', () => {
  it('fits model.onnx and model.json from healthy windows, reproducibly', async () => {
    const out = capture();
    expect(await runModelFit({ features: file('healthy.jsonl'), out: file('model'), margin: '1.5' }, out)).toBe(0);
    expect(out.text).toContain('twinbed model fit: 2,000 windows of pump-1 / accel from healthy.jsonl');
    expect(out.text).toContain('inputs      12: rms, peak, crest, bandHigh, bandLow, bandMid, envBpfi, envBpfo, envBsf, envFtf, kurtosis, skewness');
    expect(out.text).toMatch(/components {2}\d+ of 12, \d+\.\d% of the standardised variance/);

    const bytes = await readFile(file('model/model.onnx'));
    const manifest = ModelManifestSchema.parse(JSON.parse(await readFile(file('model/model.json'), 'utf8')));
    expect(manifest.sha256).toBe(sha256Hex(bytes));
    expect(manifest).toMatchObject({ file: 'model.onnx', spec: { input: 'features', output: 'score' }, stats: { windows: 2000, thresholdMargin: 1.5 } });
    expect(manifest.version).toMatch(/^pca-[0-9a-f]{12}$/);
    expect(manifest.threshold).toBeCloseTo(manifest.stats.healthyScores.p999 * 1.5, 9);

    await runModelFit({ features: file('healthy.jsonl'), out: file('model-again') }, capture());
    expect(sha256Hex(await readFile(file('model-again/model.onnx')))).toBe(manifest.sha256);
  });

  it('fits the same model from windows as a gateway sends them (features v2, with its id and model scores) as from their v1 form', async () => {
    const windows = (await readFile(file('healthy.jsonl'), 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    const sent = windows.map((w, i) => ({ ...w, v: 2, gateway: 'gw-1', model: { version: 'old', score: (i % 7) + 0.5, threshold: 4 } }));
    await mkdir(file('v2'), { recursive: true });
    // The same file name: the model records where its windows came from.
    await writeFile(file('v2/healthy.jsonl'), sent.map((w) => JSON.stringify(w)).join('\n') + '\n');
    await runModelFit({ features: file('healthy.jsonl'), out: file('from-v1'), modelVersion: 'same' }, capture());
    const out = capture();
    expect(await runModelFit({ features: file('v2/healthy.jsonl'), out: file('from-v2'), modelVersion: 'same' }, out)).toBe(0);
    expect(out.text).toContain('twinbed model fit: 2,000 windows of pump-1 / accel from healthy.jsonl');
    expect(sha256Hex(await readFile(file('from-v2/model.onnx')))).toBe(sha256Hex(await readFile(file('from-v1/model.onnx'))));
  });

  it('checks a model against windows: parity with the reference and the score distribution', async () => {
    const out = capture();
    const code = await runModelCheck({ model: file('model/model.onnx'), features: file('check.jsonl'), json: file('check.json') }, out);
    expect(code, out.text).toBe(0);
    expect(out.text).toMatch(/parity {6}max \|Δ\| \S+, max \|Δ\|\/max\(1, \|ref\|\) \S+ vs the TypeScript reference: ok \(tolerance 1e-5\)/);
    expect(out.text).toContain('windows     1,000 scored');
    const report = JSON.parse(await readFile(file('check.json'), 'utf8'));
    expect(report.parity.withinTolerance).toBe(true);
    expect(report.parity.maxScaledDiff).toBeLessThanOrEqual(1e-5);
    // The 100 defect windows, and at most a stray healthy one.
    expect(report.scores.over).toBeGreaterThanOrEqual(100);
    expect(report.scores.over).toBeLessThanOrEqual(101);
  });

  it('names the file, line and field of a bad window, and the flag of a bad option', async () => {
    const lines = (await readFile(file('healthy.jsonl'), 'utf8')).split('\n');
    lines[1] = lines[1]!.replace('"rms":', '"rms":"loud","was":');
    await writeFile(file('broken.jsonl'), lines.join('\n'));
    const error = await runModelFit({ features: file('broken.jsonl'), out: file('broken') }, capture()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(new RegExp(`^${file('broken.jsonl').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:2 features.rms: `));

    await expect(runModelFit({ features: file('healthy.jsonl'), out: file('x'), variance: '1.5' }, capture())).rejects.toThrow(
      /^twinbed model fit --variance: /,
    );
    await expect(runModelFit({ features: file('missing.jsonl'), out: file('x') }, capture())).rejects.toThrow(/missing.jsonl: cannot read the file \(ENOENT\)/);
  });
});
