import type { ExpectationResult } from './expectations';

export interface RunStats {
  /** QoS 1 readings the twins published. */
  published: number;
  /** Of those, how many the gateway's broker acknowledged. */
  acked: number;
  /** Readings stored by the cloud (first copy of each key). */
  stored: number;
  /** Copies the cloud dropped because the key was already stored. */
  duplicatesDropped: number;
  /** Messages sent to dead-letter topics, by any layer. */
  deadLettered: number;
  /** Alerts raised. */
  alerts: number;
  /** Telemetry payload bytes the twins published. */
  bytesPublished: number;
}

export interface RunResult {
  scenario: string;
  file?: string;
  seed: string | number;
  passed: boolean;
  /** Simulated seconds. */
  simulatedS: number;
  /** Wall-clock ms the run took (not deterministic). */
  wallMs: number;
  /** Simulated time ÷ wall time. */
  speedup: number;
  expectations: ExpectationResult[];
  stats: RunStats;
  /** SHA-256 over every published topic and payload: equal for equal seeds. */
  telemetrySha256: string;
  /** Reporters that threw; the run carries on without them. */
  reporterErrors?: string[];
}

export interface RunInfo {
  scenario: string;
  file?: string;
  seed: string | number;
  durationS: number;
  timeScale: number | 'max';
}

/** Receives run events; every hook is optional. A reporter that throws is recorded and the run goes on. */
export interface Reporter {
  onBegin?(info: RunInfo): void | Promise<void>;
  onExpectation?(result: ExpectationResult): void | Promise<void>;
  onEnd?(result: RunResult): void | Promise<void>;
}
