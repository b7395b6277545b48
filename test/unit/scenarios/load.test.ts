import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { blockFeatures } from '../../support/block-features';
import { ConfigError } from '../../../protocol/index';
import { parseScenario, planRun } from '../../../scenarios/index';
import { RandomStreams } from '../../../sim/index';
import { blockSeconds, createMachines, sensorsOf, type Channel, type Machine } from '../../../twins/index';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const readScenario = (name: string) => {
  const file = path.join(root, 'scenarios', name);
  return parseScenario(readFileSync(file, 'utf8'), file);
};

const yaml = (...lines: string[]) => `${lines.join('\n')}\n`;
/** A valid scenario head: two pumps, pump-1 on lines 4–5 and pump-2 on lines 6–7; callers append from line 8. */
const twoTwins = (...rest: string[]) =>
  yaml('name: t', 'durationS: 600', 'twins:', '  - template: pump', '    id: pump-1', '  - template: pump', '    id: pump-2', ...rest);

/** The ConfigError that parsing `text` as s.yaml throws. */
function configErrorOf(text: string): ConfigError {
  try {
    parseScenario(text, 's.yaml');
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError, but the scenario validated');
}

function accelOf(machine: Machine): Channel {
  const accel = machine.channels.find((c) => c.sensor === 'accel');
  if (!accel) throw new Error(`${machine.id} has no accel channel`);
  return accel;
}

/** RMS of every accel block that starts before `untilS`, as the gateway computes it, with each block's start. */
function accelBlockRms(machine: Machine, untilS: number): { startS: number; rms: number }[] {
  const accel = accelOf(machine);
  const blockS = blockSeconds(accel);
  const blocks: { startS: number; rms: number }[] = [];
  for (let i = 0; i * blockS < untilS; i++) blocks.push({ startS: i * blockS, rms: blockFeatures(accel.next(i * blockS).values).rms });
  return blocks;
}

describe('parseScenario on the scenarios shipped in scenarios/', () => {
  it('parses smoke.yaml with its seed, templated twins, fault, accel rule and three expectations, defaults filled in', () => {
    const smoke = readScenario('smoke.yaml');
    expect(smoke).toMatchObject({ name: 'smoke', seed: 42, durationS: 600, timeScale: 'max', site: 'plant-a', startTime: '2026-01-01T00:00:00Z' });
    expect(smoke.twins.map((t) => (t.template === 'pump' || t.template === 'fan' ? [t.template, t.id, t.speedRpm, t.mount.massKg] : [t.template, t.id]))).toEqual([
      ['pump', 'pump-1', 1480, 50],
      ['pump', 'pump-2', 2960, 50],
      ['fan', 'fan-1', 990, 30],
    ]);
    for (const twin of smoke.twins) expect(sensorsOf(twin), twin.id).toEqual(['accel', 'winding-temp', 'bearing-temp']);
    expect(smoke.twins[0]!.sensors).toMatchObject({
      accel: { enabled: true, rateHz: 25_600, blockSamples: 1024, model: { noiseDensity: 1e-4, range: 50, adcBits: 24 } },
      'winding-temp': { enabled: true, rateHz: 1, blockSamples: 10 },
      'bearing-temp': { enabled: true, rateHz: 1, blockSamples: 10 },
    });
    expect(smoke.faults).toEqual([{ type: 'imbalance', device: 'pump-1', atS: 240, rampS: 30, unbalanceGmm: 20_000, severity: 1 }]);
    expect(smoke.rules).toEqual([{ metric: 'rms', sensor: 'accel', above: 0.2, severity: 'warning' }]);
    expect(smoke.expect).toEqual([
      { type: 'alert', device: 'pump-1', withinS: 60, from: 'onset', kind: 'any' },
      { type: 'no-alert', beforeS: 240, kind: 'any' },
      { type: 'stored-exactly-once' },
    ]);
  });

  it('smoke.yaml can meet its expectations: healthy accel RMS is under the 0.2 g rule and faulted pump-1 goes over it within 60 s', async () => {
    const smoke = readScenario('smoke.yaml');
    const rule = smoke.rules[0]!;
    expect(rule).toMatchObject({ metric: 'rms', sensor: 'accel' });
    const [onset] = smoke.faults;
    expect(onset).toMatchObject({ device: 'pump-1', atS: 240, rampS: 30 });
    const machines = await createMachines(smoke, new RandomStreams(smoke.seed));
    expect(machines.map((m) => m.id)).toEqual(['pump-1', 'pump-2', 'fan-1']);

    // Every block the cloud's rule sees before the onset, on every machine, stays under the threshold.
    const blocks = new Map(machines.map((m) => [m.id, accelBlockRms(m, m.id === 'pump-1' ? 300 : 240)]));
    for (const [id, rms] of blocks) {
      const healthy = rms.filter((b) => b.startS < 240);
      expect(healthy, id).toHaveLength(6000);
      expect(Math.max(...healthy.map((b) => b.rms)), id).toBeLessThan(rule.above);
    }
    // pump-1 crosses it during the ramp, within the 60 s window, and stays over it once the ramp is done.
    const pump1 = blocks.get('pump-1')!;
    const first = pump1.find((b) => b.rms > rule.above);
    expect(first?.startS).toBeGreaterThanOrEqual(240);
    expect(first!.startS).toBeLessThan(300);
    const afterRamp = pump1.filter((b) => b.startS >= 270);
    expect(afterRamp.length).toBeGreaterThan(0);
    expect(Math.min(...afterRamp.map((b) => b.rms))).toBeGreaterThan(rule.above);
  });

  it('parses demo.yaml: factory-20\'s hall in real time for a day, every motor metered, an accel rule, no expectations', () => {
    const demo = readScenario('demo.yaml');
    expect(demo).toMatchObject({ name: 'factory demo', seed: 7, durationS: 86_400, timeScale: 1, site: 'demo', expect: [] });
    const hall = readScenario('library/factory-20.yaml');
    expect(demo.twins.map((t) => [t.template, t.id])).toEqual(hall.twins.map((t) => [t.template, t.id]));
    const metered = demo.twins.filter((t) => (t.sensors as Record<string, { enabled: boolean }>).power?.enabled).map((t) => t.template);
    expect(metered).toEqual([...Array(8).fill('pump'), ...Array(4).fill('fan'), ...Array(3).fill('conveyor')]);
    expect(demo.faults).toEqual([{ type: 'imbalance', device: 'fan-2', atS: 60, rampS: 60, unbalanceGmm: 8000, severity: 1 }]);
    expect(demo.rules).toEqual([{ metric: 'rms', sensor: 'accel', above: 0.2, severity: 'warning' }]);
  });

  it('fills the scenario defaults into a minimal file', () => {
    expect(parseScenario(yaml('name: t', 'durationS: 1', 'twins:', '  - template: pump', '    id: m'))).toMatchObject({
      seed: 1,
      startTime: '2026-01-01T00:00:00Z',
      timeScale: 'max',
      site: 'site-1',
      faults: [],
      rules: [],
      expect: [],
    });
  });
});

describe('parseScenario errors name file, line and field', () => {
  it('a twin without a template lists the templates', () => {
    const error = configErrorOf(yaml('name: t', 'durationS: 600', 'twins:', '  - id: pump-1'));
    expect(error.message).toMatch(/^s\.yaml:4 twins\[0\]\.template: /);
    for (const template of ['pump', 'fan', 'environment']) expect(error.message).toContain(`'${template}'`);
  });

  it('a typo in a twin field suggests the real name', () => {
    const error = configErrorOf(yaml('name: t', 'durationS: 600', 'twins:', '  - template: pump', '    id: pump-1', '    speedRmp: 1480'));
    expect(error.message).toBe('s.yaml:6 twins[0].speedRmp: unknown field (did you mean "speedRpm"?)');
    expect(error.file).toBe('s.yaml');
  });

  it('a typo in a nested sensor field', () => {
    const error = configErrorOf(yaml('name: t', 'durationS: 600', 'twins:', '  - template: pump', '    id: pump-1', '    sensors:', '      accel:', '        rateHZ: 100'));
    expect(error.message).toBe('s.yaml:8 twins[0].sensors.accel.rateHZ: unknown field (did you mean "rateHz"?)');
  });

  it('a fault on an unknown device suggests the nearest twin, or lists them when none is close', () => {
    const error = configErrorOf(twoTwins('faults:', '  - type: imbalance', '    device: pump-9', '    atS: 10', '    unbalanceGmm: 100'));
    expect(error.message).toBe('s.yaml:10 faults[0].device: no twin named "pump-9" (did you mean "pump-1"?)');
    const far = configErrorOf(twoTwins('faults:', '  - type: imbalance', '    device: compressor', '    atS: 10', '    unbalanceGmm: 100'));
    expect(far.message).toBe('s.yaml:10 faults[0].device: no twin named "compressor" (twins: pump-1, pump-2)');
  });

  it('a fault onset at or after the end of the run, but not one just before it', () => {
    const fault = (atS: number) => twoTwins('faults:', '  - type: imbalance', '    device: pump-1', `    atS: ${atS}`, '    unbalanceGmm: 100');
    expect(configErrorOf(fault(600)).message).toBe('s.yaml:11 faults[0].atS: onset 600 s is not before the end of the run (durationS 600)');
    expect(configErrorOf(fault(900)).message).toMatch(/^s\.yaml:11 faults\[0\]\.atS: onset 900 s/);
    expect(parseScenario(fault(599.9)).faults[0]!.atS).toBe(599.9);
  });

  it('a machine fault the template cannot have names the faults it can have, and a sensor fault on the same twin is accepted', () => {
    const hall = (...fault: string[]) =>
      yaml('name: t', 'durationS: 600', 'twins:', '  - template: pump', '    id: pump-1', '  - template: environment', '    id: hall', 'faults:', ...fault);
    const error = configErrorOf(hall('  - type: bearing', '    device: hall', '    component: outer', '    atS: 10'));
    expect(error.issues.map((i) => `${i.line} ${i.path}`)).toEqual(['9 faults[0].type']);
    expect(error.message).toBe(
      's.yaml:9 faults[0].type: an environment cannot have a "bearing" fault (it can have only sensor faults: ' +
        'stuck, drift, bias-jump, spikes, dropout, clipping, noise-burst, calibration, timestamp-skew)',
    );
    const drift = parseScenario(hall('  - type: drift', '    device: hall', '    sensor: humidity', '    atS: 10', '    ratePerS: 0.01'));
    expect(drift.faults).toEqual([{ type: 'drift', device: 'hall', sensor: 'humidity', atS: 10, ratePerS: 0.01, severity: 1 }]);
    // The same bearing fault on the pump is fine.
    expect(parseScenario(hall('  - type: bearing', '    device: pump-1', '    component: outer', '    atS: 10')).faults[0]).toMatchObject({ type: 'bearing', device: 'pump-1' });
  });

  it('a sensor fault on a sensor the device lacks names the sensors it has, and a disabled sensor does not count', () => {
    const error = configErrorOf(twoTwins('faults:', '  - type: drift', '    device: pump-1', '    sensor: accel-x', '    atS: 10', '    ratePerS: 0.01'));
    expect(error.message).toBe('s.yaml:11 faults[0].sensor: pump-1 has no sensor "accel-x" (it has: accel, winding-temp, bearing-temp)');

    const disabled = yaml(
      'name: t',
      'durationS: 600',
      'twins:',
      '  - template: fan',
      '    id: fan-1',
      '    sensors:',
      '      bearing-temp:',
      '        enabled: false',
      'faults:',
      '  - type: stuck',
      '    device: fan-1',
      '    sensor: bearing-temp',
      '    atS: 10',
    );
    expect(configErrorOf(disabled).message).toBe('s.yaml:12 faults[0].sensor: fan-1 has no sensor "bearing-temp" (it has: accel, winding-temp)');
  });

  it('a rule naming a sensor no twin has, or one its device lacks', () => {
    expect(configErrorOf(twoTwins('rules:', '  - above: 0.2', '    sensor: vibration')).message).toBe('s.yaml:10 rules[0].sensor: no twin has a sensor "vibration" (sensors: accel, winding-temp, bearing-temp)');
    const onDevice = yaml(
      'name: t',
      'durationS: 600',
      'twins:',
      '  - template: pump',
      '    id: pump-1',
      '  - template: environment',
      '    id: hall',
      'rules:',
      '  - above: 80',
      '    device: pump-1',
      '    sensor: humidity',
    );
    expect(configErrorOf(onDevice).message).toBe('s.yaml:11 rules[0].sensor: no twin pump-1 has a sensor "humidity" (sensors: accel, winding-temp, bearing-temp)');
    expect(parseScenario(onDevice.replace('device: pump-1', 'device: hall')).rules).toEqual([{ metric: 'rms', above: 80, device: 'hall', sensor: 'humidity', severity: 'warning' }]);
  });

  it('a ramp fault without rampS, on the fault\'s line', () => {
    const error = configErrorOf(twoTwins('faults:', '  - type: imbalance', '    device: pump-1', '    atS: 10', '    growth: ramp', '    unbalanceGmm: 100'));
    expect(error.message).toBe('s.yaml:9 faults[0].rampS: growth "ramp" needs rampS (seconds to full severity)');
    expect(parseScenario(twoTwins('faults:', '  - type: imbalance', '    device: pump-1', '    atS: 10', '    growth: ramp', '    rampS: 5', '    unbalanceGmm: 100')).faults[0]).toMatchObject({
      growth: 'ramp',
      rampS: 5,
    });
  });

  it('withinS on a device with no fault', () => {
    const error = configErrorOf(twoTwins('rules:', '  - above: 0.2', 'expect:', '  - type: alert', '    device: pump-2', '    withinS: 60'));
    expect(error.message).toMatch(/^s\.yaml:13 expect\[0\]\.withinS: withinS counts from a fault onset, but "pump-2" has no fault; drop withinS/);
  });

  it('an alert or no-alert expectation with nothing to raise alerts, when the embedded stack is to judge it', () => {
    const text = twoTwins('expect:', '  - type: stored-exactly-once', '  - type: alert', '    device: pump-1', '  - type: no-alert');
    const error = (() => {
      try {
        planRun(parseScenario(text, 's.yaml'), { kind: 'embedded', skip: [] }, { targetName: 'embedded', file: 's.yaml', source: text });
      } catch (e) {
        return e as ConfigError;
      }
      throw new Error('expected a ConfigError');
    })();
    const needs = (type: string) => `"${type}" needs at least one alert rule under rules: (or gateway.rules, or a gateway.anomaly model)`;
    expect(error.message).toBe([`s.yaml:10 expect[1].type: ${needs('alert')}`, `s.yaml:12 expect[2].type: ${needs('no-alert')}`].join('\n'));
  });

  it('an expectation or rule on an unknown device', () => {
    const error = configErrorOf(twoTwins('rules:', '  - above: 0.2', '    device: fan-9', 'expect:', '  - type: no-alert', '    device: pump-3'));
    expect(error.issues.map((i) => `${i.line} ${i.path}`)).toEqual(['10 rules[0].device', '13 expect[0].device']);
  });

  it('a duplicate twin id', () => {
    const error = configErrorOf(yaml('name: t', 'durationS: 600', 'twins:', '  - template: pump', '    id: pump-1', '  - template: fan', '    id: pump-1'));
    expect(error.message).toBe('s.yaml:7 twins[1].id: duplicate twin id "pump-1"');
  });

  it('a wrong type', () => {
    const error = configErrorOf(yaml('name: t', 'durationS: "ten"', 'twins:', '  - template: pump', '    id: pump-1'));
    expect(error.message).toMatch(/^s\.yaml:2 durationS: .*expected number, received string$/);
  });

  it('an unknown expectation type lists the known ones', () => {
    const error = configErrorOf(twoTwins('expect:', '  - type: alerts', '    device: pump-1'));
    expect(error.message).toMatch(/^s\.yaml:9 expect\[0\]\.type: /);
    for (const known of ['alert', 'no-alert', 'stored-exactly-once']) expect(error.message).toContain(`'${known}'`);
  });

  it('a YAML syntax error names the file and the problem', () => {
    // The line is optional here: syntax errors currently carry none (known bug, pinned in test/unit/protocol/yaml-config.test.ts).
    const error = configErrorOf(yaml('name: t', 'durationS: 600', 'name: u', 'twins:', '  - template: pump', '    id: pump-1'));
    expect(error.message).toMatch(/^s\.yaml(:3)?: YAML syntax: Map keys must be unique/);
  });

  it('uses <scenario> as the file name when none is given', () => {
    expect(() => parseScenario(yaml('name: t', 'twins: []'))).toThrow(/^<scenario>:\d /);
  });
});
