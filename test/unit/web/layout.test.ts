import { describe, expect, it } from 'vitest';
import { FOOTPRINT, layOut, naturalCompare } from '../../../web/client/layout';
import type { MachineKind, SiteMachine } from '../../../web/client/site';

const machine = (device: string, kind: MachineKind, position?: SiteMachine['position']): SiteMachine => ({ device, kind, sensors: [], ...(position ? { position } : {}) });

/** factory-20.yaml's hall, kind by kind. */
const FACTORY_20: SiteMachine[] = [
  ...Array.from({ length: 8 }, (_, i) => machine(`pump-${i + 1}`, 'pump')),
  ...Array.from({ length: 4 }, (_, i) => machine(`fan-${i + 1}`, 'fan')),
  ...Array.from({ length: 3 }, (_, i) => machine(`conveyor-${i + 1}`, 'conveyor')),
  ...Array.from({ length: 3 }, (_, i) => machine(`robot-${i + 1}`, 'robot-arm')),
  machine('hall-north', 'environment'),
  machine('hall-south', 'environment'),
];

function overlaps(a: { x: number; z: number; kind: MachineKind }, b: { x: number; z: number; kind: MachineKind }): boolean {
  const fa = FOOTPRINT[a.kind];
  const fb = FOOTPRINT[b.kind];
  return Math.abs(a.x - b.x) < (fa.w + fb.w) / 2 && Math.abs(a.z - b.z) < (fa.d + fb.d) / 2;
}

describe('the hall layout', () => {
  it('places every machine of factory-20 once, no two footprints touching, centred on the origin', () => {
    const placed = layOut(FACTORY_20);
    expect(placed.map((p) => p.device).sort()).toEqual(FACTORY_20.map((m) => m.device).sort());
    const kinds = new Map(FACTORY_20.map((m) => [m.device, m.kind]));
    const at = placed.map((p) => ({ ...p, kind: kinds.get(p.device)! }));
    for (const [i, a] of at.entries()) for (const b of at.slice(i + 1)) expect(overlaps(a, b), `${a.device} and ${b.device}`).toBe(false);
    const xs = at.flatMap((p) => [p.x - FOOTPRINT[p.kind].w / 2, p.x + FOOTPRINT[p.kind].w / 2]);
    const zs = at.flatMap((p) => [p.z - FOOTPRINT[p.kind].d / 2, p.z + FOOTPRINT[p.kind].d / 2]);
    expect(Math.abs(Math.min(...zs) + Math.max(...zs))).toBeLessThan(1e-9);
    expect(Math.abs(Math.min(...xs) + Math.max(...xs))).toBeLessThan(12);
  });

  it('keeps each kind in its own rows, front to back in kind order, and names in natural order along a row', () => {
    const placed = new Map(layOut(FACTORY_20).map((p) => [p.device, p]));
    expect(placed.get('pump-1')!.z).toBeLessThan(placed.get('fan-1')!.z);
    expect(placed.get('fan-1')!.z).toBeLessThan(placed.get('conveyor-1')!.z);
    expect(placed.get('conveyor-1')!.z).toBeLessThan(placed.get('robot-1')!.z);
    expect(placed.get('robot-1')!.z).toBeLessThan(placed.get('hall-north')!.z);
    expect(placed.get('pump-1')!.x).toBeLessThan(placed.get('pump-2')!.x);
    expect(['pump-10', 'pump-2', 'pump-1'].sort(naturalCompare)).toEqual(['pump-1', 'pump-2', 'pump-10']);
  });

  it('wraps 200 machines into a hall near square rather than one long row', () => {
    const placed = layOut(Array.from({ length: 200 }, (_, i) => machine(`pump-${i + 1}`, 'pump')));
    const width = Math.max(...placed.map((p) => p.x)) - Math.min(...placed.map((p) => p.x));
    const depth = Math.max(...placed.map((p) => p.z)) - Math.min(...placed.map((p) => p.z));
    expect(width / depth).toBeGreaterThan(0.5);
    expect(width / depth).toBeLessThan(2.5);
  });

  it('puts a machine with a scenario position exactly there', () => {
    const placed = layOut([machine('pump-1', 'pump'), machine('robot-1', 'robot-arm', { x: 12.5, z: -4, rotationDeg: 90 })]);
    expect(placed.find((p) => p.device === 'robot-1')).toEqual({ device: 'robot-1', x: 12.5, z: -4, rotationDeg: 90 });
  });
});
