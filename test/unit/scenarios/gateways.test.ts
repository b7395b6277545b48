import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../protocol/index';
import { parseScenario, planRun, TargetSchema } from '../../../scenarios/index';

// A scenario's `gateways:` splits its twins among a fleet of gateways; these are the mistakes it is checked for at load.

const yaml = (...lines: string[]) => `${lines.join('\n')}\n`;
/** Three pumps on lines 4–6; callers append from line 7. */
const threePumps = (...rest: string[]) =>
  yaml('name: t', 'durationS: 60', 'twins:', '  - { template: pump, id: pump-1 }', '  - { template: pump, id: pump-2 }', '  - { template: pump, id: pump-3 }', ...rest);

function configErrorOf(text: string): ConfigError {
  try {
    parseScenario(text, 's.yaml');
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError, but the scenario validated');
}

describe('gateways: in a scenario', () => {
  it('takes every twin in exactly one gateway, and leaves a scenario without it on the one gateway', () => {
    const fleet = parseScenario(threePumps('gateways:', '  - { id: gw-a, devices: [pump-1, pump-3] }', '  - { id: gw-b, devices: [pump-2] }'), 's.yaml');
    expect(fleet.gateways).toEqual([
      { id: 'gw-a', devices: ['pump-1', 'pump-3'] },
      { id: 'gw-b', devices: ['pump-2'] },
    ]);
    expect(parseScenario(threePumps(), 's.yaml').gateways).toBeUndefined();
  });

  it('refuses a twin in no gateway, naming the twin and the gateways to add it to', () => {
    const error = configErrorOf(threePumps('gateways:', '  - { id: gw-a, devices: [pump-1] }', '  - { id: gw-b, devices: [pump-2] }'));
    expect(error.message).toBe('s.yaml:6 twins[2].id: pump-3 is in no gateway: add it to the devices of one of gateways: (gw-a, gw-b)');
  });

  it('refuses a twin in two gateways, or twice in one, at the second mention', () => {
    const error = configErrorOf(threePumps('gateways:', '  - { id: gw-a, devices: [pump-1, pump-3] }', '  - id: gw-b', '    devices: [pump-2, pump-1]'));
    expect(error.message).toBe('s.yaml:10 gateways[1].devices[1]: pump-1 is served by gw-a already: a twin belongs to exactly one gateway');
    const twice = configErrorOf(threePumps('gateways:', '  - { id: gw-a, devices: [pump-1, pump-3, pump-1] }', '  - { id: gw-b, devices: [pump-2] }'));
    expect(twice.message).toBe('s.yaml:8 gateways[0].devices[2]: pump-1 is listed twice in gw-a');
  });

  it('refuses an unknown twin, suggesting the nearest one or listing them', () => {
    const error = configErrorOf(threePumps('gateways:', '  - { id: gw-a, devices: [pump-1, pump-3] }', '  - { id: gw-b, devices: [pump-2, pmup-3] }'));
    expect(error.message).toBe('s.yaml:9 gateways[1].devices[1]: no twin named "pmup-3" (did you mean "pump-3"?)');
    const far = configErrorOf(threePumps('gateways:', '  - { id: gw-a, devices: [pump-1, pump-3] }', '  - { id: gw-b, devices: [pump-2, compressor] }'));
    expect(far.message).toBe('s.yaml:9 gateways[1].devices[1]: no twin named "compressor" (twins: pump-1, pump-2, pump-3)');
  });

  it('refuses a duplicate gateway id, one that is a twin\'s id, and the reserved step devices', () => {
    const twins = ['  - { id: gw-a, devices: [pump-1] }', '  - { id: gw-b, devices: [pump-2] }'];
    expect(configErrorOf(threePumps('gateways:', ...twins, '  - id: gw-a', '    devices: [pump-3]')).message).toBe('s.yaml:10 gateways[2].id: duplicate gateway id "gw-a"');
    expect(configErrorOf(threePumps('gateways:', ...twins, '  - id: pump-3', '    devices: [pump-3]')).message).toBe(
      's.yaml:10 gateways[2].id: "pump-3" is a twin\'s id: name the gateway differently, so that a step on either is not taken for the other',
    );
    expect(configErrorOf(threePumps('gateways:', ...twins, '  - id: cloud', '    devices: [pump-3]')).message).toBe(
      's.yaml:10 gateways[2].id: "cloud" is reserved for steps on the embedded system; name the gateway differently',
    );
  });

  it('refuses a fleet of one, saying how to run a single gateway', () => {
    const error = configErrorOf(threePumps('gateways:', '  - { id: gw-a, devices: [pump-1, pump-2, pump-3] }'));
    expect(error.message).toBe('s.yaml:7 gateways: give at least two gateways, or leave gateways: out for one gateway (gw-1) serving every twin');
  });
});

describe('steps on the embedded system', () => {
  const fleet = ['gateways:', '  - { id: gw-a, devices: [pump-1, pump-3] }', '  - { id: gw-b, devices: [pump-2] }'];

  it('takes a step on a gateway id or on `gateway` with args.gateway, and on `cloud` with any action', () => {
    const scenario = parseScenario(
      threePumps(...fleet, 'steps:', '  - { atS: 5, device: gw-b, action: crash }', '  - { atS: 6, device: gateway, action: crash, args: { gateway: gw-a } }', '  - { atS: 7, device: cloud, action: restart }'),
      's.yaml',
    );
    expect(scenario.steps.map((s) => s.device)).toEqual(['gw-b', 'gateway', 'cloud']);
  });

  it('refuses an action a gateway does not take, and an args.gateway that names no gateway', () => {
    const wrongAction = configErrorOf(threePumps(...fleet, 'steps:', '  - { atS: 5, device: gw-b, action: reboot }'));
    expect(wrongAction.message).toBe('s.yaml:11 steps[0].action: gateway gw-b takes the step action "crash", not "reboot"');
    const unknown = configErrorOf(threePumps(...fleet, 'steps:', '  - atS: 5', '    device: gateway', '    action: crash', '    args: { gateway: gw-c }'));
    expect(unknown.message).toBe('s.yaml:14 steps[0].args.gateway: no gateway named "gw-c" (did you mean "gw-a"?)');
    const single = configErrorOf(threePumps('steps:', '  - atS: 5', '    device: gateway', '    action: crash', '    args: { gateway: edge-2 }'));
    expect(single.message).toBe('s.yaml:11 steps[0].args.gateway: no gateway named "edge-2" (gateways: gw-1)');
  });

  it('refuses steps on a gateway id or the cloud against an external target, naming the step', () => {
    const text = threePumps(...fleet, 'steps:', '  - { atS: 5, device: gw-b, action: crash }', '  - { atS: 6, device: cloud, action: restart }');
    const target = TargetSchema.parse({ kind: 'mqtt', devices: { url: 'mqtt://h:1' }, observe: { topics: [{ filter: 'a/#', as: 'alert', fields: { device: 'd' } }] } });
    expect(() => planRun(parseScenario(text, 's.yaml'), target, { targetName: 't.yaml', file: 's.yaml', source: text })).toThrow(
      [
        "s.yaml:11 steps[0].device: t.yaml is not twinbed's gateway: a gateway step runs only against the embedded target",
        "s.yaml:12 steps[1].device: t.yaml is not twinbed's cloud: a cloud step runs only against the embedded target",
      ].join('\n'),
    );
  });
});
