import { describe, expect, it } from 'vitest';
import { siteOf } from '../../../cli/demo-site';
import { parseScenario } from '../../../scenarios';
import { layOut } from '../../../web/client/layout';

const SCENARIO = [
  'name: hall',
  'durationS: 10',
  'site: hall-1',
  'twins:',
  '  - { template: pump, id: pump-1, speedRpm: 2960, sensors: { power: { enabled: true } } }',
  '  - { template: conveyor, id: belt-1, speedMS: 0.8 }',
  '  - { template: robot-arm, id: cell-1, cycleS: 5 }',
  'layout:',
  '  cell-1: { x: 12, z: -3, rotationDeg: 90 }',
].join('\n');

describe('the demo page\'s hall, from the scenario', () => {
  it('gives each twin its kind, nominal rates and enabled sensors, and the layout: position where the scenario sets one', () => {
    const site = siteOf(parseScenario(SCENARIO));
    expect(site.site).toBe('hall-1');
    expect(site.machines.map((m) => [m.device, m.kind, m.speedRpm ?? m.beltSpeedMS ?? m.arm?.cycleS, m.position])).toEqual([
      ['pump-1', 'pump', 2960, undefined],
      ['belt-1', 'conveyor', 0.8, undefined],
      ['cell-1', 'robot-arm', 5, { x: 12, z: -3, rotationDeg: 90 }],
    ]);
    // An arm's whole path, the schema's defaults filled in, and the run's start to time it from.
    expect(site.machines[2]!.arm).toEqual({ cycleS: 5, dwellS: 0.5, pickM: [0.6, 0.1, 0], placeM: [0, 0.1, 0.6], liftM: 0.15 });
    expect(site.startMs).toBe(Date.parse(parseScenario(SCENARIO).startTime));
    expect(site.machines[0]!.sensors).toEqual(['accel', 'winding-temp', 'bearing-temp', 'power']);
    // The page stands it there, and lays the others out.
    expect(layOut(site.machines).find((p) => p.device === 'cell-1')).toEqual({ device: 'cell-1', x: 12, z: -3, rotationDeg: 90 });
  });
});
