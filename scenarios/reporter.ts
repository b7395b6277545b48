import type { ExpectationResult } from './expectations';
import type { RunTimeline } from './timeline';
import type { HardwareReport } from './hardware';

/** The embedded gateway's own account of a run. */
export interface EdgeFigures {
  bytesIn: number;
  bytesOut: number;
  bandwidthReduction: number;
  rawBytesOut: number;
  events: number;
  commands: number;
}

export interface RunStats {
  /** Readings the twins published, QoS 1 and QoS 0. */
  published: number;
  /** Of those, how many the gateway's broker acknowledged. */
  acked: number;
  /** Readings the cloud holds, each once (counted through the windows that summarise them). */
  stored: number;
  /** Distinct reading messages (feature windows) observed upstream. */
  windows: number;
  /** Copies of readings the system passed on more than once (a deduplicating store drops them). */
  duplicatesDropped: number;
  /** Messages sent to dead-letter topics, by any layer, when the target can count them. */
  deadLettered?: number;
  /** Alerts raised, as observed. */
  alerts: number;
  /** Telemetry payload bytes the twins published. */
  bytesPublished: number;
  /** QoS 1 readings published and stored: equal when nothing was lost. */
  qos1: { published: number; stored: number };
  /** QoS 0 readings published, stored, and lost on the way (at most once: losses are expected on a bad link). */
  qos0: { published: number; stored: number; lost: number };
  /** Blocks sensors did not deliver (dropout faults); never published, so never lost. */
  droppedBySensors: number;
  /** What the embedded edge gateway did: bandwidth (payload bytes in from devices ÷ acknowledged upstream), events, actions. */
  edge?: EdgeFigures;
  /** What the observer read from the system under test; messages its mappings could not read, by reason. */
  observed: { messages: number; bytes: number; unmapped: Record<string, number> };
  /** The twins' connections: CONNACKs, devices that could not connect, errors by reason (MQTT reason codes). */
  devices: {
    connected: number;
    failed: number;
    errors: Record<string, number>;
    pubackReasons?: Record<string, number>;
  };
  /** Commands the system sent the twins, which they obeyed. */
  commandsReceived: number;
  /** Devices bound to hardware, by device: status events (online, offline and why), lines, framing errors, clock drift. */
  hardware?: Record<string, HardwareReport>;
}

/** Everything in a run that depends on the wall clock, in one place: a report minus this is the same for a seed. */
export interface RunWall {
  /** Wall-clock ms the run took. */
  ms: number;
  /** Simulated time ÷ wall time. */
  speedup: number;
  /** The twins' CONNECT to CONNACK and PUBLISH to PUBACK, wall ms. */
  connectP50Ms: number;
  connectP99Ms: number;
  pubackP50Ms: number;
  pubackP99Ms: number;
  pubackMaxMs: number;
  /** How the wait for the system after the twins finished ended, and how long it took. */
  settle: { how: 'complete' | 'quiet' | 'timeout'; waitedMs: number };
  /** The embedded gateway's detection-to-command latency, when it sent commands. */
  actionLatencyP50Ms?: number;
  actionLatencyP99Ms?: number;
}

export interface RunResult {
  scenario: string;
  file?: string;
  seed: string | number;
  /** `embedded`, or the target file the run was aimed at. */
  target: string;
  passed: boolean;
  /** Simulated seconds. */
  simulatedS: number;
  expectations: ExpectationResult[];
  stats: RunStats;
  /** Faults, alerts, commands and the watched features over simulated time, for reports that draw the run. */
  timeline: RunTimeline;
  /** SHA-256 over every published topic and payload: equal for equal seeds. */
  telemetrySha256: string;
  /** What each simulated link did, when the scenario impaired any. */
  links?: Record<string, { sent: number; delivered: number; lostQos0: number; retransmittedQos1: number; duplicated: number; latencyP50Ms: number; latencyP99Ms: number }>;
  /** Wall-clock figures, the only part of the report that differs between two runs of one seed. */
  wall: RunWall;
  /** Reporters that threw; the run carries on without them. */
  reporterErrors?: string[];
}

export interface RunInfo {
  scenario: string;
  file?: string;
  seed: string | number;
  durationS: number;
  timeScale: number | 'max';
  target: string;
  /** Things the reader should know before the results, e.g. scenario sections this target does not use. */
  notes?: string[];
}

/** Receives run events; every hook is optional. A reporter that throws is recorded and the run goes on. */
export interface Reporter {
  onBegin?(info: RunInfo): void | Promise<void>;
  onExpectation?(result: ExpectationResult): void | Promise<void>;
  onEnd?(result: RunResult): void | Promise<void>;
}
