import { MACHINE_KINDS, type MachineKind, type SiteMachine } from './site';

/** Floor space a machine takes, metres (x along the row, z across it), aisle clearance not included. */
export const FOOTPRINT: Readonly<Record<MachineKind, { w: number; d: number }>> = {
  pump: { w: 3.4, d: 1.6 },
  fan: { w: 2.6, d: 2.2 },
  conveyor: { w: 7, d: 1.4 },
  'robot-arm': { w: 2.6, d: 2.6 },
  environment: { w: 0.8, d: 0.8 },
  other: { w: 1.6, d: 1.2 },
};

/** Clearance between machines in a row, and the aisle between rows, metres. */
const GAP = 1.2;
const AISLE = 3;
/** A bay is this many machines of a row; bays are split by a cross aisle so a long row stays walkable. */
const BAY = 6;

export interface Placed {
  device: string;
  x: number;
  z: number;
  rotationDeg: number;
}

/**
 * Lays the hall out in rows and bays: one row per kind of machine (pumps together, then fans, conveyors, robot
 * cells and sensors), wrapped at a width that keeps the hall near square, in natural name order; a machine with a
 * `position` stands where the scenario says. Centred on the origin.
 */
export function layOut(machines: readonly SiteMachine[]): Placed[] {
  const free = machines.filter((m) => !m.position);
  const byKind = MACHINE_KINDS.map((kind) => free.filter((m) => m.kind === kind).sort((a, b) => naturalCompare(a.device, b.device)));
  const area = free.reduce((sum, m) => sum + (FOOTPRINT[m.kind].w + GAP) * (FOOTPRINT[m.kind].d + AISLE), 0);
  const maxWidth = Math.max(12, Math.sqrt(area) * 1.3);
  const placed: Placed[] = [];
  let z = 0;
  for (const kindRow of byKind) {
    let row: Placed[] = [];
    let x = 0;
    let depth = 0;
    let inBay = 0;
    // Each row is centred on the hall's axis, so short rows do not hang off to one side.
    const endRow = () => {
      for (const p of row) p.x -= (x - GAP) / 2;
      placed.push(...row);
      if (row.length > 0) z += depth + AISLE;
      row = [];
      x = 0;
      depth = 0;
      inBay = 0;
    };
    for (const m of kindRow) {
      const { w, d } = FOOTPRINT[m.kind];
      if (x > 0 && x + w > maxWidth) endRow();
      if (inBay === BAY) {
        x += AISLE - GAP;
        inBay = 0;
      }
      row.push({ device: m.device, x: x + w / 2, z: z + d / 2, rotationDeg: 0 });
      x += w + GAP;
      depth = Math.max(depth, d);
      inBay++;
    }
    endRow();
  }
  // Centre the rows front to back; scenario positions are absolute.
  const depthAll = Math.max(z - AISLE, 0);
  for (const p of placed) p.z -= depthAll / 2;
  for (const m of machines) if (m.position) placed.push({ device: m.device, x: m.position.x, z: m.position.z, rotationDeg: m.position.rotationDeg ?? 0 });
  return placed;
}

/** `pump-2` before `pump-10`. */
export function naturalCompare(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}
