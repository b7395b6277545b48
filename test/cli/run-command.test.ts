import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTwinbed } from '../support/twinbed-process';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'twinbed-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('twinbed run', () => {
  it('simulates scenarios/smoke.yaml (10 minutes) faster than real time, exits 0 and writes the JSON report', async () => {
    const report = join(dir, 'r.json');
    const { code, stdout, stderr } = await runTwinbed(['run', 'scenarios/smoke.yaml', '--json', report]);
    expect(code, stdout + stderr).toBe(0);

    const result = JSON.parse(await readFile(report, 'utf8'));
    expect(result).toMatchObject({ scenario: 'smoke', file: 'scenarios/smoke.yaml', seed: 42, passed: true, simulatedS: 600 });
    // Virtual time: ten simulated minutes inside this test's 60 s timeout are at least ×10 real time; how much faster is
    // a bench/ figure, not a pass mark. What the report must get right is its arithmetic: speedup = simulated ÷ wall time
    // (both rounded: well under 1 % apart), and the console says the same.
    expect(Math.abs((result.wall.speedup * result.wall.ms) / (600 * 1000) - 1)).toBeLessThan(0.01);
    const printedWall = /simulated 600 s in ([\d.]+) s of wall time \(×([\d.]+)\)/.exec(stdout);
    expect(printedWall?.slice(1).map(Number)).toEqual([Number((result.wall.ms / 1000).toFixed(1)), Number(result.wall.speedup.toFixed(1))]);
    expect(result.expectations).toHaveLength(3);
    for (const e of result.expectations) expect(e).toEqual({ name: expect.any(String), type: expect.any(String), passed: true, detail: expect.any(String) });
    // 3 twins × (600 s ÷ 40 ms accel blocks + 2 temperatures × 600 s ÷ 10 s blocks) = 3 × (15,000 + 120).
    expect(result.stats).toMatchObject({ published: 45_360, acked: 45_360, stored: 45_360, duplicatesDropped: 0, deadLettered: 0, alerts: 1 });
    expect(result.telemetrySha256).toMatch(/^[0-9a-f]{64}$/);
    expect(stdout).toContain('PASSED: 3 of 3 expectations hold');
    // Bandwidth in normal operation (no edge event, so no raw uplink): device bytes in ÷ bytes uplinked, in both reports.
    expect(result.stats.edge!.bandwidthReduction).toBeGreaterThanOrEqual(50);
    expect(result.stats.edge!.rawBytesOut).toBe(0);
    const printed = /edge: .* MB in, .* kB up \(×([\d.]+) less\)/.exec(stdout);
    expect(Number(printed?.[1])).toBe(result.stats.edge!.bandwidthReduction);
  });

  it('exits 1 and says which expectation failed and why when an alert is expected without a fault', async () => {
    const file = join(dir, 'no-fault.yaml');
    await writeFile(
      file,
      ['name: alert without a fault', 'durationS: 20', 'twins:', '  - template: pump', '    id: pump-1', 'rules:', '  - metric: rms', '    sensor: accel', '    above: 0.2', 'expect:', '  - type: alert', '    device: pump-1', '  - type: stored-exactly-once', ''].join('\n'),
    );
    const { code, stdout } = await runTwinbed(['run', file]);
    expect(code).toBe(1);
    expect(stdout).toContain('✗ alert on pump-1');
    expect(stdout).toMatch(/no alert on pump-1 during the 20 s run; peak accel rms 0\.0\d+ against a threshold of 0\.2/);
    expect(stdout).toContain('✓ every QoS 1 reading stored exactly once');
    expect(stdout).toContain('FAILED: 1 of 2 expectations failed (reproduce with --seed 1)');
  });

  it('exits 2 naming the file, line and field of a typo', async () => {
    const file = join(dir, 'typo.yaml');
    await writeFile(file, ['name: typo', 'durationS: 10', 'twins:', '  - template: pump', '    id: pump-1', '    speedRmp: 1480', ''].join('\n'));
    const { code, stdout, stderr } = await runTwinbed(['run', file]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain(`${file}:6 twins[0].speedRmp: unknown field (did you mean "speedRpm"?)`);
  });

  it('exits 2 naming the file when it does not exist', async () => {
    const { code, stderr } = await runTwinbed(['run', join(dir, 'missing.yaml')]);
    expect(code).toBe(2);
    expect(stderr).toContain(`${join(dir, 'missing.yaml')}: cannot read the scenario (ENOENT)`);
  });

  it('exits 2 with the usage on an unknown flag', async () => {
    const { code, stderr } = await runTwinbed(['run', 'scenarios/smoke.yaml', '--sed', '3']);
    expect(code).toBe(2);
    expect(stderr).toContain("error: unknown option '--sed'");
    expect(stderr).toContain('Usage: twinbed run [options] <scenario>');
  });

  it('prints help and exits 0', async () => {
    const { code, stdout } = await runTwinbed(['--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('Usage: twinbed [options] [command]');
    for (const command of ['run [options] <scenario>', 'demo [options]', 'gateway [options]']) expect(stdout).toContain(command);
  });
});

describe('twinbed gateway', () => {
  it('exits 2 naming the line of an invalid config', async () => {
    const file = join(dir, 'gateway.yaml');
    await writeFile(file, ['site: plant-a', 'upstream:', '  url: http://wrong', ''].join('\n'));
    const { code, stderr } = await runTwinbed(['gateway', '--config', file]);
    expect(code).toBe(2);
    expect(stderr).toContain(`${file}:3 upstream.url: expected an MQTT URL such as mqtt://127.0.0.1:1883`);
  });
});
