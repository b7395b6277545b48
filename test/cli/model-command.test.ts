import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTwinbed } from '../support/twinbed-process';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'twinbed-model-cmd-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const SCENARIO = 'scenarios/library/bearing-anomaly.yaml';

describe('twinbed model', () => {
  it('fits a model on a scenario\'s healthy twin and checks it against the faulted run', async () => {
    const out = join(dir, 'm');
    const fit = await runTwinbed(['model', 'fit', '--scenario', SCENARIO, '--device', 'pump-1', '--seconds', '300', '--out', out]);
    expect(fit.code, fit.stderr).toBe(0);
    expect(fit.stdout).toContain('twinbed model fit: 300 windows of pump-1 / accel from bearing-anomaly.yaml');
    const manifest = JSON.parse(await readFile(join(out, 'model.json'), 'utf8'));
    expect(manifest.stats.windows).toBe(300);

    const check = await runTwinbed(['model', 'check', '--model', join(out, 'model.onnx'), '--scenario', SCENARIO, '--device', 'pump-1', '--json', join(dir, 'check.json')]);
    expect(check.code, check.stderr).toBe(0);
    expect(check.stdout).toMatch(/windows {5}480 scored/);
    expect(check.stdout).toMatch(/vs the TypeScript reference: ok/);
    const report = JSON.parse(await readFile(join(dir, 'check.json'), 'utf8'));
    expect(report.scores.over).toBeGreaterThan(100);
  }, 60_000);

  it('exits 2 when neither --features nor --scenario is given, naming the flag', async () => {
    const { code, stderr } = await runTwinbed(['model', 'fit', '--out', join(dir, 'x')]);
    expect(code).toBe(2);
    expect(stderr).toContain('--features: give exactly one of --features FILE or --scenario FILE');
  });

  it('exits 2 naming a twin the scenario does not have', async () => {
    const { code, stderr } = await runTwinbed(['model', 'fit', '--scenario', SCENARIO, '--device', 'pump-9', '--out', join(dir, 'x')]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/bearing-anomaly\.yaml.*no twin "pump-9"/s);
  });

  it('exits 2 with the usage on an unknown flag', async () => {
    const { code, stderr } = await runTwinbed(['model', 'fit', '--scenario', SCENARIO, '--devise', 'pump-1', '--out', join(dir, 'x')]);
    expect(code).toBe(2);
    expect(stderr).toContain("unknown option '--devise'");
    expect(stderr).toContain('Usage: twinbed model fit');
  });
});
