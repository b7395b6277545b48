import { describe, expect, it } from 'vitest';
import { parseYamlConfig } from '../../../../protocol';
import { parseScenario } from '../../../../scenarios/load';
import { runScenario } from '../../../../scenarios/runner';
import { TargetSchema } from '../../../../scenarios/target';

const target = (hardware: string) => parseYamlConfig(`kind: embedded\nhardware:\n${hardware}`, 'bench.yaml', TargetSchema);

describe('a hardware binding in a target file', () => {
  it('takes a serial device and a device on a broker, with their defaults', () => {
    const parsed = target(
      [
        '  - device: fan-1',
        '    serial: { path: /dev/ttyUSB0 }',
        '    format: csv',
        '    columns: [t, seq, vib, temp]',
        '    sensors: { accel: { field: vib, unit: g, rateHz: 200 }, temp: { unit: degC, rateHz: 1 } }',
        '  - device: pump-1',
        "    mqtt: { topic: 'plant/{device}/{sensor}' }",
        '    sensors: { accel: { unit: g, rateHz: 100 } }',
      ].join('\n'),
    );
    expect(parsed.hardware).toMatchObject([
      { device: 'fan-1', serial: { path: '/dev/ttyUSB0', baudRate: 115_200, reopenMs: 1000 }, time: { field: 't', unit: 'ms', clock: 'device' }, seq: 'seq', commands: 'json', offlineAfterS: 5 },
      { device: 'pump-1', mqtt: { topic: 'plant/{device}/{sensor}', commandTopic: 'twinbed-hw/{device}/cmd', forward: true, qos: 1 } },
    ]);
  });

  it('refuses a binding that cannot work, naming the line and field', () => {
    expect(() => target('  - { device: fan-1, sensors: { a: { unit: g, rateHz: 1 } } }')).toThrow(/bench\.yaml:3 hardware\[0\]\.serial: give exactly one of serial: or mqtt:/);
    expect(() => target('  - { device: fan-1, serial: { path: /dev/x }, format: csv, columns: [t, seq], sensors: { accel: { unit: g, rateHz: 1 } } }')).toThrow(
      /hardware\[0\]\.columns: no column named "accel"/,
    );
    expect(() => target("  - { device: fan-1, mqtt: { commandTopic: 'x/{devce}/cmd' }, sensors: { a: { unit: g, rateHz: 1 } } }")).toThrow(/hardware\[0\]\.mqtt\.commandTopic: unknown placeholder \{devce\}/);
    expect(() => target('  - { device: fan-1, serial: { path: /dev/x }, sensors: {} }')).toThrow(/hardware\[0\]\.sensors: declare at least one sensor/);
    expect(() => target('  - { device: fan-1, serial: { path: /dev/x }, sensors: { a: { unit: g, rateHz: 1 } } }\n  - { device: fan-1, serial: { path: /dev/y }, sensors: { a: { unit: g, rateHz: 1 } } }')).toThrow(
      /hardware\[1\]\.device: "fan-1" is bound twice/,
    );
  });

  it('refuses, before anything starts, a scenario the hardware cannot run: faster than real time, a fault on it, no such twin', async () => {
    const source = [
      'name: hil',
      'durationS: 10',
      'twins:',
      '  - { template: pump, id: pump-1 }',
      'faults:',
      '  - { type: imbalance, device: pump-1, atS: 1, unbalanceGmm: 5000 }',
      'target:',
      '  kind: embedded',
      '  hardware:',
      '    - { device: pump-1, serial: { path: /dev/null }, sensors: { accel: { unit: g, rateHz: 100 } } }',
      '    - { device: fan-7, serial: { path: /dev/null }, sensors: { accel: { unit: g, rateHz: 100 } } }',
      '',
    ].join('\n');
    const error = await runScenario(parseScenario(source, 'hil.yaml'), { file: 'hil.yaml', source }).catch((e: unknown) => e as Error);
    expect((error as Error).message.split('\n')).toEqual([
      'hil.yaml:3 twins: the target (embedded) binds "fan-7" to hardware, but this scenario has no such twin (twins: pump-1)',
      'hil.yaml:1 timeScale: the target (embedded) binds pump-1, fan-7 to hardware, which runs in real time: set timeScale: 1 (it is max)',
      'hil.yaml:6 faults[0].device: pump-1 is bound to hardware (target: embedded): a fault cannot be injected into a real machine; command it with steps: instead',
    ]);
  });
});
