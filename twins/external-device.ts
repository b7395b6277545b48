import type { CommandV1 } from '../protocol';

/** A block of one sensor's samples from a device outside the simulation, its first sample at `tsMs` of run time. */
export interface ExternalBlock {
  sensor: string;
  tsMs: number;
  values: Float32Array;
}

/**
 * A device the fleet does not simulate (a machine on a serial line or on its own broker): the fleet connects it to the
 * system under test as it connects a twin (the same session, topics and format), publishes its blocks and hands it
 * the system's commands. Platform-free.
 */
export interface ExternalDevice {
  readonly id: string;
  /** Its sensors as published, in publishing order. */
  readonly sensors: readonly { sensor: string; unit: string; rateHz: number; blockSamples: number }[];
  /**
   * true: the fleet publishes its blocks as this device and passes it the system's commands. false: the device speaks
   * to the system under test itself; the fleet opens no session for it and only carries the test's steps.
   */
  readonly forward: boolean;
  /** Starts delivering blocks, each sensor's in time order; called once, when its session is open. `emit` is false for a block not taken (the run has halted). */
  start(emit: (block: ExternalBlock) => boolean): void;
  /** Carries a command to the device; resolves with what it said it did (or what became of the command). Never rejects. */
  command(command: CommandV1): Promise<string>;
}
