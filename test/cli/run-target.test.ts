import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../scenarios';
import { startMosquitto, type Mosquitto } from '../integration/proxy/mosquitto';
import { runTwinbed } from '../support/twinbed-process';

// `twinbed run --target FILE` with a target that cannot tell alerts from anomalies: refused before anything runs,
// unless the target skips the expectation with a reason, which every report then shows beside it.

const yaml = (...lines: string[]) => `${lines.join('\n')}\n`;
const SKIP_REASON = 'the alarm bus of this line has no source field, so it cannot tell a model from a threshold';

let dir: string;
let broker: Mosquitto;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'twinbed-run-target-'));
  broker = await startMosquitto(['max_queued_messages 0']);
});
afterAll(async () => {
  await broker?.close();
  await rm(dir, { recursive: true, force: true });
});

/**
 * The broker itself is the system under test: the observer reads the twins' own telemetry as the readings it passed
 * on, and alarms on a topic nothing publishes to, mapped without `fields.kind`.
 */
function targetFile(skip: readonly string[] = []): string {
  return yaml(
    'kind: mqtt',
    'devices:',
    `  url: mqtt://127.0.0.1:${broker.port}`,
    'observe:',
    '  topics:',
    '    - filter: line/+/alarm',
    '      as: alert',
    '      fields: { device: "$topic[1]" }',
    '    - filter: twinbed/v1/+/+/telemetry/+',
    '      as: reading',
    '      fields: { device: device, sensor: sensor, seq: seq, time: tsMs }',
    'settle: { quietMs: 300, timeoutS: 30 }',
    ...skip,
  );
}

/** pump-1 (and pump-2) for 10 s; the anomaly expectation on pump-1 is expect[0], its `kind:` on line 10 with pump-1 alone. */
function scenarioFile(withPump2: boolean): string {
  return yaml(
    'name: kind needs a mapping',
    'durationS: 10',
    'twins:',
    '  - { template: pump, id: pump-1 }',
    ...(withPump2 ? ['  - { template: pump, id: pump-2 }'] : []),
    'rules:',
    '  - { metric: rms, sensor: accel, above: 0.2 }',
    'expect:',
    '  - type: alert',
    '    device: pump-1',
    '    kind: anomaly',
    ...(withPump2 ? ['  - { type: alert, device: pump-2 }'] : []),
    '  - type: stored-exactly-once',
  );
}

async function write(name: string, text: string): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, text);
  return file;
}

describe('twinbed run --target with an expectation the target cannot judge', () => {
  it('exits 2 naming the scenario file, the line and expect[0].kind, and runs nothing', async () => {
    const scenario = await write('kind.yaml', scenarioFile(false));
    const target = await write('no-kind.yaml', targetFile());
    const { code, stdout, stderr } = await runTwinbed(['run', scenario, '--target', target]);
    expect(code, stderr).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain(
      `${scenario}:10 expect[0].kind: ${target} cannot judge "alert": it cannot tell alerts from anomalies: observe topic "line/+/alarm" has no fields.kind; list it under skip: in the target, with a reason, to run without it`,
    );
  });

  it('runs with the expectation under skip:, exits 0 on the judged ones, and both reports show it skipped with the reason', async () => {
    const scenario = await write('kind.yaml', scenarioFile(false));
    const target = await write('skip.yaml', targetFile(['skip:', `  - { expectation: alert, reason: "${SKIP_REASON}" }`]));
    const report = join(dir, 'skip.json');
    const { code, stdout, stderr } = await runTwinbed(['run', scenario, '--target', target, '--json', report]);
    // Nothing raises an anomaly: had the expectation been judged, the run would have failed.
    expect(code, `${stdout}\n${stderr}`).toBe(0);
    expect(stdout).toContain(`  - alert on pump-1\n      skipped: ${SKIP_REASON}\n`);
    expect(stdout).not.toContain('✓ alert on pump-1');
    expect(stdout).toContain('✓ every QoS 1 reading passed on exactly once');
    expect(stdout).toContain('PASSED: 1 of 1 expectations hold (1 skipped by the target)');

    const result = JSON.parse(await readFile(report, 'utf8')) as RunResult;
    expect(result.passed).toBe(true);
    expect(result.target).toBe(target);
    expect(result.expectations[0]).toEqual({ name: 'alert on pump-1', type: 'alert', passed: false, detail: `skipped: ${SKIP_REASON}`, skipped: SKIP_REASON });
    expect(result.expectations[1]).toMatchObject({ type: 'stored-exactly-once', passed: true });
    expect(result.expectations[1]!.skipped).toBeUndefined();
    // 10 s of pump-1: 250 accel blocks of 40 ms and one 10 s block of each temperature, every one observed once.
    expect(result.stats.qos1).toEqual({ published: 252, stored: 252 });
  });

  it('exits 1 when a judged expectation fails, the device-filtered skip still shown as skipped', async () => {
    const scenario = await write('two.yaml', scenarioFile(true));
    const target = await write('skip-pump-1.yaml', targetFile(['skip:', `  - { expectation: alert, device: pump-1, reason: "${SKIP_REASON}" }`]));
    const report = join(dir, 'two.json');
    const { code, stdout, stderr } = await runTwinbed(['run', scenario, '--target', target, '--json', report]);
    expect(code, `${stdout}\n${stderr}`).toBe(1);
    expect(stdout).toContain(`  - alert on pump-1\n      skipped: ${SKIP_REASON}\n`);
    expect(stdout).toContain('✗ alert on pump-2');
    expect(stdout).toContain('FAILED: 1 of 2 expectations failed (1 skipped by the target) (reproduce with --seed 1)');
    const result = JSON.parse(await readFile(report, 'utf8')) as RunResult;
    expect(result.passed).toBe(false);
    expect(result.expectations.map((e) => [e.name, e.passed, e.skipped])).toEqual([
      ['alert on pump-1', false, SKIP_REASON],
      ['alert on pump-2', false, undefined],
      ['every QoS 1 reading passed on exactly once', true, undefined],
    ]);
    expect(result.expectations[1]!.detail).toMatch(/^no alert on pump-2 during the 10 s run/);
  });
});
