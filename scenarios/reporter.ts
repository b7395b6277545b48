import type { ExpectationResult } from './expectations';

export interface RunStats {
  /** Readings the twins published, QoS 1 and QoS 0. */
  published: number;
  /** Of those, how many the gateway's broker acknowledged. */
  acked: number;
  /** Readings the cloud holds, each once (counted through the windows that summarise them). */
  stored: number;
  /** Feature windows the cloud stored. */
  windows: number;
  /** Copies the cloud dropped because the key was already stored. */
  duplicatesDropped: number;
  /** Messages sent to dead-letter topics, by any layer. */
  deadLettered: number;
  /** Alerts raised. */
  alerts: number;
  /** Telemetry payload bytes the twins published. */
  bytesPublished: number;
  /** QoS 1 readings published and stored: equal when nothing was lost. */
  qos1: { published: number; stored: number };
  /** QoS 0 readings published, stored, and lost on the way (at most once: losses are expected on a bad link). */
  qos0: { published: number; stored: number; lost: number };
  /** Blocks sensors did not deliver (dropout faults); never published, so never lost. */
  droppedBySensors: number;
  /** What the edge gateway did: bandwidth (payload bytes in from devices ÷ acknowledged upstream), events, actions. */
  edge: {
    bytesIn: number;
    bytesOut: number;
    bandwidthReduction: number;
    rawBytesOut: number;
    events: number;
    commands: number;
    actionLatencyP50Ms?: number;
    actionLatencyP99Ms?: number;
  };
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
  /** What each simulated link did, when the scenario impaired any. */
  links?: Record<string, { sent: number; delivered: number; lostQos0: number; retransmittedQos1: number; duplicated: number; latencyP50Ms: number; latencyP99Ms: number }>;
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
