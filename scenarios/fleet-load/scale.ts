import { TwinbedError } from '../../protocol';
import type { FaultConfig, FleetDefinition, MachineConfig } from '../../twins';
import { shardRange, type Shard } from './shard';

/** Device ids are single topic levels of at most 64 characters (protocol's IdSchema). */
const MAX_ID_LENGTH = 64;

/** A fleet-load run that cannot be set up as asked (an id too long once scaled); the message names the flag. */
export class FleetLoadError extends TwinbedError {
  constructor(message: string) {
    super('E_FLEET_LOAD', message);
  }
}

/**
 * The id of copy `copy` (1-based) of twin `id` in a fleet scaled ×`scale`: `pump-1` → `pump-1-0001` … `pump-1-1000`,
 * zero-padded to the width of `scale` so the ids sort in copy order. Scale 1 keeps the id.
 */
export function scaledId(id: string, copy: number, scale: number): string {
  if (scale === 1) return id;
  return `${id}-${String(copy).padStart(String(scale).length, '0')}`;
}

/**
 * The scenario's fleet ×`scale`, each copy with unique ids and its own copy of the faults on them. Copy-major order
 * (every twin of copy 1, then copy 2, …): a contiguous shard of the list then holds a mix of templates, so shards
 * cost about the same. Random streams are named by device id, so a copy's signals are its own and never depend on
 * which process runs it.
 */
export function scaleFleet(fleet: FleetDefinition, scale: number): FleetDefinition {
  return sliceFleet(fleet, { scale }).definition;
}

/** The part of a scaled fleet one process runs. */
export interface FleetSlice {
  /** The slice's twins (in full-list order) with the faults on them. */
  definition: FleetDefinition;
  /** Devices in the whole scaled fleet, every shard together. */
  total: number;
  /** The slice is [from, to) of the whole scaled list. */
  from: number;
  to: number;
  /** A slice device's position in the whole scaled list, for `{index}` in templates: never its place in the slice. */
  indexOf(device: string): number;
}

/**
 * Shard `shard` of the fleet scaled ×`scale` (both optional): the same as slicing `scaleFleet(fleet, scale)`, without
 * building the whole list, so each of many processes holds only its own devices.
 */
export function sliceFleet(fleet: FleetDefinition, options: { scale?: number; shard?: Shard }): FleetSlice {
  const { scale = 1, shard = { index: 1, total: 1 } } = options;
  if (!Number.isInteger(scale) || scale < 1) throw new FleetLoadError(`--scale must be a whole number ≥ 1, got ${scale}`);
  const longest = fleet.twins.reduce((a, t) => (t.id.length > a.length ? t.id : a), '');
  const example = scaledId(longest, scale, scale);
  if (example.length > MAX_ID_LENGTH) {
    throw new FleetLoadError(`--scale ${scale} makes twin id "${longest}" into "${example}", ${example.length} characters; ids are at most ${MAX_ID_LENGTH}: shorten the id or scale less`);
  }
  const perCopy = fleet.twins.length;
  const total = perCopy * scale;
  const { from, to } = shardRange(total, shard);
  const faultsOf = new Map<string, FaultConfig[]>();
  for (const fault of fleet.faults) faultsOf.set(fault.device, [...(faultsOf.get(fault.device) ?? []), fault]);
  const twins: MachineConfig[] = [];
  const faults: FaultConfig[] = [];
  const index = new Map<string, number>();
  for (let i = from; i < to; i++) {
    const copy = Math.floor(i / perCopy) + 1;
    const twin = fleet.twins[i % perCopy]!;
    const id = scaledId(twin.id, copy, scale);
    twins.push(scale === 1 ? twin : { ...twin, id });
    for (const fault of faultsOf.get(twin.id) ?? []) faults.push(scale === 1 ? fault : { ...fault, device: id });
    index.set(id, i);
  }
  return {
    definition: { twins, faults, startTime: fleet.startTime },
    total,
    from,
    to,
    indexOf: (device) => {
      const i = index.get(device);
      if (i === undefined) throw new RangeError(`device "${device}" is not in this slice of the fleet`);
      return i;
    },
  };
}
