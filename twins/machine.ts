import type { CommandV1, TruthFault } from '../protocol';
import type { Channel } from './channel';

/** A twin of one machine: its sensors as channels and its true fault state. Platform-free. */
export interface Machine {
  readonly id: string;
  /** Template it was built from: `pump`, `fan`, `conveyor`, `robot-arm`, `environment`. */
  readonly template: string;
  readonly channels: readonly Channel[];
  /** Every fault active at run time tS (machine faults and sensor faults), for the ground-truth channel. */
  truthAt(tS: number): TruthFault[];
  /** Frees what the twin holds outside the JS heap (a rapier world); it must not be read afterwards. */
  dispose?(): void;
  /** Acts on a command from the gateway or cloud at run time tS; returns what it did, or undefined if unsupported. */
  command?(command: CommandV1, tS: number): string | undefined;
}
