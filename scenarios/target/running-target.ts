import type { DeviceConnection, TwinFleet } from '../../twins';
import type { EdgeFigures } from '../reporter';
import type { Observer } from './observer';
import type { StoredCount } from './store-probe';

/** What the report can say about the system under test beyond what expectations judge. */
export interface TargetFigures {
  /** Messages the system rejected to a dead-letter topic, when the target can count them. */
  deadLettered?: number;
  /** The embedded gateway's own account: bandwidth, events, commands. */
  edge?: EdgeFigures;
  /** Its detection-to-command latency, wall ms, when it sent commands. */
  actionLatency?: { p50Ms: number; p99Ms: number };
}

/** What a target's barrier needs to know of the twins. */
export interface BarrierFleet {
  /** Messages the broker acknowledged (QoS 1) or took (QoS 0). */
  transport(): { acked: number };
  /** Waits until every message handed to a session is acknowledged or failed. */
  drain(): Promise<void>;
  /** Commands from the system the twins have received so far (held or acted on). */
  systemCommandsReceived(): number;
}

/** How the wait for the system under test ended. */
export interface SettleOutcome {
  /** `complete`: everything accounted for; `quiet`: nothing new for the quiet period; `timeout`: gave up waiting. */
  how: 'complete' | 'quiet' | 'timeout';
  waitedMs: number;
}

/**
 * A target while a scenario runs: where the twins connect, the observer reading what the system under test says,
 * and how to tell that it has finished. Every target is judged through its observer (and its store, if it has
 * one), so the embedded stack and a user's pipeline face the same expectations.
 */
export interface RunningTarget {
  /** `embedded`, or the target file. */
  readonly name: string;
  /** Where and how the twins connect. */
  readonly devices: DeviceConnection & { url: string };
  /** Credential paths in `devices` are relative to this folder. */
  readonly baseDir: string;
  /** Whether ground truth goes on the devices' broker. */
  readonly truth: 'broker' | 'local';
  readonly observer: Observer;
  /** What the system stored, per (device, sensor), when the target can count it. */
  stored?(): Promise<StoredCount[]>;
  /** Called once the twins have stopped and every reading is acknowledged: waits until the system is done with them. */
  settle(fleet: Pick<TwinFleet, 'stats'>): Promise<SettleOutcome>;
  /**
   * On a virtual clock, only when the target can tell: resolves once the system has received and processed every
   * reading the twins sent so far and the twins hold every command it sent in return, so that a run can hand those
   * commands over at a simulated time that does not depend on how fast this machine is (see CommandBarrier).
   */
  barrier?(fleet: BarrierFleet): Promise<void>;
  /**
   * Carries out a step on a part of the system itself; returns what it did. `part` is the step's device: `gateway`,
   * `cloud`, or the id of one of the scenario's `gateways:` (the embedded gateway's `crash`).
   */
  act?(part: string, action: string, args: Record<string, unknown>): Promise<string>;
  /** Figures for the report beyond the observation. */
  figures?(): Promise<TargetFigures>;
  stop(): Promise<void>;
}
