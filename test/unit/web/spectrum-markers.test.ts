import { describe, expect, it } from 'vitest';
import { siteOf } from '../../../cli/demo-site';
import { bearingOrders } from '../../../protocol';
import { parseScenario } from '../../../scenarios';
import { defectMarkers } from '../../../web/client/spectrum-answer';

const SCENARIO = [
  'name: hall',
  'durationS: 10',
  'site: hall-1',
  'twins:',
  '  - { template: pump, id: pump-1 }',
  '  - { template: fan, id: fan-1, bearing: { balls: 12, ballDiameterMm: 10, pitchDiameterMm: 60, contactAngleDeg: 15 }, resonance: { naturalHz: 2000 } }',
  '  - { template: conveyor, id: belt-1 }',
].join('\n');

describe('the bearing defect lines the spectrum panel marks', () => {
  it('come from each twin\'s bearing geometry and housing resonance in the hall the page gets', () => {
    const site = siteOf(parseScenario(SCENARIO));
    const [pump, fan, belt] = site.machines;
    // The twins' default bearing is a 6205: 9 balls of 7.94 mm on a 39.04 mm pitch, BPFO ≈ 3.585×, BPFI ≈ 5.415×.
    expect(pump!.bearingOrders!.bpfo).toBeCloseTo(3.585, 3);
    expect(pump!.bearingOrders!.bpfi).toBeCloseTo(5.415, 3);
    expect(pump!.resonanceHz).toBe(3500);
    expect(fan!.bearingOrders).toEqual(bearingOrders({ balls: 12, ballDiameterMm: 10, pitchDiameterMm: 60, contactAngleDeg: 15 }));
    expect(fan!.resonanceHz).toBe(2000);
    expect(belt!.bearingOrders).toBeUndefined();
  });

  it('sit at order × shaft frequency: 1×, BPFO, BPFI, 2×BSF and FTF', () => {
    const orders = { bpfo: 3.5, bpfi: 5.5, bsf: 2.25, ftf: 0.4 };
    expect(defectMarkers(20, orders)).toEqual([
      { label: '1×', hz: 20 },
      { label: 'BPFO', hz: 70 },
      { label: 'BPFI', hz: 110 },
      { label: '2×BSF', hz: 90 },
      { label: 'FTF', hz: 8 },
    ]);
    // Without a bearing only the shaft line; without a shaft speed, nothing to place.
    expect(defectMarkers(20, undefined)).toEqual([{ label: '1×', hz: 20 }]);
    expect(defectMarkers(undefined, orders)).toEqual([]);
    expect(defectMarkers(0, orders)).toEqual([]);
  });
});
