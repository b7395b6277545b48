import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTwinbed } from '../support/twinbed-process';

// Done-when 2 of issue 9: a rule metric, a sensor or a threshold metric with one wrong letter exits 2 before anything
// runs, naming the file, the line, the field and the nearest valid name.

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'twinbed-names-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A one-pump scenario; `tail` starts on line 7. */
async function scenarioFile(name: string, ...tail: string[]): Promise<string> {
  const file = join(dir, `${name}.yaml`);
  await writeFile(file, [`name: ${name}`, 'durationS: 10', 'twins:', '  - { template: pump, id: pump-1 }', 'faults:', '  - { type: imbalance, device: pump-1, atS: 2, unbalanceGmm: 20000 }', ...tail, ''].join('\n'));
  return file;
}

async function refused(file: string): Promise<string> {
  const { code, stdout, stderr } = await runTwinbed(['run', file]);
  expect(code, stdout + stderr).toBe(2);
  expect(stdout).toBe('');
  return stderr;
}

describe('twinbed run: a misspelt name exits 2 with file, line, field and a suggestion', () => {
  it('a rule metric', async () => {
    const file = await scenarioFile('rule-metric', 'rules:', '  - { metric: rsm, sensor: accel, above: 0.2 }');
    expect(await refused(file)).toContain(`${file}:8 rules[0].metric: no gateway pipeline computes "rsm" for accel, so this rule would never fire (did you mean "rms"?)`);
  });

  it('a gateway rule metric', async () => {
    const file = await scenarioFile('edge-metric', 'gateway:', '  rules:', '    - { metric: kurtosys, sensor: accel, above: 4 }');
    expect(await refused(file)).toContain(`${file}:9 gateway.rules[0].metric: no gateway pipeline computes "kurtosys" for accel, so this rule would never fire (did you mean "kurtosis"?)`);
  });

  it('a rule sensor', async () => {
    const file = await scenarioFile('rule-sensor', 'rules:', '  - { metric: rms, sensor: acel, above: 0.2 }');
    expect(await refused(file)).toContain(`${file}:8 rules[0].sensor: no twin has a sensor "acel" (did you mean "accel"?)`);
  });

  it('a threshold metric', async () => {
    const file = await scenarioFile('threshold-metric', 'rules:', '  - { metric: rms, sensor: accel, above: 0.2 }', 'thresholds:', "  detection_delay_z{device:pump-1}: ['max<30']");
    expect(await refused(file)).toContain(`${file}:10 thresholds.detection_delay_z{device:pump-1}: unknown metric "detection_delay_z" (did you mean "detection_delay_s"?)`);
  });

  it('a threshold tag name and a tag value', async () => {
    const file = await scenarioFile('threshold-tags', 'rules:', '  - { metric: rms, sensor: accel, above: 0.2 }', 'thresholds:', "  detection_delay_s{devic:pump-1}: ['max<30']", "  qos1_lost{device:pump-2}: ['==0']");
    const stderr = await refused(file);
    expect(stderr).toContain(`${file}:10 thresholds.detection_delay_s{devic:pump-1}: detection_delay_s has no tag "devic" (did you mean "device"?)`);
    expect(stderr).toContain(`${file}:11 thresholds.qos1_lost{device:pump-2}: no twin named "pump-2" (did you mean "pump-1"?)`);
  });

  it('a fault id an expectation names', async () => {
    const file = await scenarioFile('fault-id', 'rules:', '  - { metric: rms, sensor: accel, above: 0.2 }', 'expect:', '  - { type: alert, device: pump-1, fault: pump-1/imbalanse, withinS: 5 }');
    expect(await refused(file)).toContain(`${file}:10 expect[0].fault: no fault with id "pump-1/imbalanse" (did you mean "pump-1/imbalance"?)`);
  });

  it('a threshold the target cannot measure is refused before the run, at its line', async () => {
    const file = await scenarioFile('unmeasurable', 'thresholds:', "  alerts_raised: ['==0']");
    expect(await refused(file)).toContain(`${file}:8 thresholds.alerts_raised: alerts_raised needs at least one alert rule under rules: (or gateway.rules, or a gateway.anomaly model)`);
  });
});
